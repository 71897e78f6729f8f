// How the wrapper's cost grows with the number of arguments: 1k, 10k, 100k arguments through a
// response file (with one ISA flag to rewrite, so the whole parse/rewrite/re-quote path runs), the
// real tool being `true`. Median of several runs per size; ratio to the previous size (10x more
// arguments should cost about 10x more above the fixed start-up cost, never 100x).
// Usage: node bench/args-scale.mjs [runs=5]   (build first: node scripts/build.mjs)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 5);
const sizes = [1_000, 10_000, 100_000];
const dir = mkdtempSync(join(tmpdir(), 'isa-args-scale-'));
const runtimes = [...(existsSync(join(root, 'dist', 'isa-shim-fast')) ? ['fast'] : []), 'node'];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const rows = [];
try {
  for (const runtime of runtimes) {
    const env = { ...process.env, ISA_LEVEL: 'v2', ISA_HOSTCC: 'true', ISA_RUNTIME: runtime, ISA_CACHE_DIR: join(dir, 'cache'), ISA_GLOBAL_CONFIG_DIRS: '' };
    spawnSync(join(root, 'bin', 'isa-hostcc'), ['-dumpversion'], { env, cwd: dir }); // fill the settings cache
    let prev;
    for (const n of sizes) {
      const rsp = join(dir, `a${n}.rsp`);
      const args = Array.from({ length: n }, (_, i) => (i === 0 ? '-march=x86-64-v3' : `-DARG_${i}="value ${i}"`));
      writeFileSync(rsp, args.map((a) => a.replace(/[\s'"\\]/g, (c) => `\\${c}`)).join('\n'));
      const times = [];
      for (let r = 0; r < runs; r++) {
        const t0 = process.hrtime.bigint();
        const p = spawnSync(join(root, 'bin', 'isa-hostcc'), ['-c', 'x.c', `@${rsp}`], { env, cwd: dir });
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (p.status !== 0) throw new Error(`isa-hostcc failed (${p.status}): ${p.stderr}`);
        times.push(ms);
      }
      const med = median(times);
      rows.push({ runtime, n, med, ratio: prev ? med / prev : undefined });
      prev = med;
    }
  }
  // The empty call (no response file) is the fixed start-up cost: subtract it to see the growth.
  const base = {};
  for (const runtime of runtimes) {
    const env = { ...process.env, ISA_LEVEL: 'v2', ISA_HOSTCC: 'true', ISA_RUNTIME: runtime, ISA_CACHE_DIR: join(dir, 'cache'), ISA_GLOBAL_CONFIG_DIRS: '' };
    const t = [];
    for (let r = 0; r < runs; r++) {
      const t0 = process.hrtime.bigint();
      spawnSync(join(root, 'bin', 'isa-hostcc'), ['-march=x86-64-v3', '-c', 'x.c'], { env, cwd: dir });
      t.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    base[runtime] = median(t);
  }
  console.log(`isa-hostcc, arguments via @file, median of ${runs} runs (ms); net = minus a 3-argument call`);
  console.log('runtime | args    | median ms | net ms  | x prev (median) | x prev (net)');
  console.log('------- | ------- | --------- | ------- | --------------- | ------------');
  let prevNet;
  for (const r of rows) {
    const net = Math.max(0.01, r.med - base[r.runtime]);
    if (r.n === sizes[0]) prevNet = undefined;
    console.log(
      `${r.runtime.padEnd(7)} | ${String(r.n).padStart(7)} | ${r.med.toFixed(1).padStart(9)} | ${net.toFixed(1).padStart(7)} | ${
        r.ratio ? r.ratio.toFixed(2).padStart(15) : '              -'
      } | ${prevNet ? (net / prevNet).toFixed(2).padStart(12) : '           -'}`,
    );
    prevNet = net;
  }
  for (const runtime of runtimes) console.log(`${runtime}: 3-argument call ${base[runtime].toFixed(1)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

#!/usr/bin/env node
// `make -j2 modules_prepare` of Linux 6.1, wrapped vs plain: same tree, same object dir, same leaky
// flags. Before every build the host-tool outputs are removed exactly as the kernel e2e harness does
// (its own cleanHostTools, bundled from integration/kernel/ with esbuild), so both sides rebuild the
// same targets. Builds alternate (wrapped, plain, plain, wrapped, ...); one settings cache dir serves
// the whole bench and is warmed by an unmeasured first build, as in a real build. Reports the median
// wall ratio wrapped/plain with its min-max, the median walls, the command lines, and then two
// unmeasured counting builds that check both sides run the same compiler/linker calls and give the
// number of wrapped calls (ISA_LOG) and the per-call overhead it implies.
//
//   node bench/kernel.mjs [--pairs N]      (default 15; each build is ~15-25 s on 2 cores)
//
// Needs the tree the kernel harness uses (/usr/src/linux-source-6.1.tar.xz, unpacked and configured
// under /var/tmp/isa-shim-kernel or ISA_E2E_CACHE), and takes the harness's lock on that cache.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, options, root } from './lib.mjs';

const { argv, opt } = options();
const PAIRS = Math.max(1, Number(opt('--pairs', '15')) || 15);
const JOBS = '2';

// ---- the harness's helpers, bundled from the .ts sources (not copied: same clean-up, same config)
const work = mkdtempSync(join(tmpdir(), 'isa-bench-kernel-'));
const entry = join(work, 'entry.ts');
const k = (f) => JSON.stringify(join(root, 'integration/kernel', f));
writeFileSync(entry, [
  `export { ensureSource, ensureConfigured, cleanHostTools, listHostElves } from ${k('tree.ts')};`,
  `export { SRCTREE, CACHE, LOGS, objdirOf } from ${k('setup.ts')};`,
  `export { acquireCache } from ${k('lock.ts')};`,
].join('\n'));
const bundle = join(work, 'harness.mjs');
execFileSync('npx', ['esbuild', '--bundle', '--platform=node', '--format=esm', '--log-level=warning', entry, `--outfile=${bundle}`],
  { cwd: root, stdio: 'inherit' });
const H = await import(pathToFileURL(bundle).href);

// The wrappers measured are a snapshot of bin/ and dist/ taken now, so that a `npm run build` in the
// checkout during the bench (minutes long) cannot swap the code under a half-done build. It sits under
// node_modules/.cache so that lazily loaded packages resolve from node_modules as they do from dist/.
// --no-snapshot uses bin/ directly.
const snapRoot = join(root, 'node_modules/.cache');
mkdirSync(snapRoot, { recursive: true });
const snap = argv.includes('--no-snapshot') ? root : mkdtempSync(join(snapRoot, 'isa-bench-kernel-'));
if (snap !== root) {
  mkdirSync(join(snap, 'bin'));
  for (const t of ['isa-hostcc', 'isa-hostcxx', 'isa-hostld']) cpSync(join(root, 'bin', t), join(snap, 'bin', t));
  cpSync(join(root, 'dist'), join(snap, 'dist'), { recursive: true });
}
// Both runtimes of the wrappers must answer (a copy taken mid-rebuild would not).
for (const runtime of ['', 'node']) {
  const r = spawnSync(join(snap, 'bin/isa-hostcc'), ['--version'], { env: { ...process.env, ISA_RUNTIME: runtime, ISA_LOG: '' }, encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`${join(snap, 'bin/isa-hostcc')} --version failed${runtime ? ' on Node.js' : ''}: ${r.stderr.trim()} (run npm run build)`);
    rmSync(work, { recursive: true, force: true });
    if (snap !== root) rmSync(snap, { recursive: true, force: true });
    process.exit(1);
  }
}
const SHIM = { cc: join(snap, 'bin/isa-hostcc'), cxx: join(snap, 'bin/isa-hostcxx'), ld: join(snap, 'bin/isa-hostld') };
const OBJ = H.objdirOf('gcc');
mkdirSync(H.LOGS, { recursive: true });
const LOG = join(H.LOGS, 'bench-kernel.log');
const SHIM_LOG = join(H.LOGS, 'bench-kernel.shim.jsonl');
rmSync(LOG, { force: true });

const q = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
const cmdline = (env, args) => [...Object.entries(env).map(([k2, v]) => `${k2}=${q(v)}`), ...args.map(q)].join(' ');

/** The environment without anything that would steer make or the shim (as the harness does). */
function cleanEnv(extra) {
  const env = {};
  for (const [k2, v] of Object.entries(process.env)) {
    if (k2.startsWith('ISA_') || /^(MAKEFLAGS|MFLAGS|MAKELEVEL|MAKEOVERRIDES|KBUILD_\w+|HOSTCC|HOSTCXX|HOSTLD|CC|LLVM)$/.test(k2)) continue;
    env[k2] = v;
  }
  return { ...env, ...extra };
}

const release = await H.acquireCache(10 * 60_000, (l) => console.log(l));
let exitCode = 0;
try {
  const setupLog = join(H.LOGS, 'bench-kernel-setup.log');
  const src = await H.ensureSource(setupLog);
  const cfg = await H.ensureConfigured('gcc', setupLog);
  console.log(`kernel tree ${H.SRCTREE} (${src.unpacked ? 'unpacked now' : 'reused'}), object dir ${OBJ} (${cfg.configured ? 'configured now' : 'reused'})`);
  const fast = existsSync(join(snap, 'dist', 'isa-shim-fast'));
  const head = spawnSync('git', ['-C', root, 'log', '-1', '--format=%h %cI'], { encoding: 'utf8' }).stdout.trim();
  const dirty = spawnSync('git', ['-C', root, 'status', '--porcelain', '--', 'src', 'bin'], { encoding: 'utf8' }).stdout.trim();
  console.log(`wrappers: ${snap === root ? 'bin/ in the checkout' : `snapshot of bin/ and dist/ in ${snap}`}; checkout at ${head}${dirty ? ' with uncommitted changes under src/ or bin/' : ''}`);
  console.log(`wrappers run on ${fast ? 'dist/isa-shim-fast (compiled single-file executable)' : 'Node.js (no dist/isa-shim-fast)'}; ${cpus().length} CPUs, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  if (PAIRS < 15) console.log(`note: ${PAIRS} pairs; the issue's figure asks for at least 15`);

  const cacheDir = join(work, 'settings-cache'); // one for the whole bench, warmed by the first build
  const base = ['make', '-C', H.SRCTREE, `O=${OBJ}`, `-j${JOBS}`,
    'HOSTCFLAGS=-O2 -march=x86-64-v3', 'HOSTLDFLAGS=-Wl,-O1 -Wl,-z,x86-64-v3'];
  const shimVars = [`HOSTCC=${SHIM.cc}`, `HOSTCXX=${SHIM.cxx}`, `HOSTLD=${SHIM.ld}`];
  const sides = {
    plain: { env: {}, args: [...base, 'modules_prepare'] },
    wrapped: { env: { ISA_LEVEL: 'v2', ISA_CACHE_DIR: cacheDir }, args: [...base, ...shimVars, 'modules_prepare'] },
  };

  /** Cleans the host-tool outputs (untimed), then times the build alone. */
  function build(side, tag, extraEnv = {}, extraArgs = []) {
    const removed = H.cleanHostTools('gcc');
    const { env, args } = sides[side];
    const full = [...args.slice(0, -1), ...extraArgs, args.at(-1)];
    const fd = openSync(LOG, 'a');
    writeFileSync(fd, `\n### ${tag} (${removed} host-tool outputs removed)\n$ ${cmdline({ ...env, ...extraEnv }, full)}\n`);
    const t = process.hrtime.bigint();
    const r = spawnSync(full[0], full.slice(1), { env: cleanEnv({ ...env, ...extraEnv }), stdio: ['ignore', fd, fd] });
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    writeFileSync(fd, `[exit ${r.status ?? r.signal} after ${s.toFixed(2)} s]\n`);
    closeSync(fd);
    if (r.status !== 0) throw new Error(`${tag}: make exited ${r.status ?? r.signal ?? r.error}; see ${LOG}`);
    return s;
  }

  console.log(`\nwarm-up (unmeasured): wrapped ${build('wrapped', 'warm-up wrapped').toFixed(2)} s, plain ${build('plain', 'warm-up plain').toFixed(2)} s`);
  console.log(`\n pair  order            wrapped s  plain s   ratio`);
  const W = [];
  const P = [];
  for (let i = 0; i < PAIRS; i++) {
    let w;
    let p;
    if (i % 2 === 0) {
      w = build('wrapped', `pair ${i + 1} wrapped`);
      p = build('plain', `pair ${i + 1} plain`);
    } else {
      p = build('plain', `pair ${i + 1} plain`);
      w = build('wrapped', `pair ${i + 1} wrapped`);
    }
    W.push(w);
    P.push(p);
    console.log(` ${String(i + 1).padStart(4)}  ${i % 2 === 0 ? 'wrapped, plain ' : 'plain, wrapped '}  ${w.toFixed(2).padStart(9)}  ${p.toFixed(2).padStart(7)}  ${(w / p).toFixed(3)}`);
  }
  const ratios = W.map((w, i) => w / P[i]);
  const diffs = W.map((w, i) => w - P[i]);
  const mr = median(ratios);

  // ---- unmeasured counting builds: every compiler/linker call on both sides through a counter
  const countDir = join(work, 'count');
  mkdirSync(countDir);
  const counter = (name, real) => {
    const p = join(countDir, name);
    writeFileSync(p, `#!/bin/sh\necho ${name.split('-')[0]} >> "$ISA_BENCH_COUNT"\nexec ${real} "$@"\n`);
    chmodSync(p, 0o755);
    return p;
  };
  const countPlain = join(work, 'calls-plain');
  const countWrapped = join(work, 'calls-wrapped');
  rmSync(SHIM_LOG, { force: true });
  build('plain', 'count plain', { ISA_BENCH_COUNT: countPlain },
    [`HOSTCC=${counter('cc-plain', 'gcc')}`, `HOSTCXX=${counter('cxx-plain', 'g++')}`, `HOSTLD=${counter('ld-plain', 'ld')}`]);
  const elvesPlain = H.listHostElves('gcc');
  // Later assignments on make's command line win: the counters sit in front of the shim.
  build('wrapped', 'count wrapped', { ISA_BENCH_COUNT: countWrapped, ISA_LOG: SHIM_LOG },
    [`HOSTCC=${counter('cc-wrapped', SHIM.cc)}`, `HOSTCXX=${counter('cxx-wrapped', SHIM.cxx)}`, `HOSTLD=${counter('ld-wrapped', SHIM.ld)}`]);
  const elvesWrapped = H.listHostElves('gcc');
  const tally = (f) => {
    const t = { cc: 0, cxx: 0, ld: 0 };
    for (const l of readFileSync(f, 'utf8').split('\n')) if (l) t[l]++;
    return t;
  };
  const cp = tally(countPlain);
  const cw = tally(countWrapped);
  const logged = existsSync(SHIM_LOG) ? readFileSync(SHIM_LOG, 'utf8').split('\n').filter(Boolean).length : 0;
  const sumOf = (t) => t.cc + t.cxx + t.ld;
  const same = sumOf(cp) === sumOf(cw) && cp.cc === cw.cc && cp.cxx === cw.cxx && cp.ld === cw.ld
    && elvesPlain.join('\n') === elvesWrapped.join('\n');

  const f2 = (x) => x.toFixed(2);
  console.log(`\nwall ratio wrapped/plain: median ${mr.toFixed(3)} (min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)}) over ${PAIRS} pairs — target <= 1.10: ${mr <= 1.10 ? 'met' : 'MISSED'}`);
  console.log(`median walls: wrapped ${f2(median(W))} s (${f2(Math.min(...W))}..${f2(Math.max(...W))}), plain ${f2(median(P))} s (${f2(Math.min(...P))}..${f2(Math.max(...P))})`);
  console.log(`median pair difference wrapped-plain: ${f2(median(diffs))} s (${f2(Math.min(...diffs))}..${f2(Math.max(...diffs))})`);
  console.log(`\ncalls per build (unmeasured counting builds, a sh counter in front of each HOSTCC/HOSTCXX/HOSTLD):`);
  console.log(`  plain:   ${sumOf(cp)} (cc ${cp.cc}, cxx ${cp.cxx}, ld ${cp.ld}), ${elvesPlain.length} host ELF programs/plugins built`);
  console.log(`  wrapped: ${sumOf(cw)} (cc ${cw.cc}, cxx ${cw.cxx}, ld ${cw.ld}), ${elvesWrapped.length} host ELF programs/plugins built; ISA_LOG lines ${logged} (${SHIM_LOG})`);
  console.log(`  same calls and same outputs on both sides: ${same ? 'yes' : 'NO'}`);
  if (!same) exitCode = 1;
  const calls = logged || sumOf(cw);
  if (calls) {
    console.log(`implied wall overhead per wrapped call: ${(median(diffs) * 1000 / calls).toFixed(1)} ms (median pair difference / ${calls} calls; with -j${JOBS} two calls can overlap, so up to ${(median(diffs) * 1000 * Number(JOBS) / calls).toFixed(1)} ms of CPU per call)`);
  }
  console.log(`\ncommand lines (host-tool outputs removed before each, as integration/kernel/tree.ts cleanHostTools does):`);
  console.log(`  plain:   ${cmdline(sides.plain.env, sides.plain.args)}`);
  console.log(`  wrapped: ${cmdline(sides.wrapped.env, sides.wrapped.args)}`);
  console.log(`  (ISA_CACHE_DIR is one dir for the whole bench, warmed by the unmeasured first build; make output in ${LOG})`);
} catch (e) {
  console.error(`kernel bench failed: ${e.message}`);
  exitCode = 1;
} finally {
  release();
  rmSync(work, { recursive: true, force: true });
  if (snap !== root) rmSync(snap, { recursive: true, force: true });
}
process.exit(exitCode);

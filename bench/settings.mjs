#!/usr/bin/env node
// Settings resolution: cold (cache miss: search, parse, validate, write the cache) against warm
// (cache hit: hash env, read the cache file, stat the probed paths). Each run is a fresh node
// process, like one wrapper call of a kernel build; the time is that of resolveSettings() alone.
// Also checks that a warm call loads neither yaml nor cosmiconfig.
//
//   node bench/settings.mjs [runs=21]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Math.max(15, Number(process.argv[2] ?? 21));

// The bundle must sit under the repo so that the lazily required yaml/cosmiconfig resolve from
// node_modules, as they do from dist/.
const cacheRoot = join(root, 'node_modules/.cache');
mkdirSync(cacheRoot, { recursive: true });
const work = mkdtempSync(join(cacheRoot, 'isa-bench-settings-'));
const tree = mkdtempSync('/var/tmp/isa-bench-tree-');
try {
  const bundle = join(work, 'config.mjs');
  execFileSync('npx', ['esbuild', '--bundle', '--platform=node', '--format=esm', '--log-level=warning',
    join(root, 'src/config/index.ts'), `--outfile=${bundle}`], { cwd: root, stdio: 'inherit' });

  // A kernel-like tree: the wrappers run from a deep object dir, the config is at the top.
  const obj = join(tree, 'linux-6.9/build/scripts/kconfig');
  mkdirSync(obj, { recursive: true });
  writeFileSync(join(tree, 'linux-6.9/build/.config'), 'CONFIG_X86_64=y\nCONFIG_MZEN3=y\n'.repeat(1) + 'CONFIG_FOO=y\n'.repeat(8000));
  const scenarios = {
    'yaml .isarc + kernel .config': { file: ['.isarc', 'level: auto\ncc: ccache gcc\nonViolation: fix\n'] },
    'json .isarc.json': { file: ['.isarc.json', '{"level": "v2"}'] },
    'no file, auto from .config': { file: undefined },
    'js .isarc.cjs (child process)': { file: ['.isarc.cjs', 'module.exports = { level: "v2" };'] },
  };

  const probe = `
    import { resolveSettingsDetailed } from ${JSON.stringify(bundle)};
    import { createRequire } from 'node:module';
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = resolveSettingsDetailed({ env: process.env, cwd: process.cwd() });
    const ms = performance.now() - t0;
    const cu = process.cpuUsage(c0);
    const cpu = (cu.user + cu.system) / 1000;
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => /node_modules\\/(yaml|cosmiconfig)\\//.test(k)).length;
    process.stdout.write(JSON.stringify({ ms, cpu, cache: r.cache, level: r.settings.level.value, loaded }));`;
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

  const rows = [];
  for (const [name, sc] of Object.entries(scenarios)) {
    for (const f of ['.isarc', '.isarc.json', '.isarc.cjs']) rmSync(join(tree, f), { force: true });
    if (sc.file) writeFileSync(join(tree, sc.file[0]), sc.file[1]);
    const cacheDir = join(work, `cache-${rows.length}`);
    const env = { PATH: process.env.PATH, HOME: tree, ISA_CACHE_DIR: cacheDir, ISA_GLOBAL_CONFIG_DIRS: '' };
    const one = () => {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: obj, env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      return JSON.parse(r.stdout);
    };
    const cold = [], warm = [], warmCpu = [];
    let warmLoaded = 0, coldLoaded = 0;
    for (let i = 0; i < runs; i++) {
      rmSync(cacheDir, { recursive: true, force: true });
      const c = one();
      if (c.cache !== 'miss') throw new Error(`expected a miss, got ${c.cache}`);
      cold.push(c.ms);
      coldLoaded = Math.max(coldLoaded, c.loaded);
      const w = one();
      if (w.cache !== 'hit') throw new Error(`expected a hit, got ${w.cache}`);
      warm.push(w.ms);
      warmCpu.push(w.cpu);
      warmLoaded = Math.max(warmLoaded, w.loaded);
    }
    rows.push({ name, cold: median(cold), warm: median(warm), warmMin: Math.min(...warm), warmCpu: median(warmCpu), coldLoaded, warmLoaded });
  }

  const pad = (s, n) => String(s).padEnd(n);
  const load = (await import('node:os')).loadavg()[0].toFixed(2);
  const cpus = (await import('node:os')).availableParallelism();
  console.log(`settings resolution, fresh node process per call, median of ${runs} runs (ms); load average ${load} on ${cpus} CPUs`);
  console.log(`${pad('scenario', 32)} ${pad('cold wall', 10)} ${pad('warm wall', 10)} ${pad('warm min', 9)} ${pad('warm cpu', 9)} parser modules loaded cold/warm`);
  for (const r of rows) {
    console.log(`${pad(r.name, 32)} ${pad(r.cold.toFixed(2), 10)} ${pad(r.warm.toFixed(2), 10)} ${pad(r.warmMin.toFixed(2), 9)} ${pad(r.warmCpu.toFixed(2), 9)} ${r.coldLoaded}/${r.warmLoaded}`);
  }
  // On a loaded machine wall time is mostly waiting for a CPU; CPU time is what the call costs.
  const bad = rows.filter((r) => Math.min(r.warm, r.warmCpu) > 5 || r.warmLoaded > 0);
  if (bad.length) {
    console.log(`FAIL: warm median (wall and CPU) above 5 ms or parsers loaded on a hit: ${bad.map((r) => r.name).join(', ')}`);
    process.exitCode = 1;
  } else console.log('OK: every warm median <= 5 ms, and no parser is loaded on a cache hit');
} finally {
  rmSync(work, { recursive: true, force: true });
  rmSync(tree, { recursive: true, force: true });
}

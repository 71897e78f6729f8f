#!/usr/bin/env node
// `npm run bench`: every speed figure of the project, each measured side by side in one run as
// alternating pairs (wrapped, direct, direct, wrapped, ...), reported as the median of the pairs
// with the min-max spread and the command lines used. Ratios and differences, not absolute times:
// the machine's load moves both sides of a pair alike.
//
//   node bench/run.mjs [--pairs N] [--only compile,link,check,audit,settings,args] [--kernel]
//
// --kernel adds `make -j2 modules_prepare` of Linux 6.1 wrapped vs plain (needs the tree the
// kernel harness unpacks; several minutes per pair).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, options, root } from './lib.mjs';

const { argv, opt } = options();
const PAIRS = Math.max(15, Number(opt('--pairs', '15')));
const only = opt('--only', 'compile,link,settings,check,audit,args').split(',');
const work = mkdtempSync(join(tmpdir(), 'isa-bench-'));
const HOSTCC = join(root, 'bin', 'isa-hostcc');
const SHIM = join(root, 'bin', 'isa-shim');
const DIRECT_CC = join(root, 'dist', 'bin', 'isa-hostcc');
const fast = existsSync(join(root, 'dist', 'isa-shim-fast'));

const fmt = (x, d = 1) => x.toFixed(d);

function timeRun(cmd, args, opts = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0 && !opts.allowFail) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return { ms, r };
}

/** Alternates a and b PAIRS times (a first on even pairs); returns per-pair values. */
function pairs(a, b, n = PAIRS) {
  const as = [];
  const bs = [];
  a();
  b(); // warm caches (page cache, settings cache) once, unmeasured
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      as.push(a());
      bs.push(b());
    } else {
      bs.push(b());
      as.push(a());
    }
  }
  return { as, bs };
}

const rows = [];
function row(figure, value, spread, target, pass, how) {
  rows.push({ figure, value, spread, target, pass, how });
  console.log(`${pass === undefined ? '    ' : pass ? 'ok  ' : 'MISS'} ${figure}: ${value} (${spread}) target ${target}`);
}

function diffRow(figure, { as, bs }, limitMs, how) {
  const d = as.map((a, i) => a - bs[i]);
  const md = median(d);
  row(figure, `+${fmt(md)} ms (wrapped ${fmt(median(as))} vs direct ${fmt(median(bs))} ms)`, `pair diffs ${fmt(Math.min(...d))}..${fmt(Math.max(...d))}`, `<= +${limitMs} ms`, md <= limitMs, how);
}

const env = { ...process.env, ISA_LEVEL: 'v2', ISA_CACHE_DIR: join(work, 'cache'), ISA_DEBUG: '', ISA_LOG: '', ISA_PROFILE: '' };
const SRC = join(work, 'small.c');
writeFileSync(SRC, '#include <stdio.h>\nstatic int sq(int x) { return x * x; }\nint main(void) { printf("%d\\n", sq(7)); return 0; }\n');

console.log(`isa-shim bench: ${PAIRS} alternating pairs per figure; work dir ${work}`);
console.log(`runtime of the wrappers: ${fast ? 'dist/isa-shim-fast (compiled, Bun baseline)' : 'Node.js (no compiled executable built)'}\n`);

if (only.includes('compile')) {
  const direct = ['gcc', ['-O2', '-march=x86-64-v2', '-c', SRC, '-o', join(work, 'd.o')]];
  const wrapped = [HOSTCC, ['-O2', '-march=x86-64-v3', '-c', SRC, '-o', join(work, 'w.o')]];
  const p = pairs(() => timeRun(wrapped[0], wrapped[1], { env }).ms, () => timeRun(direct[0], direct[1]).ms);
  diffRow('wrapped compile vs direct', p, 15, `${wrapped[0]} ${wrapped[1].join(' ')}  vs  ${direct[0]} ${direct[1].join(' ')}`);
  const nodeEnv = { ...env, ISA_RUNTIME: 'node' };
  const q = pairs(() => timeRun(wrapped[0], wrapped[1], { env: nodeEnv }).ms, () => timeRun(direct[0], direct[1]).ms);
  diffRow('same, forced onto Node.js (ISA_RUNTIME=node)', q, 15, 'as above with ISA_RUNTIME=node');
  const probe = pairs(() => timeRun(HOSTCC, ['-dumpversion'], { env }).ms, () => timeRun('gcc', ['-dumpversion']).ms);
  diffRow('wrapped probe (-dumpversion) vs direct', probe, 15, `${HOSTCC} -dumpversion  vs  gcc -dumpversion`);
  if (existsSync(DIRECT_CC) && fast) {
    // The build's dist/bin/ entry points: the compiled executable by the wrapper's name, no sh launcher.
    const d = pairs(() => timeRun(DIRECT_CC, wrapped[1], { env }).ms, () => timeRun(direct[0], direct[1]).ms);
    diffRow('wrapped compile via dist/bin/isa-hostcc (no launcher) vs direct', d, 15, `${DIRECT_CC} ${wrapped[1].join(' ')}  vs  ${direct[0]} ${direct[1].join(' ')}`);
    const dp = pairs(() => timeRun(DIRECT_CC, ['-dumpversion'], { env }).ms, () => timeRun('gcc', ['-dumpversion']).ms);
    diffRow('wrapped probe via dist/bin/isa-hostcc vs direct', dp, 15, `${DIRECT_CC} -dumpversion  vs  gcc -dumpversion`);
  }
}

/** Phase times the wrapper itself reports (ISA_PROFILE=1), over PAIRS calls. */
function phases(args, extraEnv = {}) {
  const out = {};
  timeRun(HOSTCC, args, { env: { ...env, ...extraEnv } });
  for (let i = 0; i < PAIRS; i++) {
    const { r } = timeRun(HOSTCC, args, { env: { ...env, ...extraEnv, ISA_PROFILE: '1' } });
    const line = r.stderr.split('\n').find((l) => l.includes('profile ms'));
    for (const [, k, v] of line.matchAll(/(\S+)=([\d.]+)/g)) (out[k] ??= []).push(Number(v));
  }
  return out;
}

if (only.includes('settings') || only.includes('link')) {
  const ph = phases(['-O2', '-o', join(work, 'linked'), SRC]);
  const s = ph.settings;
  row('settings resolution, warm call (in the wrapper)', `${fmt(median(s), 2)} ms`, `${fmt(Math.min(...s), 2)}..${fmt(Math.max(...s), 2)}`, '<= 5 ms', median(s) <= 5, `ISA_PROFILE=1 ${HOSTCC} -O2 -o linked small.c, phase 'settings'`);
  const v = ph.verify;
  row('verification of a linked binary within the level', `${fmt(median(v), 2)} ms`, `${fmt(Math.min(...v), 2)}..${fmt(Math.max(...v), 2)}`, '<= 2 ms', median(v) <= 2, `same call, phase 'verify' (reads headers and note)`);
  const st = ph.start;
  row('runtime start-up and module load (informational)', `${fmt(median(st), 2)} ms`, `${fmt(Math.min(...st), 2)}..${fmt(Math.max(...st), 2)}`, '-', undefined, `same call, phase 'start'`);
}

if (only.includes('link')) {
  const direct = ['gcc', ['-O2', '-march=x86-64-v2', '-o', join(work, 'dl'), SRC]];
  const wrapped = [HOSTCC, ['-O2', '-march=x86-64-v3', '-o', join(work, 'wl'), SRC, '-Wl,-z,x86-64-v3']];
  const p = pairs(() => timeRun(wrapped[0], wrapped[1], { env }).ms, () => timeRun(direct[0], direct[1]).ms);
  diffRow('wrapped compile+link+verify vs direct', p, 15, `${wrapped[0]} ${wrapped[1].join(' ')}  vs  ${direct[0]} ${direct[1].join(' ')}`);
}

if (only.includes('check')) {
  // Every file under /usr/bin and /usr/lib that starts with the ELF magic (what the loader runs),
  // the same list for both sides; ar archives are measured separately below.
  const listing = JSON.parse(timeRun(SHIM, ['check', '--json', '--level', 'v4', '/usr/bin', '/usr/lib'], { allowFail: true, env }).r.stdout);
  const judged = listing.files.filter((f) => f.verdict !== 'SKIP');
  const elfs = judged.filter((f) => f.elf).map((f) => f.path);
  const archives = judged.filter((f) => f.archive).map((f) => f.path);
  const compare = (label, files, target) => {
    const listFile = join(work, `${label.replace(/\W+/g, '-')}.txt`);
    writeFileSync(listFile, files.join('\n') + '\n');
    const loop = `while IFS= read -r f; do readelf -n "$f"; done < ${listFile} > /dev/null 2>&1`;
    const shim = `xargs -d '\\n' -a ${listFile} ${SHIM} check -q --level v4 > /dev/null`;
    const p = pairs(() => timeRun('sh', ['-c', shim], { env, allowFail: true }).ms, () => timeRun('sh', ['-c', loop], { allowFail: true }).ms);
    const ratios = p.as.map((a, i) => p.bs[i] / a);
    row(`isa-shim check vs a readelf -n loop, ${files.length} ${label}`, `${fmt(median(ratios))}x faster (${fmt(median(p.as))} vs ${fmt(median(p.bs))} ms)`, `${fmt(Math.min(...ratios))}..${fmt(Math.max(...ratios))}x`, target, target === '-' ? undefined : median(ratios) >= 10, `${shim}  vs  ${loop}`);
  };
  compare('ELF files under /usr/bin and /usr/lib', elfs, '>= 10x');
  compare('ar archives under /usr/lib (informational)', archives, '-');
  const walk = [];
  for (let i = 0; i < 3; i++) walk.push(timeRun(SHIM, ['check', '-q', '--level', 'v4', '/usr/bin', '/usr/lib'], { env, allowFail: true }).ms);
  console.log(`     whole-tree walk (isa-shim check -q /usr/bin /usr/lib, ${listing.counts.SKIP} non-ELF files sniffed and skipped): median of 3 ${fmt(median(walk))} ms`);
}

if (only.includes('audit')) {
  const r = spawnSync(process.execPath, [join(root, 'bench', 'audit.mjs'), '--pairs', '5'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const m = /ratio[^\n]*?([\d.]+)x/i.exec(r.stdout);
  console.log(r.stdout.split('\n').map((l) => `     ${l}`).join('\n'));
  row('code audit vs objdump -d (instructions/s)', m ? `${m[1]}x` : 'see above', 'bench/audit.mjs', '>= 2x', m ? Number(m[1]) >= 2 : undefined, 'node bench/audit.mjs --pairs 5');
}

if (only.includes('args')) {
  const r = spawnSync(process.execPath, [join(root, 'bench', 'args-scale.mjs')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status === 0 || r.stdout) console.log(r.stdout.split('\n').map((l) => `     ${l}`).join('\n'));
}

if (argv.includes('--kernel')) {
  const r = spawnSync(process.execPath, [join(root, 'bench', 'kernel.mjs'), '--pairs', opt('--kernel-pairs', '15')], { encoding: 'utf8', stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) console.log('kernel bench failed; see its output above');
}

console.log('\nfigure | value | spread | target | command lines');
for (const r of rows) console.log(`${r.figure} | ${r.value} | ${r.spread} | ${r.target} | ${r.how}`);


// `npm start`: the main job on the built-in example. Builds examples/hosttools twice in a leaky
// environment (-march=x86-64-v3, -Wl,-z,x86-64-v3) for a kernel configured at x86-64-v2: once
// with the plain compilers, once through isa-hostcc/isa-hostcxx, and shows each binary's level.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const level = process.env.ISA_LEVEL || 'x86-64-v2';
const leaky = {
  HOSTCFLAGS: '-O3 -march=x86-64-v3',
  HOSTCXXFLAGS: '-O3 -march=x86-64-v3',
  HOSTLDFLAGS: '-Wl,-O1 -Wl,-z,x86-64-v3',
};
const have = (t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0;
const sh = (cmd, args, opts = {}) => spawnSync(cmd, args, { encoding: 'utf8', ...opts });

function build(outDir, cc, cxx, env) {
  const vars = Object.entries(leaky).map(([k, v]) => `${k}=${v}`);
  const r = sh('make', ['-s', '-f', join(root, 'examples/hosttools/Makefile'), `O=${outDir}`, `HOSTCC=${cc}`, `HOSTCXX=${cxx}`, ...vars], { env });
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    process.stderr.write(`demo: the ${cc} build failed (status ${r.status})\n`);
    process.exit(1);
  }
}

function noteLevel(file) {
  const m = /x86 ISA needed: ([^\n]*)/.exec(sh('readelf', ['-n', file]).stdout);
  if (!m) return 'no note';
  const levels = [...m[1].matchAll(/x86-64-(baseline|v\d)/g)].map((x) => x[1]);
  return levels.length ? `x86-64-${levels[levels.length - 1]}`.replace('x86-64-baseline', 'x86-64') : m[1];
}

function v3Code(file) {
  const out = sh('objdump', ['-d', '--no-show-raw-insn', file], { maxBuffer: 64 << 20 }).stdout;
  let n = 0;
  for (const line of out.split('\n')) {
    const m = /^\s+[0-9a-f]+:\s+(\S+)\s*(.*)$/.exec(line);
    if (m && (/^(v[a-z0-9]+|andn|bextr|blsi|blsmsk|blsr|bzhi|pdep|pext|rorx|sarx|shlx|shrx|lzcnt|tzcnt|movbe)$/.test(m[1]) || /%[yz]mm/.test(m[2]))) n++;
  }
  return n;
}

function onNehalem(file, args) {
  if (!have('qemu-x86_64')) return 'qemu-user missing';
  const r = sh('qemu-x86_64', ['-cpu', 'Nehalem', file, ...args], { input: 'a.o: a.c a.h\n' });
  if (r.status === 0) return 'runs';
  if (/ISA level is lower/.test(r.stderr)) return 'refused by ld.so';
  if (r.signal === 'SIGILL' || r.status === 132) return 'SIGILL';
  return `fails (${r.signal ?? r.status})`;
}

const work = mkdtempSync(join(tmpdir(), 'isa-shim-demo-'));
const before = join(work, 'plain');
const after = join(work, 'shim');
sh('mkdir', ['-p', before, after]);
console.log(`isa-shim demo: kernel level ${level}; leaky build flags:`);
for (const [k, v] of Object.entries(leaky)) console.log(`  ${k}='${v}'`);
build(before, 'gcc', 'g++', process.env);
build(after, join(root, 'bin/isa-hostcc'), join(root, 'bin/isa-hostcxx'), { ...process.env, ISA_LEVEL: level });

const rows = [
  ['fixdep', []],
  ['vecsum', ['1000']],
  ['plugin.so', null],
];
const table = [['binary', 'plain: note', 'plain: v3 insns', 'plain on Nehalem', 'shim: note', 'shim: v3 insns', 'shim on Nehalem']];
for (const [name, args] of rows) {
  const b = join(before, name);
  const a = join(after, name);
  table.push([
    name,
    noteLevel(b),
    String(v3Code(b)),
    args ? onNehalem(b, args) : '(shared object)',
    noteLevel(a),
    String(v3Code(a)),
    args ? onNehalem(a, args) : '(shared object)',
  ]);
}
const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
for (const r of table) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  '));
console.log(`\nbinaries in ${work}`);

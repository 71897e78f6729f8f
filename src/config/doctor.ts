// `isa-shim doctor`: what the installed toolchain can do for pinning, one named check per line
// (OK / WARN / FAIL with what to do), in the spirit of annocheck and hardening-check.
import { spawnSync } from 'node:child_process';
import { levelName, levelNoteName, type Level } from '../level.js';

export type CheckStatus = 'OK' | 'WARN' | 'FAIL';
export interface Check {
  readonly name: string;
  readonly status: CheckStatus;
  readonly message: string;
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}
/** Runs a program; undefined when it cannot be started (not installed). Injected by tests. */
export type Runner = (cmd: string, args: readonly string[]) => RunResult | undefined;

export const defaultRunner: Runner = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) return undefined;
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
};

/** [major, minor, patch] of the first dotted version in a text. */
export function parseVersion(text: string): [number, number, number] | undefined {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}
function atLeast(v: readonly number[], min: readonly number[]): boolean {
  for (let i = 0; i < min.length; i++) {
    if ((v[i] ?? 0) !== min[i]) return (v[i] ?? 0) > min[i]!;
  }
  return true;
}
const vstr = (v: readonly number[]): string => v.join('.');

/** The `x86 ISA needed:` levels readelf -n prints for a file, as level numbers. */
export function isaNeededFromReadelf(text: string): Level[] {
  const m = /x86 ISA needed:\s*([^\n]*)/.exec(text);
  if (!m) return [];
  const out: Level[] = [];
  for (const name of m[1]!.split(',').map((s) => s.trim())) {
    if (name === 'x86-64-baseline') out.push(1);
    const v = /^x86-64-v([234])$/.exec(name);
    if (v) out.push(Number(v[1]) as Level);
  }
  return out;
}

export interface DoctorInput {
  /** The effective level and where it came from. */
  readonly level: Level;
  readonly levelOrigin: string;
  readonly hostLevel: Level;
  /** The C compiler and linker the wrappers would run (last word of cc/ld settings), default gcc/ld. */
  readonly cc: string;
  readonly ld: string;
  readonly run?: Runner;
}

export function doctorChecks(input: DoctorInput): Check[] {
  const run = input.run ?? defaultRunner;
  const checks: Check[] = [];
  const add = (name: string, status: CheckStatus, message: string): void => {
    checks.push({ name, status, message });
  };
  const L = input.level;

  add('level', input.level > input.hostLevel ? 'FAIL' : 'OK',
    input.level > input.hostLevel
      ? `pinned to ${levelName(L)} (${input.levelOrigin}) but this host is ${levelName(input.hostLevel)}: host tools would not run here; set level: host or ISA_LEVEL=${input.hostLevel}`
      : `pinned to ${levelName(L)} (${input.levelOrigin}); this host is ${levelName(input.hostLevel)}`);

  // gcc: -march=x86-64-vN since gcc 11.
  const isClangCc = /clang/.test(input.cc);
  const gcc = run(input.cc, isClangCc ? ['-dumpversion'] : ['-dumpfullversion', '-dumpversion']);
  if (!gcc || gcc.status !== 0) {
    add('cc', 'FAIL', `${input.cc} not found or not working: install gcc (or set cc / ISA_HOSTCC)`);
  } else {
    const v = parseVersion(gcc.stdout);
    const min = isClangCc ? [12] : [11];
    const kind = isClangCc ? 'clang' : 'gcc';
    if (!v) add('cc', 'WARN', `${input.cc}: cannot tell its version from ${JSON.stringify(gcc.stdout.trim())}`);
    else if (atLeast(v, min)) add('cc', 'OK', `${input.cc} ${vstr(v)}: accepts -march=x86-64-v2/v3/v4 (${kind} >= ${min[0]})`);
    else add('cc', L > 1 ? 'FAIL' : 'WARN', `${input.cc} ${vstr(v)}: no -march=x86-64-vN before ${kind} ${min[0]}; upgrade it${L > 1 ? ` to pin at ${levelName(L)}` : ''}`);
  }

  if (!isClangCc) {
    const clang = run('clang', ['-dumpversion']);
    if (!clang || clang.status !== 0) add('clang', 'OK', 'clang not installed (needed only when HOSTCC is clang)');
    else {
      const v = parseVersion(clang.stdout);
      if (v && atLeast(v, [12])) add('clang', 'OK', `clang ${vstr(v)}: accepts -march=x86-64-vN (clang >= 12)`);
      else add('clang', 'WARN', `clang ${v ? vstr(v) : '?'}: no -march=x86-64-vN before clang 12; upgrade it if HOSTCC is clang`);
    }
  }

  // GNU ld writes the ISA note for -z x86-64-vN since binutils 2.36.
  const ld = run(input.ld, ['--version']);
  const ldFirst = ld?.stdout.split('\n')[0] ?? '';
  if (!ld || ld.status !== 0) add('ld', 'FAIL', `${input.ld} not found: install binutils (or set ld / ISA_HOSTLD)`);
  else if (/LLD/.test(ldFirst)) add('ld', 'WARN', `${input.ld} is LLVM lld: it writes no ISA note, so the linked level is judged by the code audit alone`);
  else {
    const v = parseVersion(ldFirst.replace(/^.*\)\s*/, '')) ?? parseVersion(ldFirst);
    if (v && atLeast(v, [2, 36])) add('ld', 'OK', `GNU ld ${vstr(v)}: supports -z x86-64-vN (binutils >= 2.36)`);
    else add('ld', 'WARN', `GNU ld ${v ? vstr(v) : '?'}: no -z x86-64-vN before binutils 2.36; binaries carry no level note, upgrade binutils`);
  }

  const lld = run('ld.lld', ['--version']);
  if (lld && lld.status === 0) {
    add('lld', 'WARN', `${(lld.stdout.split('\n')[0] ?? 'ld.lld').trim()} installed: links with -fuse-ld=lld get no ISA note (lld ignores -z x86-64-vN); verification relies on the code audit for them`);
  } else add('lld', 'OK', 'ld.lld not installed');

  // Startup files: their ISA_1_NEEDED marks end up in every linked program (GNU ld ORs them).
  const marks: string[] = [];
  let above = false;
  for (const obj of ['Scrt1.o', 'crti.o', 'crtn.o']) {
    const p = run(input.cc, [`-print-file-name=${obj}`]);
    const path = p?.stdout.trim();
    if (!path || path === obj) continue;
    const re = run('readelf', ['-n', path]);
    if (!re || re.status !== 0) continue;
    const levels = isaNeededFromReadelf(re.stdout);
    marks.push(`${obj}: ${levels.length ? levels.map(levelNoteName).join(', ') : 'no ISA mark'}`);
    if (levels.some((l) => l > L)) above = true;
  }
  if (marks.length === 0) add('startup-files', 'WARN', `cannot read the startup files' notes (need ${input.cc} -print-file-name and readelf)`);
  else if (above) add('startup-files', 'WARN', `${marks.join('; ')}: above ${levelName(L)}, every link inherits that mark; use onViolation: fix (the default) so the wrapper lowers it`);
  else add('startup-files', 'OK', marks.join('; '));

  // glibc >= 2.33 refuses to load a program whose ISA note is above the CPU (instead of a SIGILL later).
  const libc = run('getconf', ['GNU_LIBC_VERSION']) ?? run('ldd', ['--version']);
  const lv = libc && libc.status === 0 ? parseVersion(libc.stdout) : undefined;
  if (!lv) add('glibc', 'WARN', 'cannot tell the glibc version (getconf GNU_LIBC_VERSION failed)');
  else if (atLeast(lv, [2, 33])) add('glibc', 'OK', `glibc ${vstr(lv)} enforces the ISA note (>= 2.33): a program marked above this CPU is refused at load time, so marks must be right`);
  else add('glibc', 'WARN', `glibc ${vstr(lv)} does not check the ISA note (< 2.33): a program above this CPU dies with SIGILL instead of a clear error`);

  return checks;
}

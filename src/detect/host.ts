// The build host's x86-64 level from /proc/cpuinfo, by the same rules glibc uses for its
// glibc-hwcaps "supported" lines (sysdeps/x86/get-isa-level.h), so that `isa-shim detect` and
// `ld.so --help` never disagree.
import { readFileSync } from 'node:fs';
import type { Level } from '../level.js';

/**
 * Flags each level adds, as /proc/cpuinfo spells them. Alternatives are `|`-separated: the
 * kernel shows SSE3 as `pni` and LZCNT as `abm`. OSXSAVE has no cpuinfo name: the kernel clears
 * `xsave` (and `avx*`) when the OS has not enabled XSAVE, so `xsave` stands for both.
 */
export const LEVEL_FLAGS: Readonly<Record<Level, readonly string[]>> = {
  1: ['cmov', 'cx8', 'fpu', 'fxsr', 'mmx', 'sse', 'sse2'],
  2: ['cx16', 'lahf_lm', 'popcnt', 'pni|sse3', 'sse4_1', 'sse4_2', 'ssse3'],
  3: ['avx', 'avx2', 'bmi1', 'bmi2', 'f16c', 'fma', 'abm|lzcnt', 'movbe', 'xsave'],
  4: ['avx512f', 'avx512bw', 'avx512cd', 'avx512dq', 'avx512vl'],
};

export interface HostLevel {
  /** The highest level whose flags (and every lower level's) are all present. 1 when even baseline is incomplete. */
  readonly level: Level;
  /** Per level: the flags behind it that this CPU has, and those it lacks. */
  readonly levels: ReadonlyArray<{ level: Level; present: string[]; missing: string[] }>;
  /** Where the flags came from. */
  readonly source: string;
}

/**
 * The flags every CPU of the machine has: the intersection of all `flags` lines, so a hybrid or
 * oddly configured machine is judged by its weakest core (a binary may run on any of them).
 */
export function parseCpuinfoFlags(cpuinfo: string): Set<string> {
  let common: Set<string> | undefined;
  for (const line of cpuinfo.split('\n')) {
    const m = /^flags\s*:\s*(.*)$/.exec(line);
    if (!m) continue;
    const flags = new Set((m[1] ?? '').trim().split(/\s+/).filter(Boolean));
    if (common === undefined) common = flags;
    else for (const f of common) if (!flags.has(f)) common.delete(f);
  }
  return common ?? new Set();
}

export function hostLevelFromFlags(flags: ReadonlySet<string>, source = 'cpu flags'): HostLevel {
  const levels: Array<{ level: Level; present: string[]; missing: string[] }> = [];
  let level: Level = 1;
  let stillClimbing = true;
  for (const l of [1, 2, 3, 4] as const) {
    const present: string[] = [];
    const missing: string[] = [];
    for (const alt of LEVEL_FLAGS[l]) {
      const names = alt.split('|');
      const found = names.find((n) => flags.has(n));
      if (found) present.push(found);
      else missing.push(names[0]!);
    }
    levels.push({ level: l, present, missing });
    // Levels are cumulative: v3 needs every v2 flag too, exactly as glibc checks them.
    if (stillClimbing && missing.length === 0) level = l;
    else stillClimbing = false;
  }
  return { level, levels, source };
}

const memo = new Map<string, HostLevel>();

/**
 * This machine's level, reading the cpuinfo file at most once per process (it is only needed
 * for `host` and for kernels built with -march=native, so callers ask lazily).
 */
export function detectHostLevel(cpuinfoPath = '/proc/cpuinfo'): HostLevel {
  const known = memo.get(cpuinfoPath);
  if (known) return known;
  let text = '';
  try {
    text = readFileSync(cpuinfoPath, 'utf8');
  } catch {
    // Not Linux, or no /proc in a chroot: no flags, so baseline, which is always safe.
  }
  const result = hostLevelFromFlags(parseCpuinfoFlags(text), cpuinfoPath);
  memo.set(cpuinfoPath, result);
  return result;
}

/** The highest "x86-64-vN (supported, searched)" level of `ld.so --help` output (glibc >= 2.33); 1 if none. */
export function levelFromLdSoHelp(text: string): Level {
  let level: Level = 1;
  for (const m of text.matchAll(/^\s*x86-64-v([234])\s+\(supported/gm)) {
    const n = Number(m[1]) as Level;
    if (n > level) level = n;
  }
  return level;
}

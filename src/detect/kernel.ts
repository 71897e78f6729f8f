// The level the kernel being built was configured for, read from its .config / auto.conf.
// kbuild runs HOSTCC from the object directory and exports srctree/objtree/KCONFIG_CONFIG, so
// those are the places to look; nothing else is guessed.
import { readWholeFd } from '../read-fd.js';
import { closeSync, constants, fstatSync, openSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { cpuLevel, type Level } from '../level.js';

/**
 * Processor-family choices and the -march each passes to the compiler: mainline x86-64 ones and
 * those of graysky2's "more ISA levels and uarches" patch (kernel_compiler_patch, carried by
 * CachyOS, Xanmod, Liquorix, linux-zen) across its versions (MICELAKE became MICELAKE_CLIENT/_SERVER).
 * The level comes from src/level.ts's CPU table, the one place that knows what each CPU has.
 */
export const KERNEL_MARCH: Readonly<Record<string, string>> = {
  // mainline 64-bit choices (removed in 6.15, where x86-64 is always generic)
  MK8: 'k8', MPSC: 'nocona', MCORE2: 'core2', MATOM: 'bonnell',
  // AMD, from the patch
  MK8SSE3: 'k8-sse3', MK10: 'amdfam10', MBARCELONA: 'barcelona', MBOBCAT: 'btver1', MJAGUAR: 'btver2',
  MBULLDOZER: 'bdver1', MPILEDRIVER: 'bdver2', MSTEAMROLLER: 'bdver3', MEXCAVATOR: 'bdver4',
  MZEN: 'znver1', MZEN2: 'znver2', MZEN3: 'znver3', MZEN4: 'znver4', MZEN5: 'znver5',
  // Intel, from the patch
  MNEHALEM: 'nehalem', MWESTMERE: 'westmere', MSILVERMONT: 'silvermont', MGOLDMONT: 'goldmont',
  MGOLDMONTPLUS: 'goldmont-plus', MSANDYBRIDGE: 'sandybridge', MIVYBRIDGE: 'ivybridge',
  MHASWELL: 'haswell', MBROADWELL: 'broadwell', MSKYLAKE: 'skylake', MSKYLAKEX: 'skylake-avx512',
  MCANNONLAKE: 'cannonlake', MICELAKE: 'icelake-client', MICELAKE_CLIENT: 'icelake-client',
  MICELAKE_SERVER: 'icelake-server', MCASCADELAKE: 'cascadelake', MCOOPERLAKE: 'cooperlake',
  MTIGERLAKE: 'tigerlake', MSAPPHIRERAPIDS: 'sapphirerapids', MROCKETLAKE: 'rocketlake',
  MALDERLAKE: 'alderlake', MRAPTORLAKE: 'raptorlake', MMETEORLAKE: 'meteorlake',
  MEMERALDRAPIDS: 'emeraldrapids', MDIAMONDRAPIDS: 'diamondrapids',
};

/** Choices that mean -march=native: the level is the build host's. */
export const KERNEL_NATIVE = ['MNATIVE_INTEL', 'MNATIVE_AMD', 'MNATIVE', 'X86_NATIVE_CPU'] as const;

export interface KernelLevel {
  /** A level, or 'host' when the kernel is built with -march=native. */
  readonly level: Level | 'host';
  /** The symbol the level came from, e.g. CONFIG_MZEN3, or a short reason (no symbol) for defaults. */
  readonly symbol: string;
  /** The config file read. */
  readonly file: string;
  /** One line for humans: `CONFIG_MZEN3=y (-march=znver3)`. */
  readonly detail: string;
}

export interface KernelDetection {
  /** undefined: no kernel configuration found. */
  readonly result: KernelLevel | undefined;
  /** Every path looked at, in order (the settings cache keys on them). */
  readonly probed: readonly string[];
}

const MAX_KCONFIG_BYTES = 16 * 1024 * 1024;

/** Where the kernel configuration may be, most specific first, without duplicates. */
export function kernelConfigCandidates(env: NodeJS.ProcessEnv, cwd: string): string[] {
  const dirOf = (v: string | undefined): string | undefined => (v ? resolve(cwd, v) : undefined);
  const objtree = dirOf(env['objtree']);
  const srctree = dirOf(env['srctree']);
  const out: string[] = [];
  const kc = env['KCONFIG_CONFIG'];
  // kbuild exports KCONFIG_CONFIG (default ".config") relative to the object tree.
  if (kc) out.push(isAbsolute(kc) ? kc : resolve(objtree ?? cwd, kc));
  for (const dir of [cwd, objtree, srctree]) {
    if (!dir) continue;
    out.push(join(dir, '.config'), join(dir, 'include/config/auto.conf'));
  }
  return [...new Set(out)];
}

/**
 * Reads a config file without ever blocking: stat first, skip anything that is not a regular
 * file (a `.config/` directory is common, a FIFO would hang), open non-blocking, re-check.
 */
function readRegular(path: string): string | undefined {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st || !st.isFile() || st.size > MAX_KCONFIG_BYTES) return undefined;
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const fst = fstatSync(fd);
    if (!fst.isFile() || fst.size > MAX_KCONFIG_BYTES) return undefined;
    return readWholeFd(fd, fst.size).toString('latin1');
  } catch {
    return undefined; // unreadable: as if absent; `isa-shim detect` shows which files were probed
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The CONFIG_ assignments of a .config/auto.conf (`# CONFIG_X is not set` lines are absent values). */
export function parseKconfig(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const m of text.matchAll(/^CONFIG_([A-Za-z0-9_]+)=(.*)$/gm)) {
    values.set(m[1]!, m[2]!.trim().replace(/^"(.*)"$/, '$1'));
  }
  return values;
}

const OTHER_ARCHES = ['X86_32', 'ARM64', 'ARM', 'RISCV', 'PPC', 'S390', 'MIPS', 'LOONGARCH', 'SPARC', 'PARISC', 'M68K', 'UML'];

/** The level a parsed kernel configuration selects; undefined when it is not a kernel config. */
export function levelFromKconfig(values: ReadonlyMap<string, string>, file: string): KernelLevel | undefined {
  if (values.size === 0) return undefined;
  const on = (sym: string): boolean => values.get(sym) === 'y';
  const mk = (level: Level | 'host', symbol: string, detail: string): KernelLevel => ({ level, symbol, file, detail });

  // Host tools of a kernel for another architecture (or a 32-bit x86 kernel) run on the build
  // host: nothing in this config constrains them beyond baseline.
  if (!on('X86_64')) {
    const other = OTHER_ARCHES.find(on);
    if (other) return mk(1, `CONFIG_${other}`, `CONFIG_${other}=y: not an x86-64 kernel, host tools stay at baseline`);
  }
  for (const sym of KERNEL_NATIVE) {
    if (on(sym)) return mk('host', `CONFIG_${sym}`, `CONFIG_${sym}=y (-march=native: the build host's level)`);
  }
  for (const [sym, march] of Object.entries(KERNEL_MARCH)) {
    if (!on(sym)) continue;
    const level = cpuLevel(march) ?? 1;
    return mk(level, `CONFIG_${sym}`, `CONFIG_${sym}=y (-march=${march})`);
  }
  for (const n of [4, 3, 2] as const) {
    if (on(`GENERIC_CPU${n}`)) return mk(n, `CONFIG_GENERIC_CPU${n}`, `CONFIG_GENERIC_CPU${n}=y (-march=x86-64-v${n})`);
  }
  const version = values.get('X86_64_VERSION');
  if (version !== undefined) {
    const n = Number(version);
    if (n === 1 || n === 2 || n === 3 || n === 4) {
      return mk(n, 'CONFIG_X86_64_VERSION', `CONFIG_X86_64_VERSION=${version} (-march=${n === 1 ? 'x86-64' : `x86-64-v${n}`})`);
    }
  }
  if (on('GENERIC_CPU')) return mk(1, 'CONFIG_GENERIC_CPU', 'CONFIG_GENERIC_CPU=y (-march=x86-64)');
  // Mainline x86-64 without a processor choice (defconfig, and every kernel >= 6.15): baseline.
  return mk(1, on('X86_64') ? 'CONFIG_X86_64' : 'no processor choice', 'no processor-family choice: x86-64 baseline (as defconfig)');
}

/** Finds and reads the build's kernel configuration. */
export function detectKernelLevel(
  env: NodeJS.ProcessEnv,
  cwd: string,
  /** Called before each candidate is looked at (the settings cache records its stat then). */
  onProbe?: (path: string) => void,
): KernelDetection {
  const probed: string[] = [];
  for (const path of kernelConfigCandidates(env, cwd)) {
    probed.push(path);
    onProbe?.(path);
    const text = readRegular(path);
    if (text === undefined) continue;
    const result = levelFromKconfig(parseKconfig(text), path);
    if (result) return { result, probed };
  }
  return { result: undefined, probed };
}

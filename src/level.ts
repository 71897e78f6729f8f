// The x86-64 micro-architecture levels and every table that maps a spelling, a CPU name or a
// feature flag to the level it needs. One table per fact, nothing else in the project repeats them.

/** 1 = x86-64 baseline, 2..4 = x86-64-v2..v4. */
export type Level = 1 | 2 | 3 | 4;
export const LEVELS: readonly Level[] = [1, 2, 3, 4];

/** The name gcc and clang accept for -march and LLVM for mcpu. */
export function levelName(level: Level): string {
  return level === 1 ? 'x86-64' : `x86-64-v${level}`;
}

/** The name readelf prints and `ld -z` uses (`x86-64-baseline` for level 1). */
export function levelNoteName(level: Level): string {
  return level === 1 ? 'x86-64-baseline' : `x86-64-v${level}`;
}

/**
 * name -> value of a [value, names] table, built on first use with plain loops: every wrapped call
 * starts cold in an interpreter, where building these maps eagerly with flatMap cost ~0.5 ms.
 */
function byName<V>(table: ReadonlyArray<readonly [V, readonly string[]]>): Map<string, V> {
  const map = new Map<string, V>();
  for (let i = 0; i < table.length; i++) {
    const [value, names] = table[i]!;
    for (let j = 0; j < names.length; j++) map.set(names[j]!, value);
  }
  return map;
}

const SPELLING_TABLE: ReadonlyArray<readonly [Level, readonly string[]]> = [
  [1, ['x86-64', 'x86_64', 'baseline', 'x86-64-baseline', 'v1', '1', 'x86-64-v1']],
  [2, ['x86-64-v2', 'x86_64_v2', 'v2', '2']],
  [3, ['x86-64-v3', 'x86_64_v3', 'v3', '3']],
  [4, ['x86-64-v4', 'x86_64_v4', 'v4', '4']],
];
let spellings: Map<string, Level> | undefined;

/** Parses every common spelling of a level; undefined when it is not one. */
export function parseLevel(text: string): Level | undefined {
  spellings ??= byName(SPELLING_TABLE);
  return spellings.get(text.trim().toLowerCase());
}

export const LEVEL_SPELLINGS_HELP = 'x86-64|baseline|v1|1, x86-64-v2|v2|2, x86-64-v3|v3|3, x86-64-v4|v4|4';

// GNU_PROPERTY_X86_ISA_1_* bits of X86_ISA_1_NEEDED / X86_ISA_1_USED (binutils >= 2.36).
export const ISA_1_BASELINE = 0x1;
export const ISA_1_V2 = 0x2;
export const ISA_1_V3 = 0x4;
export const ISA_1_V4 = 0x8;

export function isaBit(level: Level): number {
  return 1 << (level - 1);
}

/** The highest level named by a set of ISA_1 bits; 0 when no level bit is set. */
export function levelFromIsaBits(bits: number): Level | 0 {
  if (bits & ISA_1_V4) return 4;
  if (bits & ISA_1_V3) return 3;
  if (bits & ISA_1_V2) return 2;
  if (bits & ISA_1_BASELINE) return 1;
  return 0;
}

/**
 * ISA_1 bits lowered to `level`: bits above it are cleared and the level's own bit set, which is what
 * GNU ld writes for `-z x86-64-vN`. glibc accepts a binary when every needed bit is supported.
 */
export function lowerIsaBits(bits: number, level: Level): number {
  const mask = (1 << level) - 1;
  const unknownHigh = bits & ~0xf; // bits glibc does not know yet: keep them, they are not ours to judge
  return (bits & mask) | isaBit(level) | unknownHigh;
}

// -march / -mtune CPU names (gcc 12-14 and clang 14-19) and the level each one implies. A CPU is at
// level N when it has every feature of N: sandybridge has AVX but not AVX2, so it is v2; knl has
// AVX-512F but not BW/DQ/VL, so it is v3.
const CPU_TABLE: ReadonlyArray<readonly [Level, readonly string[]]> = [
  [1, [
    'x86-64', 'x86-64-v1', 'i386', 'i486', 'i586', 'i686', 'pentium', 'pentium-mmx', 'pentiumpro', 'pentium2',
    'pentium3', 'pentium3m', 'pentium-m', 'pentium4', 'pentium4m', 'prescott', 'nocona', 'core2', 'bonnell',
    'atom', 'k6', 'k6-2', 'k6-3', 'athlon', 'athlon-tbird', 'athlon-4', 'athlon-xp', 'athlon-mp', 'k8', 'opteron',
    'athlon64', 'athlon-fx', 'k8-sse3', 'opteron-sse3', 'athlon64-sse3', 'amdfam10', 'barcelona', 'btver1',
    'geode', 'c3', 'c3-2', 'c7', 'winchip-c6', 'winchip2', 'lakemont', 'yonah', 'penryn', 'lujiazui',
  ]],
  [2, [
    'x86-64-v2', 'nehalem', 'corei7', 'westmere', 'sandybridge', 'corei7-avx', 'ivybridge', 'core-avx-i',
    'silvermont', 'slm', 'goldmont', 'goldmont-plus', 'tremont', 'btver2', 'bdver1', 'bdver2', 'bdver3',
    'nano-3000', 'nano-x2', 'nano-x4', 'eden-x4', 'eden-x2', 'nano', 'nano-1000', 'nano-2000',
  ]],
  [3, [
    'x86-64-v3', 'haswell', 'core-avx2', 'broadwell', 'skylake', 'alderlake', 'raptorlake', 'meteorlake',
    'gracemont', 'sierraforest', 'grandridge', 'arrowlake', 'arrowlake-s', 'lunarlake', 'pantherlake',
    'clearwaterforest', 'gracemont', 'bdver4', 'znver1', 'znver2', 'znver3', 'knl', 'knm', 'yongfeng',
    'shijidadao',
  ]],
  [4, [
    'x86-64-v4', 'skylake-avx512', 'cascadelake', 'cooperlake', 'cannonlake', 'icelake-client', 'icelake-server',
    'tigerlake', 'sapphirerapids', 'rocketlake', 'graniterapids', 'graniterapids-d', 'emeraldrapids',
    'diamondrapids', 'znver4', 'znver5',
  ]],
];

let cpuLevels: Map<string, Level> | undefined;

/** Level a -march CPU name needs; undefined for names we do not know (and for `native`). */
export function cpuLevel(cpu: string): Level | undefined {
  cpuLevels ??= byName(CPU_TABLE);
  return cpuLevels.get(cpu.toLowerCase());
}

/** True for the generic `x86-64[-vN]` names, which carry no tuning worth keeping as -mtune. */
export function isGenericCpu(cpu: string): boolean {
  return /^x86-64(-v[1-4])?$/.test(cpu.toLowerCase());
}

// Single-feature -m flags and the level whose feature set contains them. Flags for features in no
// level (AVX-512 extensions beyond F/BW/CD/DQ/VL) count as 5: above every level, always removed.
export type FeatureRank = Level | 5;
const FEATURE_TABLE: ReadonlyArray<readonly [FeatureRank, readonly string[]]> = [
  [2, ['sse3', 'ssse3', 'sse4', 'sse4.1', 'sse4.2', 'sse4_1', 'sse4_2', 'popcnt', 'cx16', 'sahf']],
  [3, ['avx', 'avx2', 'fma', 'f16c', 'bmi', 'bmi2', 'lzcnt', 'abm', 'movbe', 'xsave']],
  [4, ['avx512f', 'avx512bw', 'avx512cd', 'avx512dq', 'avx512vl', 'evex512']],
];
let featureLevels: Map<string, FeatureRank> | undefined;

/**
 * Rank of a `-m<feature>` flag (given without the leading `-m`); undefined when it is not an
 * ISA-raising feature flag (including every `-mno-*`).
 */
export function featureRank(feature: string): FeatureRank | undefined {
  if (feature.startsWith('no-')) return undefined;
  featureLevels ??= byName(FEATURE_TABLE);
  const known = featureLevels.get(feature);
  if (known !== undefined) return known;
  if (feature.startsWith('avx512') || feature.startsWith('avx10')) return 5;
  return undefined;
}

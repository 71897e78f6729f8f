// CPUID features (as iced-x86 names them) and the x86-64 level whose feature set contains each.
// Rank 5 means "in no level": the instruction needs its own CPU check whatever the level is.

import { CpuidFeature } from 'iced-x86';
import type { FeatureRank } from '../level.js';

/** Rank of a feature that no x86-64 level includes (AES, SHA, AVX-512 extensions, ...). */
export const BEYOND_LEVELS: FeatureRank = 5;

/**
 * Synthetic feature for LAHF/SAHF in 64-bit mode: iced reports them as 8086 instructions, but long
 * mode only has them with CPUID 80000001H:ECX.LAHF-SAHF, which x86-64-v2 requires.
 */
export const LAHF_SAHF_64 = 10_000;

// Baseline: the x86-64 psABI baseline (CMOV, CX8, FPU, FXSR, MMX, SSE, SSE2, SYSCALL) plus what every
// x86-64 CPU has (CPUID, TSC, CLFLUSH, MSR) and the hint-NOP space: instructions whose encodings
// older CPUs execute as NOPs, so they can never raise SIGILL (ENDBR, PAUSE, multi-byte NOP, MPX's BND*,
// PREFETCHW in 0F 0D).
const BASELINE: readonly string[] = [
  'INTEL8086', 'INTEL186', 'INTEL286', 'INTEL386', 'INTEL486', 'X64', 'FPU', 'FPU287', 'FPU387', 'CMOV',
  'CX8', 'FXSR', 'MMX', 'SSE', 'SSE2', 'SYSCALL', 'SEP', 'TSC', 'CPUID', 'MSR', 'CLFSH', 'PAUSE',
  'MULTIBYTENOP', 'CET_IBT', 'MPX', 'PREFETCHW',
];

const LEVEL_FEATURES: ReadonlyArray<readonly [FeatureRank, readonly string[]]> = [
  [1, BASELINE],
  [2, ['SSE3', 'SSSE3', 'SSE4_1', 'SSE4_2', 'POPCNT', 'CMPXCHG16B']],
  [3, ['AVX', 'AVX2', 'BMI1', 'BMI2', 'F16C', 'FMA', 'LZCNT', 'MOVBE', 'XSAVE']],
  [4, ['AVX512F', 'AVX512BW', 'AVX512CD', 'AVX512DQ', 'AVX512VL']],
];

const RANK_BY_NAME: ReadonlyMap<string, FeatureRank> = new Map(
  LEVEL_FEATURES.flatMap(([rank, names]) => names.map((n) => [n, rank] as const)),
);

/** Level rank of one iced CpuidFeature value; features in no level rank 5. */
export function featureRankOf(feature: number): FeatureRank {
  if (feature === LAHF_SAHF_64) return 2;
  const name = (CpuidFeature as unknown as Record<number, string | undefined>)[feature];
  if (name === undefined) return BEYOND_LEVELS;
  return RANK_BY_NAME.get(name) ?? BEYOND_LEVELS;
}

// iced's enum names use `_` where the usual spelling has a dot or dash.
const DISPLAY: ReadonlyMap<string, string> = new Map([
  ['SSE4_1', 'SSE4.1'], ['SSE4_2', 'SSE4.2'], ['AVX512F', 'AVX512F'], ['CET_SS', 'CET-SS'],
  ['CET_IBT', 'CET-IBT'], ['HLE_or_RTM', 'HLE/RTM'], ['SKINIT_or_SVM', 'SKINIT/SVM'],
]);

/** Human name of a feature, as users know it from /proc/cpuinfo and compiler flags (upper case). */
export function featureName(feature: number): string {
  if (feature === LAHF_SAHF_64) return 'LAHF-SAHF';
  const name = (CpuidFeature as unknown as Record<number, string | undefined>)[feature];
  if (name === undefined) return `CPUID#${feature}`;
  return DISPLAY.get(name) ?? name.replace(/^AVX512_/, 'AVX512-');
}

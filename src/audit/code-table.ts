// One lookup per decoded instruction: a Uint8Array indexed by iced's Code, built once per bitness.
// Asking iced for an instruction's CPUID features allocates an Int32Array and crosses into WASM, which
// would cost more than the decode itself; the features depend only on the Code, so we ask once per Code.

import { Code, CpuidFeature, Instruction } from 'iced-x86';
import type { FeatureRank } from '../level.js';
import { featureRankOf, LAHF_SAHF_64 } from './features.js';

/** Low three bits of an entry: the rank (1..5); 0 only for Code.INVALID. */
export const RANK_MASK = 0x7;
/**
 * Set for instructions that programs only execute after a runtime check by convention, so their presence
 * proves nothing about the code's level: XGETBV (only valid once CPUID says OSXSAVE, which every caller
 * tests first, it *is* the AVX detection) and the CET shadow-stack instructions (only executed when the
 * kernel enabled shadow stacks, which it does only on CPUs that have them) and RDPKRU/WRPKRU (only
 * meaningful once pkey_alloc succeeded, which needs a CPU with PKU).
 */
export const SELF_GUARDED = 0x8;

export interface CodeTable {
  /** rank | SELF_GUARDED flag, indexed by Code. */
  readonly entry: Uint8Array;
  /** The features above baseline of each Code (empty for baseline codes), indexed by Code. */
  readonly features: ReadonlyArray<readonly number[]>;
}

const tables = new Map<number, CodeTable>();

/** The table for 16/32/64-bit code; cached, so the cost (a few ms) is paid once per process. */
export function codeTable(bitness: number): CodeTable {
  let t = tables.get(bitness);
  if (t === undefined) {
    t = buildTable(bitness);
    tables.set(bitness, t);
  }
  return t;
}

function codeCount(): number {
  let max = 0;
  for (const v of Object.values(Code)) if (typeof v === 'number' && v > max) max = v;
  return max + 1;
}

// TZCNT (F3 0F BC) is also what gcc emits as `rep bsf` for __builtin_ctz at the baseline: CPUs without BMI1
// ignore the F3 prefix and run BSF, which agrees for every non-zero input. Its bytes cannot tell -mbmi code
// from baseline code, and it never faults, so it ranks as baseline. (LZCNT stays v3: run as BSR it gives a
// different answer, and no baseline compiler output contains it.)
const TZCNT_CODES = ['Tzcnt_r16_rm16', 'Tzcnt_r32_rm32', 'Tzcnt_r64_rm64'];
const LAHF_SAHF_CODES = ['Lahf', 'Sahf'];
const SELF_GUARDED_CODES = ['Xgetbv'];
const SELF_GUARDED_FEATURES = new Set<number>([CpuidFeature.CET_SS, CpuidFeature.PKU]);

function buildTable(bitness: number): CodeTable {
  const n = codeCount();
  const entry = new Uint8Array(n);
  const features: (readonly number[])[] = new Array(n);
  const codes = Code as unknown as Record<string, number>;
  const tzcnt = new Set(TZCNT_CODES.map((c) => codes[c]));
  const lahf = new Set(LAHF_SAHF_CODES.map((c) => codes[c]));
  const selfGuarded = new Set(SELF_GUARDED_CODES.map((c) => codes[c]));
  const instr = new Instruction();
  try {
    for (let code = 0; code < n; code++) {
      let rank: FeatureRank = 1;
      let above: number[] = [];
      let flag = 0;
      if (code !== Code.INVALID && !tzcnt.has(code)) {
        instr.code = code;
        for (const f of instr.cpuidFeatures()) {
          const r = featureRankOf(f);
          if (r > 1) above.push(f);
          if (r > rank) rank = r;
          if (SELF_GUARDED_FEATURES.has(f)) flag = SELF_GUARDED;
        }
      }
      if (bitness === 64 && lahf.has(code)) {
        rank = 2;
        above = [LAHF_SAHF_64];
      }
      if (selfGuarded.has(code)) flag = SELF_GUARDED;
      entry[code] = rank | flag;
      features[code] = above;
    }
  } finally {
    instr.free();
  }
  // 0 marks INVALID (end of input or undecodable bytes) so the hot loop tests one value for both.
  entry[Code.INVALID] = 0;
  return { entry, features };
}

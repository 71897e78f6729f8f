// One lookup per decoded instruction: a Uint8Array indexed by iced's Code, one table per bitness, filled lazily.
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

/** Entry of a Code not looked up yet: filled on first sight, so only the codes a binary uses cost a call. */
export const UNKNOWN = 0xff;

export interface CodeTable {
  /** rank | SELF_GUARDED flag, indexed by Code; UNKNOWN until `resolve` has seen the code. */
  readonly entry: Uint8Array;
  /** The features above baseline of each resolved Code (empty for baseline codes), indexed by Code. */
  readonly features: ReadonlyArray<readonly number[] | undefined>;
  /** Fills and returns `entry[code]`. */
  resolve(code: number): number;
}

const tables = new Map<number, CodeTable>();

/**
 * The table for 16/32/64-bit code, cached per process. Entries are filled lazily: asking iced about all
 * ~4900 codes up front costs 40-130 ms, which would dominate the audit of a small host tool.
 */
export function codeTable(bitness: number): CodeTable {
  let t = tables.get(bitness);
  if (t === undefined) {
    t = new LazyTable(bitness);
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
const codes = Code as unknown as Record<string, number>;
const TZCNT = new Set(TZCNT_CODES.map((c) => codes[c]));
const LAHF_SAHF = new Set(LAHF_SAHF_CODES.map((c) => codes[c]));
const SELF_GUARDED_SET = new Set(SELF_GUARDED_CODES.map((c) => codes[c]));

class LazyTable implements CodeTable {
  readonly entry: Uint8Array;
  readonly features: (readonly number[] | undefined)[];
  private instr: Instruction | undefined;

  constructor(private readonly bitness: number) {
    const n = codeCount();
    this.entry = new Uint8Array(n).fill(UNKNOWN);
    this.features = new Array<readonly number[] | undefined>(n);
    // 0 marks INVALID (end of input or undecodable bytes) so the hot loop tests one value for both.
    this.entry[Code.INVALID] = 0;
    this.features[Code.INVALID] = [];
  }

  resolve(code: number): number {
    if (code < 0 || code >= this.entry.length) throw new RangeError(`iced Code ${code} out of range`);
    const known = this.entry[code]!;
    if (known !== UNKNOWN) return known;
    let rank: FeatureRank = 1;
    let above: number[] = [];
    let flag = 0;
    if (!TZCNT.has(code)) {
      // One Instruction kept for the process: the features depend only on the code we set.
      this.instr ??= new Instruction();
      this.instr.code = code;
      for (const f of this.instr.cpuidFeatures()) {
        const r = featureRankOf(f);
        if (r > 1) above.push(f);
        if (r > rank) rank = r;
        if (SELF_GUARDED_FEATURES.has(f)) flag = SELF_GUARDED;
      }
    }
    if (this.bitness === 64 && LAHF_SAHF.has(code)) {
      rank = 2;
      above = [LAHF_SAHF_64];
    }
    if (SELF_GUARDED_SET.has(code)) flag = SELF_GUARDED;
    this.entry[code] = rank | flag;
    this.features[code] = above;
    return rank | flag;
  }
}

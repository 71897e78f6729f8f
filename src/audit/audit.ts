// The code audit: decode every executable section and report, per function, the instructions that need
// more than the configured x86-64 level. Pure: bytes and symbols in, a plain result out.
//
// Speed: one reused Instruction (decodeOut), two WASM calls per instruction on the hot path (decode, code)
// and one typed-array lookup; everything else (addresses, names, features) only for the rare instructions
// above the baseline.

import { Decoder, DecoderOptions, Instruction, Mnemonic } from 'iced-x86';
import type { CodeImage, CodeSection } from '../elf/types.js';
import type { FeatureRank, Level } from '../level.js';
import { codeTable, RANK_MASK, SELF_GUARDED, UNKNOWN } from './code-table.js';
import { featureName, featureRankOf } from './features.js';
import { compileAllow, guardOf, ifuncBase, type Guard, type GuardContext } from './guards.js';
import { findRange, gapAround, sectionRanges, type FnRange } from './ranges.js';

export type { Guard, GuardReason } from './guards.js';

export interface AuditOptions {
  /** Function-name globs (`*`, `?`) whose code is known to run only after a CPU check. */
  readonly allow?: readonly string[];
  /** Keep at most this many violations and as many guarded findings (default 1000); the rest are counted. */
  readonly maxFindings?: number;
}

/** One function (or one stretch of code outside every symbol) with instructions above the level. */
export interface FunctionFinding {
  /** Symbol name, or `<section>+0x<offset>` for code outside every function symbol. */
  readonly name: string;
  /** Other symbol names at the same address. */
  readonly aliases: readonly string[];
  readonly section: string;
  /** Highest rank its above-level instructions need (5: a feature no level includes). */
  readonly level: FeatureRank;
  /** Features above the configured level, highest rank first (`AVX2`, `FMA`, `AES`, ...). */
  readonly features: readonly string[];
  /** Number of instructions above the configured level. */
  readonly count: number;
  /** Address of the first of them. */
  readonly firstAddress: bigint;
  /** Mnemonic of the first of them (`vfmadd231ps`). */
  readonly example: string;
  /** Why it is excused; only on guarded findings. */
  readonly guard?: Guard;
}

export interface AuditResult {
  readonly level: Level;
  /** Decoded instructions (valid ones) and the bytes of all code sections. */
  readonly instructions: number;
  readonly bytes: number;
  /** Byte sequences iced could not decode (data or padding in code sections), skipped. */
  readonly invalid: number;
  /** Highest rank of any instruction outside guarded code: what the binary needs unconditionally. */
  readonly maxLevel: FeatureRank;
  /** Highest rank of guarded code (1 when there is none). */
  readonly guardedMaxLevel: FeatureRank;
  readonly violations: readonly FunctionFinding[];
  readonly guarded: readonly FunctionFinding[];
  /** Findings left out by maxFindings. */
  readonly omitted: { readonly violations: number; readonly guarded: number };
  readonly verdict: 'pass' | 'fail';
}

interface Region {
  readonly start: number;
  readonly end: number;
  readonly name: string;
  readonly aliases: readonly string[];
  readonly guard: Guard | undefined;
  violation?: Acc;
  guardedAcc?: Acc;
}

interface Acc {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly section: string;
  readonly sectionIndex: number;
  level: FeatureRank;
  readonly features: Set<number>;
  count: number;
  readonly firstAddress: bigint;
  readonly example: string;
  readonly guard: Guard | undefined;
}

const DEFAULT_MAX_FINDINGS = 1000;

/** Audits the code of an image against `level`. Linear in the number of code bytes. */
export function auditCode(image: CodeImage, level: Level, opts: AuditOptions = {}): AuditResult {
  const table = codeTable(image.bitness);
  const entry = table.entry;
  const ctx: GuardContext = {
    ifuncs: new Set(image.functions.filter((f) => f.ifunc).map((f) => ifuncBase(f.name))),
    allow: compileAllow(opts.allow),
  };
  let instructions = 0;
  let invalid = 0;
  let bytes = 0;
  let maxLevel: FeatureRank = 1;
  let guardedMax: FeatureRank = 1;
  const accs: Acc[] = [];
  const instr = new Instruction();
  try {
    image.sections.forEach((section, sectionIndex) => {
      const len = section.bytes.length;
      bytes += len;
      if (len === 0) return;
      const regions = new RegionFinder(section, image, ctx);
      const decoder = new Decoder(image.bitness, section.bytes, DecoderOptions.None);
      let n = 0;
      let cur: Region | undefined;
      try {
        for (;;) {
          decoder.decodeOut(instr);
          const code = instr.code;
          let e = entry[code]!;
          if (e === 1) {
            n++;
            continue;
          }
          if (e === 0) {
            // Code.INVALID: the end of the bytes, or bytes that are no instruction; the decoder has
            // moved past them either way, so this loop always advances.
            if (!decoder.canDecode) break;
            invalid++;
            continue;
          }
          if (e === UNKNOWN) {
            e = table.resolve(code);
            if (e === 1) {
              n++;
              continue;
            }
          }
          n++;
          const rank = (e & RANK_MASK) as FeatureRank;
          const selfGuarded = (e & SELF_GUARDED) !== 0;
          // Nothing to learn from an instruction within the level that raises neither maximum.
          if (rank <= level && rank <= maxLevel && rank <= guardedMax) continue;
          const off = decoder.position - instr.length;
          if (cur === undefined || off < cur.start || off >= cur.end) cur = regions.at(off);
          const guard = cur.guard ?? (selfGuarded ? runtimeCheck(instr) : undefined);
          if (guard !== undefined) {
            if (rank > guardedMax) guardedMax = rank;
          } else if (rank > maxLevel) {
            maxLevel = rank;
          }
          if (rank <= level) continue;
          let acc = guard !== undefined ? cur.guardedAcc : cur.violation;
          if (acc === undefined) {
            acc = {
              name: cur.name,
              aliases: cur.aliases,
              section: section.name,
              sectionIndex,
              level: rank,
              features: new Set(),
              count: 0,
              firstAddress: section.addr + BigInt(off),
              example: mnemonicOf(instr),
              guard,
            };
            accs.push(acc);
            if (guard !== undefined) cur.guardedAcc = acc;
            else cur.violation = acc;
          }
          acc.count++;
          if (rank > acc.level) acc.level = rank;
          for (const f of table.features[code]!) if (featureRankOf(f) > level) acc.features.add(f);
        }
      } finally {
        decoder.free();
      }
      instructions += n;
    });
  } finally {
    instr.free();
  }
  const max = opts.maxFindings ?? DEFAULT_MAX_FINDINGS;
  const violations = accs.filter((a) => a.guard === undefined).sort(byPlace);
  const guarded = accs.filter((a) => a.guard !== undefined).sort(byPlace);
  return {
    level,
    instructions,
    bytes,
    invalid,
    maxLevel,
    guardedMaxLevel: guardedMax,
    violations: violations.slice(0, max).map(toFinding),
    guarded: guarded.slice(0, max).map(toFinding),
    omitted: { violations: Math.max(0, violations.length - max), guarded: Math.max(0, guarded.length - max) },
    verdict: violations.length > 0 ? 'fail' : 'pass',
  };
}

/** Maps section offsets to functions (or gaps between them), each built once and then cached. */
class RegionFinder {
  private readonly ranges: FnRange[];
  private readonly byRange = new Map<number, Region>();
  private readonly byGap = new Map<number, Region>();

  constructor(
    private readonly section: CodeSection,
    image: CodeImage,
    private readonly ctx: GuardContext,
  ) {
    this.ranges = sectionRanges(section, image.functions);
  }

  at(off: number): Region {
    const i = findRange(this.ranges, off);
    if (i >= 0) {
      let region = this.byRange.get(i);
      if (region === undefined) {
        const r = this.ranges[i]!;
        region = {
          start: r.start,
          end: r.end,
          name: r.names[0]!,
          aliases: r.names.slice(1),
          guard: guardOf(r.names, this.ctx),
        };
        this.byRange.set(i, region);
      }
      return region;
    }
    const [start, end] = gapAround(this.ranges, off, this.section.bytes.length);
    let region = this.byGap.get(start);
    if (region === undefined) {
      region = { start, end, name: `${this.section.name}+0x${start.toString(16)}`, aliases: [], guard: undefined };
      this.byGap.set(start, region);
    }
    return region;
  }
}

function runtimeCheck(instr: Instruction): Guard {
  return { reason: 'runtime-check', detail: mnemonicOf(instr) };
}

function mnemonicOf(instr: Instruction): string {
  const name = (Mnemonic as unknown as Record<number, string | undefined>)[instr.mnemonic];
  return name === undefined ? '?' : name.toLowerCase();
}

function byPlace(a: Acc, b: Acc): number {
  if (a.sectionIndex !== b.sectionIndex) return a.sectionIndex - b.sectionIndex;
  return a.firstAddress < b.firstAddress ? -1 : a.firstAddress > b.firstAddress ? 1 : 0;
}

function toFinding(a: Acc): FunctionFinding {
  const features = [...a.features]
    .sort((x, y) => featureRankOf(y) - featureRankOf(x) || featureName(x).localeCompare(featureName(y)))
    .map(featureName);
  const base = {
    name: a.name,
    aliases: a.aliases,
    section: a.section,
    level: a.level,
    features,
    count: a.count,
    firstAddress: a.firstAddress,
    example: a.example,
  };
  return a.guard === undefined ? base : { ...base, guard: a.guard };
}

// Function ranges of one code section, as section-relative offsets (plain numbers: kernel-style addresses
// above 2^53 stay exact because only the small offsets are converted). Sorted by start, aliases merged.

import type { CodeSection, FunctionSymbol } from '../elf/types.js';

export interface FnRange {
  /** Offsets into the section; end is exclusive. */
  readonly start: number;
  end: number;
  /** Every symbol name at this start, the first being the one we print. */
  readonly names: string[];
}

/** The section's functions; zero-sized symbols (hand-written asm without .size) run to the next one. */
export function sectionRanges(section: CodeSection, functions: readonly FunctionSymbol[]): FnRange[] {
  const base = section.addr;
  const len = BigInt(section.bytes.length);
  const byStart = new Map<number, FnRange>();
  for (const fn of functions) {
    // IFUNC symbols point at their resolver, which is ordinary baseline code: attribute it normally.
    const rel = fn.addr - base;
    if (rel < 0n || rel >= len) continue;
    const start = Number(rel);
    const relEnd = rel + fn.size > len ? len : rel + fn.size;
    const end = Number(relEnd);
    const seen = byStart.get(start);
    if (seen === undefined) {
      byStart.set(start, { start, end, names: [fn.name] });
    } else {
      if (!seen.names.includes(fn.name)) seen.names.push(fn.name);
      if (end > seen.end) seen.end = end;
    }
  }
  const ranges = [...byStart.values()].sort((a, b) => a.start - b.start);
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    if (r.end <= r.start) r.end = i + 1 < ranges.length ? ranges[i + 1]!.start : section.bytes.length;
    r.names.sort(preferredFirst);
  }
  return ranges;
}

// Print the public-looking name: fewer leading underscores first, then shorter, then alphabetical.
function preferredFirst(a: string, b: string): number {
  const ua = /^_*/.exec(a)![0].length;
  const ub = /^_*/.exec(b)![0].length;
  if (ua !== ub) return ua - ub;
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Index of the last range (sorted by start) whose start is <= `off`, else -1: a binary search. */
function lastStartingAtOrBefore(ranges: readonly FnRange[], off: number): number {
  let lo = 0;
  let hi = ranges.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (ranges[mid]!.start <= off) {
      best = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return best;
}

/**
 * Index of the range containing `off`, else -1. Nested symbols (a local label-function inside another)
 * are handled by looking back a few ranges when the nearest start does not contain the offset.
 */
export function findRange(ranges: readonly FnRange[], off: number): number {
  const best = lastStartingAtOrBefore(ranges, off);
  for (let i = best, tries = 0; i >= 0 && tries < 8; i--, tries++) {
    if (off < ranges[i]!.end) return i;
  }
  return -1;
}

/** The gap (code outside every symbol) around `off`: [start, end) between the neighbouring ranges. */
export function gapAround(ranges: readonly FnRange[], off: number, sectionLength: number): [number, number] {
  const best = lastStartingAtOrBefore(ranges, off);
  let start = 0;
  for (let i = best, tries = 0; i >= 0 && tries < 8; i--, tries++) {
    const e = ranges[i]!.end;
    if (e <= off && e > start) start = e;
  }
  const end = best + 1 < ranges.length ? ranges[best + 1]!.start : sectionLength;
  return [start, end];
}

// Planning and applying the one repair we allow: lowering the X86_ISA_1_NEEDED bits. Only those four
// bytes change; FEATURE_1_AND (IBT/SHSTK), ISA_1_USED and every other byte stay as they are. A linked
// file usually holds the note once, reached both by PT_GNU_PROPERTY/PT_NOTE and by the
// .note.gnu.property section at the same offset: that datum is patched once. Should the section be a
// separate copy (a different offset), both are patched, so readelf and the loader agree.
import { type Level, levelFromIsaBits, lowerIsaBits } from '../level.js';
import { isX86Machine } from './constants.js';
import { ElfFormatError } from './errors.js';
import { Fields } from './fields.js';
import { type ElfHeader, readElfHeader, readProgramHeaders } from './header.js';
import { findLoaderNote, findSectionNote, usesLoaderView } from './locate.js';
import { decodeProperties } from './properties.js';
import { type ByteSource, memorySource, readRange } from './source.js';

export interface IsaPatch {
  /** File offset of the 4-byte X86_ISA_1_NEEDED datum. */
  readonly offset: number;
  readonly oldBits: number;
  readonly newBits: number;
}

export interface IsaPatchPlan {
  readonly littleEndian: boolean;
  /** Level the loader would enforce before the patch (0: no ISA_1_NEEDED property). */
  readonly oldLevel: Level | 0;
  /** Patches to apply; empty when the file is already within the level or has no ISA_1_NEEDED. */
  readonly patches: readonly IsaPatch[];
}

function isaNeededAt(src: ByteSource, hdr: ElfHeader, which: 'loader' | 'section'): { offset: number; bits: number } | undefined {
  const note = which === 'loader' ? findLoaderNote(src, hdr, readProgramHeaders(src, hdr)) : findSectionNote(src, hdr);
  if (!note) return undefined;
  const d = decodeProperties(note.properties, hdr.machine, hdr.littleEndian, hdr.is64);
  return d.isaNeeded !== undefined && d.isaNeededOffset !== undefined
    ? { offset: d.isaNeededOffset, bits: d.isaNeeded }
    : undefined;
}

/** Which bytes to change to bring X86_ISA_1_NEEDED down to `level`. Pure; reads header, phdrs, notes, shdrs. */
export function planIsaPatch(src: ByteSource, level: Level): IsaPatchPlan {
  const hdr = readElfHeader(src);
  if (!isX86Machine(hdr.machine)) throw new ElfFormatError(`not an x86 ELF file (e_machine ${hdr.machine})`);
  const found = [
    ...(usesLoaderView(hdr) ? [isaNeededAt(src, hdr, 'loader')] : []),
    isaNeededAt(src, hdr, 'section'),
  ].filter((x): x is { offset: number; bits: number } => x !== undefined);
  const decisive = found[0];
  const patches: IsaPatch[] = [];
  const seen = new Set<number>();
  for (const { offset, bits } of found) {
    if (seen.has(offset)) continue;
    seen.add(offset);
    // Only lower: lowerIsaBits would *add* the level's bit to a note that is already below it.
    if (levelFromIsaBits(bits) <= level) continue;
    patches.push({ offset, oldBits: bits, newBits: lowerIsaBits(bits, level) >>> 0 });
  }
  return { littleEndian: hdr.littleEndian, oldLevel: decisive ? levelFromIsaBits(decisive.bits) : 0, patches };
}

/** Writes each patch's newBits into `bytes` (in place), after checking the old bits are still there. */
export function applyIsaPatches(bytes: Uint8Array, plan: IsaPatchPlan): void {
  for (const p of plan.patches) {
    const f = new Fields(readRange(memorySource(bytes), p.offset, 4, 'ISA_1_NEEDED datum'), plan.littleEndian);
    if (f.u32(0) !== p.oldBits) throw new ElfFormatError(`ISA_1_NEEDED at 0x${p.offset.toString(16)} changed under us`);
    new DataView(bytes.buffer, bytes.byteOffset + p.offset, 4).setUint32(0, p.newBits, plan.littleEndian);
  }
}

/**
 * A copy of `bytes` with X86_ISA_1_NEEDED lowered to `level` (every other byte identical). Returns an
 * unchanged copy when there is nothing to lower. Throws NotElfError / ElfFormatError for bad input.
 */
export function patchIsaNeeded(bytes: Uint8Array, level: Level): Uint8Array {
  const copy = bytes.slice();
  const plan = planIsaPatch(memorySource(copy), level);
  applyIsaPatches(copy, plan);
  return copy;
}


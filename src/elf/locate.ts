// Where the property note is: the loader's view (PT_GNU_PROPERTY, else PT_NOTE segments with the
// class's alignment, as glibc does) for linked files, the `.note.gnu.property` section for relocatable
// objects and files without program headers.
import { ET_REL, PT_GNU_PROPERTY, PT_NOTE, SHT_NOTE } from './constants.js';
import { ElfFormatError, hex } from './errors.js';
import {
  type ElfHeader, type ProgramHeader, readProgramHeaders, readSectionHeaders, sectionNames,
} from './header.js';
import { type NoteSource, type PropertyNote, findPropertyNoteIn } from './notes.js';
import { type ByteSource, readRange } from './source.js';

/** Largest note segment or section read; real property notes are tens of bytes. */
export const MAX_NOTE_REGION = 1 << 20;

function noteRegion(src: ByteSource, offset: number, size: number, what: string): Uint8Array {
  if (size > MAX_NOTE_REGION) throw new ElfFormatError(`${what} at ${hex(offset)} too large (${size} bytes)`);
  return readRange(src, offset, size, what);
}

/**
 * The note the dynamic loader would use, from program headers only. glibc takes PT_GNU_PROPERTY when
 * present and otherwise the first GNU property note in a PT_NOTE whose p_align is the word size
 * (PT_NOTE segments aligned 4 in ELF64, like .note.ABI-tag, are never read for properties).
 */
export function findLoaderNote(src: ByteSource, hdr: ElfHeader, phdrs: readonly ProgramHeader[]): PropertyNote | undefined {
  const wordAlign = hdr.is64 ? 8 : 4;
  const scan = (ph: ProgramHeader, source: NoteSource): PropertyNote | undefined => {
    if (ph.align !== wordAlign) return undefined;
    const region = noteRegion(src, ph.offset, ph.filesz, `${source} segment`);
    return findPropertyNoteIn(region, ph.offset, wordAlign, hdr.is64, hdr.littleEndian, hdr.machine, source);
  };
  for (const ph of phdrs) {
    if (ph.type !== PT_GNU_PROPERTY) continue;
    const note = scan(ph, 'PT_GNU_PROPERTY');
    if (note) return note;
  }
  for (const ph of phdrs) {
    if (ph.type !== PT_NOTE) continue;
    const note = scan(ph, 'PT_NOTE');
    if (note) return note;
  }
  return undefined;
}

/** The note in the `.note.gnu.property` section (what `ld` reads from its inputs). */
export function findSectionNote(src: ByteSource, hdr: ElfHeader): PropertyNote | undefined {
  if (hdr.shnum === 0) return undefined;
  const shdrs = readSectionHeaders(src, hdr);
  const names = sectionNames(src, hdr, shdrs);
  for (const sh of shdrs) {
    if (sh.type !== SHT_NOTE || names[sh.index] !== '.note.gnu.property') continue;
    // ld writes the section with the word alignment; accept 4 or 8 as given, else the class default.
    const align = sh.addralign === 4 || sh.addralign === 8 ? sh.addralign : hdr.is64 ? 8 : 4;
    const region = noteRegion(src, sh.offset, sh.size, '.note.gnu.property section');
    const note = findPropertyNoteIn(region, sh.offset, align, hdr.is64, hdr.littleEndian, hdr.machine, 'section');
    if (note) return note;
  }
  return undefined;
}

/** True when the loader's view applies (a linked file with program headers). */
export function usesLoaderView(hdr: ElfHeader): boolean {
  return hdr.type !== ET_REL && hdr.phnum > 0;
}

/** The property note that decides this file's level: the loader's view, else the section. */
export function findPropertyNote(src: ByteSource, hdr: ElfHeader): PropertyNote | undefined {
  return usesLoaderView(hdr) ? findLoaderNote(src, hdr, readProgramHeaders(src, hdr)) : findSectionNote(src, hdr);
}

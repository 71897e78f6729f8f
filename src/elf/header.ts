// The ELF header, program header table and section header table, bounds-checked and with every
// count capped. Nothing here reads more than the tables themselves.
import {
  ELFCLASS32, ELFCLASS64, ELFDATA2LSB, ELFDATA2MSB, PN_XNUM, SHN_XINDEX,
} from './constants.js';
import { ElfFormatError, NotElfError, hex } from './errors.js';
import { Fields } from './fields.js';
import { type ByteSource, readRange } from './source.js';

/** Caps on table sizes. e_phnum is 16 bits; the PN_XNUM escape could claim 2^32. */
export const MAX_PROGRAM_HEADERS = 65_535;
/** Kernel objects built with -ffunction-sections reach tens of thousands of sections; 2^20 is generous. */
export const MAX_SECTION_HEADERS = 1 << 20;
/** Entry sizes are 32/56 (phdr) and 40/64 (shdr); a larger stride is allowed by the gABI, not a huge one. */
export const MAX_ENTRY_SIZE = 1024;
/** Largest header table read (64 MiB): bounds the memory a hostile count can claim. */
export const MAX_TABLE_BYTES = 64 << 20;

export interface ElfHeader {
  readonly is64: boolean;
  readonly littleEndian: boolean;
  /** e_type: ET_REL, ET_EXEC, ET_DYN... */
  readonly type: number;
  /** e_machine: EM_X86_64, EM_386... */
  readonly machine: number;
  readonly phoff: number;
  readonly phentsize: number;
  /** Program header count, after the PN_XNUM escape. */
  readonly phnum: number;
  readonly shoff: number;
  readonly shentsize: number;
  /** Section header count, after the e_shnum == 0 escape. */
  readonly shnum: number;
  /** Index of the section name string table, after the SHN_XINDEX escape. */
  readonly shstrndx: number;
}

export interface ProgramHeader {
  readonly type: number;
  readonly offset: number;
  readonly filesz: number;
  readonly align: number;
}

export interface SectionHeader {
  readonly index: number;
  readonly nameOffset: number;
  readonly type: number;
  readonly flags: number;
  readonly addr: bigint;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
}

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];
const PHDR_SIZE = { 32: 32, 64: 56 } as const;
const SHDR_SIZE = { 32: 40, 64: 64 } as const;

export function hasElfMagic(head: Uint8Array): boolean {
  return head.length >= 4 && ELF_MAGIC.every((b, i) => head[i] === b);
}

export function readElfHeader(src: ByteSource): ElfHeader {
  if (src.size < 4 || !hasElfMagic(src.read(0, 4))) throw new NotElfError('not an ELF file');
  const ident = readRange(src, 0, Math.min(16, src.size), 'ELF identification');
  if (ident.length < 16) throw new ElfFormatError(`truncated ELF header at 0x0 (file has ${src.size} bytes)`);
  const cls = ident[4];
  const data = ident[5];
  if (cls !== ELFCLASS32 && cls !== ELFCLASS64) throw new ElfFormatError(`unknown ELF class ${cls}`);
  if (data !== ELFDATA2LSB && data !== ELFDATA2MSB) throw new ElfFormatError(`unknown ELF data encoding ${data}`);
  const is64 = cls === ELFCLASS64;
  const f = new Fields(readRange(src, 0, is64 ? 64 : 52, 'ELF header'), data === ELFDATA2LSB);
  const o = is64 ? 0 : -12; // ELF32 fields after e_entry sit 12 bytes earlier (three 4-byte words)
  let phnum = f.u16(is64 ? 56 : 44);
  let shnum = f.u16(is64 ? 60 : 48);
  let shstrndx = f.u16(is64 ? 62 : 50);
  const hdr = {
    is64,
    littleEndian: f.littleEndian,
    type: f.u16(16),
    machine: f.u16(18),
    phoff: f.word(is64 ? 32 : 28, is64),
    phentsize: f.u16(54 + o),
    shoff: f.word(is64 ? 40 : 32, is64),
    shentsize: f.u16(58 + o),
  };
  // Extended numbering: the real counts live in section header 0 (gABI "Extended Section Indexes").
  if (hdr.shoff !== 0 && (phnum === PN_XNUM || shnum === 0 || shstrndx === SHN_XINDEX)) {
    const s0 = readSectionHeaderAt(src, { ...hdr, phnum: 0, shnum: 1, shstrndx: 0 }, 0);
    if (phnum === PN_XNUM) phnum = s0.info;
    if (shnum === 0) shnum = s0.size;
    if (shstrndx === SHN_XINDEX) shstrndx = s0.link;
  }
  if (hdr.shoff === 0) shnum = 0;
  if (phnum > MAX_PROGRAM_HEADERS) throw new ElfFormatError(`too many program headers (${phnum})`);
  if (shnum > MAX_SECTION_HEADERS) throw new ElfFormatError(`too many section headers (${shnum})`);
  return { ...hdr, phnum, shnum, shstrndx };
}

export function readProgramHeaders(src: ByteSource, hdr: ElfHeader): ProgramHeader[] {
  if (hdr.phnum === 0) return [];
  const need = PHDR_SIZE[hdr.is64 ? 64 : 32];
  if (hdr.phentsize < need || hdr.phentsize > MAX_ENTRY_SIZE) {
    throw new ElfFormatError(`bad e_phentsize ${hdr.phentsize} (expected ${need})`);
  }
  const table = readRange(src, hdr.phoff, hdr.phnum * hdr.phentsize, 'program header table');
  const f = new Fields(table, hdr.littleEndian);
  const out: ProgramHeader[] = [];
  for (let i = 0; i < hdr.phnum; i++) {
    const b = i * hdr.phentsize;
    out.push(hdr.is64
      ? { type: f.u32(b), offset: f.u64(b + 8), filesz: f.u64(b + 32), align: f.u64(b + 48) }
      : { type: f.u32(b), offset: f.u32(b + 4), filesz: f.u32(b + 16), align: f.u32(b + 28) });
  }
  return out;
}

function parseSectionHeader(f: Fields, b: number, is64: boolean, index: number): SectionHeader {
  return is64
    ? {
      index, nameOffset: f.u32(b), type: f.u32(b + 4), flags: Number(f.u64big(b + 8) & 0xffffffffn),
      addr: f.u64big(b + 16), offset: f.u64(b + 24), size: f.u64(b + 32), link: f.u32(b + 40),
      info: f.u32(b + 44), addralign: f.u64(b + 48), entsize: f.u64(b + 56),
    }
    : {
      index, nameOffset: f.u32(b), type: f.u32(b + 4), flags: f.u32(b + 8), addr: BigInt(f.u32(b + 12)),
      offset: f.u32(b + 16), size: f.u32(b + 20), link: f.u32(b + 24), info: f.u32(b + 28),
      addralign: f.u32(b + 32), entsize: f.u32(b + 36),
    };
}

function checkShentsize(hdr: ElfHeader): number {
  const need = SHDR_SIZE[hdr.is64 ? 64 : 32];
  if (hdr.shentsize < need || hdr.shentsize > MAX_ENTRY_SIZE) {
    throw new ElfFormatError(`bad e_shentsize ${hdr.shentsize} (expected ${need})`);
  }
  return hdr.shentsize;
}

function readSectionHeaderAt(src: ByteSource, hdr: ElfHeader, index: number): SectionHeader {
  const size = checkShentsize(hdr);
  const bytes = readRange(src, hdr.shoff + index * size, size, 'section header');
  return parseSectionHeader(new Fields(bytes, hdr.littleEndian), 0, hdr.is64, index);
}

export function readSectionHeaders(src: ByteSource, hdr: ElfHeader): SectionHeader[] {
  if (hdr.shnum === 0) return [];
  const size = checkShentsize(hdr);
  if (hdr.shnum * size > MAX_TABLE_BYTES) throw new ElfFormatError(`section header table too large (${hdr.shnum} entries)`);
  const table = readRange(src, hdr.shoff, hdr.shnum * size, 'section header table');
  const f = new Fields(table, hdr.littleEndian);
  const out: SectionHeader[] = [];
  for (let i = 0; i < hdr.shnum; i++) out.push(parseSectionHeader(f, i * size, hdr.is64, i));
  return out;
}

/** Longest section or symbol name kept; longer ones are cut (C++ names can be long, not megabytes). */
export const MAX_NAME_LENGTH = 4096;
/** Largest string table read whole. */
export const MAX_STRTAB_SIZE = 64 << 20;

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** A NUL-terminated string at `off` of a string table; cut at MAX_NAME_LENGTH or the table's end. */
export function cString(table: Uint8Array, off: number, what: string): string {
  if (off >= table.length) {
    if (off === 0) return '';
    throw new ElfFormatError(`${what}: string offset ${hex(off)} past its table (${table.length} bytes)`);
  }
  const end = Math.min(table.length, off + MAX_NAME_LENGTH);
  let i = off;
  while (i < end && table[i] !== 0) i++;
  return utf8.decode(table.subarray(off, i));
}

/** The bytes of a string table section, bounds- and size-checked. */
export function readStringTable(src: ByteSource, sh: SectionHeader, what: string): Uint8Array {
  if (sh.size > MAX_STRTAB_SIZE) throw new ElfFormatError(`${what} too large (${sh.size} bytes)`);
  return readRange(src, sh.offset, sh.size, what);
}

/** Names of all sections (from e_shstrndx); throws when the name table is missing or out of range. */
export function sectionNames(src: ByteSource, hdr: ElfHeader, shdrs: readonly SectionHeader[]): string[] {
  const strtab = shdrs[hdr.shstrndx];
  if (!strtab || hdr.shstrndx === 0) throw new ElfFormatError(`bad e_shstrndx ${hdr.shstrndx} (${shdrs.length} sections)`);
  const table = readStringTable(src, strtab, 'section name table');
  return shdrs.map((sh) => cString(table, sh.nameOffset, `section ${sh.index} name`));
}

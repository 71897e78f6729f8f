// The executable code and function symbols of one ELF file, for the code audit (src/audit). Section
// and symbol tables are bounds-checked, and the bytes read are capped.
//
// Relocatable objects (ET_REL) have every section at address 0 and symbol values relative to their
// section, so their executable sections are given distinct synthetic addresses (laid out one after the
// other, 16-byte aligned) and symbols are moved with their section: the audit sees one address space.
import {
  ET_REL, SHF_EXECINSTR, SHN_LORESERVE, SHN_UNDEF, SHT_DYNSYM, SHT_PROGBITS, SHT_SYMTAB, STT_FUNC, STT_GNU_IFUNC,
} from './constants.js';
import { ElfFormatError } from './errors.js';
import { Fields } from './fields.js';
import { type SectionHeader, cString, readElfHeader, readSectionHeaders, readStringTable, sectionNames } from './header.js';
import { type ByteSource, memorySource, readRange, withFileSource } from './source.js';
import type { CodeImage, CodeSection, FunctionSymbol } from './types.js';

/** Total executable bytes read from one file (static glibc binaries have ~1 MB; kernels' host tools less). */
export const MAX_CODE_BYTES = 256 << 20;
/** Function symbols kept from one table. */
export const MAX_SYMBOLS = 1 << 21;
/** Largest symbol table read. */
export const MAX_SYMTAB_BYTES = 256 << 20;

export function readCodeImageFrom(src: ByteSource): CodeImage {
  const hdr = readElfHeader(src);
  const shdrs = readSectionHeaders(src, hdr);
  if (shdrs.length === 0) throw new ElfFormatError('no section headers: the code cannot be located');
  const names = sectionNames(src, hdr, shdrs);
  const rel = hdr.type === ET_REL;

  const sections: CodeSection[] = [];
  const sectionBase = new Map<number, bigint>();
  let total = 0;
  let nextAddr = 0n;
  for (const sh of shdrs) {
    if (sh.type !== SHT_PROGBITS || (sh.flags & SHF_EXECINSTR) === 0 || sh.size === 0) continue;
    if (sh.size > MAX_CODE_BYTES - total) throw new ElfFormatError(`executable sections exceed ${MAX_CODE_BYTES} bytes`);
    total += sh.size;
    const bytes = readRange(src, sh.offset, sh.size, `section ${names[sh.index] || sh.index}`);
    let addr = sh.addr;
    if (rel) {
      addr = nextAddr;
      nextAddr = (nextAddr + BigInt(sh.size) + 15n) & ~15n;
    }
    sectionBase.set(sh.index, addr);
    sections.push({ name: names[sh.index] ?? '', addr, bytes: bytes.slice() });
  }

  const table = shdrs.find((s) => s.type === SHT_SYMTAB) ?? shdrs.find((s) => s.type === SHT_DYNSYM);
  const functions = table ? readFunctions(src, hdr.is64, hdr.littleEndian, shdrs, table, rel ? sectionBase : undefined) : [];
  functions.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
  return { bitness: hdr.is64 ? 64 : 32, sections, functions };
}

function readFunctions(
  src: ByteSource, is64: boolean, le: boolean, shdrs: readonly SectionHeader[], table: SectionHeader,
  relocateBy: Map<number, bigint> | undefined,
): FunctionSymbol[] {
  const entsize = is64 ? 24 : 16;
  if (table.size > MAX_SYMTAB_BYTES) throw new ElfFormatError(`symbol table too large (${table.size} bytes)`);
  const strSh = shdrs[table.link];
  if (!strSh || table.link === 0) throw new ElfFormatError(`symbol table's string table index ${table.link} is invalid`);
  const strtab = readStringTable(src, strSh, 'symbol string table');
  const bytes = readRange(src, table.offset, table.size - (table.size % entsize), 'symbol table');
  const f = new Fields(bytes, le);
  const out: FunctionSymbol[] = [];
  for (let off = 0; off + entsize <= bytes.length; off += entsize) {
    const info = f.u8(off + (is64 ? 4 : 12));
    const type = info & 0xf;
    if (type !== STT_FUNC && type !== STT_GNU_IFUNC) continue;
    const shndx = f.u16(off + (is64 ? 6 : 14));
    if (shndx === SHN_UNDEF) continue;
    let addr = f.wordBig(off + (is64 ? 8 : 4), is64);
    if (relocateBy) {
      // In an object a symbol is only meaningful relative to a code section we laid out.
      const base = shndx < SHN_LORESERVE ? relocateBy.get(shndx) : undefined;
      if (base === undefined) continue;
      addr += base;
    }
    if (out.length >= MAX_SYMBOLS) throw new ElfFormatError(`more than ${MAX_SYMBOLS} function symbols`);
    out.push({
      name: cString(strtab, f.u32(off), 'symbol name'),
      addr,
      size: f.wordBig(off + (is64 ? 16 : 8), is64),
      ifunc: type === STT_GNU_IFUNC,
    });
  }
  return out;
}

/** The CodeImage of an ELF file by path (positioned reads) or of bytes in memory. */
export function readCodeImage(input: string | Uint8Array): CodeImage {
  return typeof input === 'string' ? withFileSource(input, readCodeImageFrom) : readCodeImageFrom(memorySource(input));
}

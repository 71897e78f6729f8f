// `ar` archives: the System V / GNU format (`/` symbol table, `/SYM64/`, `//` long-name table,
// `/123` long names, `name/` short names), BSD `#1/len` names, and GNU thin archives (`!<thin>`),
// whose members live in other files and are listed without data.
import { ElfFormatError, hex } from './errors.js';
import { MAX_STRTAB_SIZE } from './header.js';
import { type ByteSource, readRange, windowSource } from './source.js';

export const AR_MAGIC = '!<arch>\n';
export const THIN_MAGIC = '!<thin>\n';
const HEADER = 60;
/** Bound on members (each costs at least a 60-byte header, so a file can claim no more than size/60). */
export const MAX_ARCHIVE_MEMBERS = 1 << 20;

export interface ArchiveMember {
  readonly name: string;
  /** Offset of the member's data in the archive; for thin archives, undefined (data is elsewhere). */
  readonly offset?: number;
  readonly size: number;
  /** The member's bytes as a source of its own; undefined for thin archive members. */
  readonly source?: ByteSource;
}

const latin1 = new TextDecoder('latin1');

export function archiveKind(src: ByteSource): 'archive' | 'thin' | undefined {
  if (src.size < 8) return undefined;
  const magic = latin1.decode(src.read(0, 8));
  return magic === AR_MAGIC ? 'archive' : magic === THIN_MAGIC ? 'thin' : undefined;
}

/** Every real member (not the symbol table or the long-name table), in order. */
export function* archiveMembers(src: ByteSource): Generator<ArchiveMember> {
  const kind = archiveKind(src);
  if (!kind) throw new ElfFormatError('not an ar archive');
  let longNames: Uint8Array | undefined;
  let pos = 8;
  for (let count = 0; pos < src.size; count++) {
    if (count >= MAX_ARCHIVE_MEMBERS) throw new ElfFormatError(`more than ${MAX_ARCHIVE_MEMBERS} archive members`);
    // Some writers pad the end with a newline.
    if (src.size - pos < HEADER && src.read(pos, src.size - pos).every((b) => b === 0x0a)) break;
    const h = latin1.decode(readRange(src, pos, HEADER, 'archive member header'));
    if (h.slice(58, 60) !== '`\n') throw new ElfFormatError(`bad archive member header at ${hex(pos)}`);
    const sizeText = h.slice(48, 58).trim();
    if (!/^\d{1,10}$/.test(sizeText)) throw new ElfFormatError(`bad archive member size "${sizeText}" at ${hex(pos)}`);
    const size = Number(sizeText);
    const rawName = h.slice(0, 16).trimEnd();
    let dataStart = pos + HEADER;
    let dataSize = size;
    const special = rawName === '/' || rawName === '/SYM64/' || rawName === '//' || rawName === '__.SYMDEF'
      || rawName === '__.SYMDEF SORTED';
    // Thin archives store only the symbol and name tables; members' data stays in their own files.
    const inline = kind === 'archive' || special;
    if (inline && (dataStart > src.size || size > src.size - dataStart)) {
      throw new ElfFormatError(`truncated archive member "${rawName}" at ${hex(pos)} (size ${size}, file has ${src.size})`);
    }
    let name = rawName;
    if (rawName === '//') {
      if (size > MAX_STRTAB_SIZE) throw new ElfFormatError(`archive long-name table too large (${size} bytes)`);
      longNames = readRange(src, dataStart, size, 'archive long-name table');
    } else if (/^\/\d+$/.test(rawName)) {
      name = longName(longNames, Number(rawName.slice(1)), pos);
    } else if (/^#1\/\d+$/.test(rawName)) {
      const len = Number(rawName.slice(3));
      if (len > size) throw new ElfFormatError(`bad BSD archive name length ${len} at ${hex(pos)}`);
      name = latin1.decode(readRange(src, dataStart, len, 'archive member name')).replace(/\0+$/, '');
      dataStart += len;
      dataSize -= len;
    } else if (rawName.endsWith('/') && rawName !== '/') {
      name = rawName.slice(0, -1);
    }
    if (!special) {
      yield inline
        ? { name, offset: dataStart, size: dataSize, source: windowSource(src, dataStart, dataSize) }
        : { name, size: dataSize };
    }
    pos = pos + HEADER + (inline ? size + (size & 1) : 0);
  }
}

function longName(table: Uint8Array | undefined, off: number, at: number): string {
  if (!table || off >= table.length) throw new ElfFormatError(`archive long name offset ${off} out of range at ${hex(at)}`);
  let end = off;
  // GNU terminates names with "/\n"; thin archives' paths end at "\n" too.
  while (end < table.length && end - off < 4096 && table[end] !== 0x0a && table[end] !== 0) end++;
  let name = latin1.decode(table.subarray(off, end));
  if (name.endsWith('/')) name = name.slice(0, -1);
  return name;
}

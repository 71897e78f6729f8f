// What a CLI needs about one file, in one call: ELF identity, the property note the loader (or ld)
// would use, its decoded fields and the v-levels. For a linked binary whose note is present this reads
// only the ELF header, the program headers and the note segment.
//
// FileSummary is one of:
//   { kind: 'not-elf' }                       neither ELF nor an ar archive (directory walks skip these)
//   { kind: 'elf', ... }                      see ElfSummary
//   { kind: 'archive', members: [...] }       each member's ElfSummary (or not-elf), plus the highest levels
import type { Level } from '../level.js';
import { levelFromIsaBits } from '../level.js';
import { archiveKind, archiveMembers } from './archive.js';
import {
  COMPAT_2_ISA_1_BIT_NAMES, COMPAT_ISA_1_BIT_NAMES, ELF_TYPE_NAMES, FEATURE_1_BIT_NAMES, FEATURE_2_BIT_NAMES,
  ISA_1_BIT_NAMES, MACHINE_NAMES, PROPERTY_1_NEEDED_BIT_NAMES, bitNames,
} from './constants.js';
import { ElfFormatError, NotElfError } from './errors.js';
import { hasElfMagic, readElfHeader } from './header.js';
import { findPropertyNote } from './locate.js';
import type { NoteSource } from './notes.js';
import { type DecodedProperties, decodeProperties } from './properties.js';
import { type ByteSource, memorySource, withFileSource } from './source.js';

export interface ElfSummary extends DecodedProperties {
  readonly kind: 'elf';
  readonly class: 32 | 64;
  readonly endian: 'little' | 'big';
  /** e_machine and its name ('x86-64', 'i386', or `machine 0x..`). */
  readonly machine: number;
  readonly machineName: string;
  /** e_type and its name ('REL', 'EXEC', 'DYN'...). */
  readonly type: number;
  readonly typeName: string;
  /** Where the property note was found, and its file offset; undefined when there is none. */
  readonly note?: { readonly source: NoteSource; readonly offset: number };
  /** Level named by X86_ISA_1_NEEDED (0 when absent or no level bit): what the loader enforces. */
  readonly neededLevel: Level | 0;
  /** Level named by X86_ISA_1_USED (0 when absent). */
  readonly usedLevel: Level | 0;
  /** Bit names of every decoded bit set, as readelf spells them (e.g. isaNeeded: ['x86-64-baseline','x86-64-v3']). */
  readonly names: Partial<Record<NamedField, string[]>>;
}

export interface NotElfSummary {
  readonly kind: 'not-elf';
}

export interface ArchiveMemberSummary {
  readonly name: string;
  /** Undefined for a thin archive's member (its data lives in another file). */
  readonly summary?: ElfSummary | NotElfSummary;
}

export interface ArchiveSummary {
  readonly kind: 'archive';
  readonly thin: boolean;
  readonly members: readonly ArchiveMemberSummary[];
  /** Highest neededLevel / usedLevel over the ELF members. */
  readonly neededLevel: Level | 0;
  readonly usedLevel: Level | 0;
}

export type FileSummary = ElfSummary | ArchiveSummary | NotElfSummary;

type NamedField = 'isaNeeded' | 'isaUsed' | 'feature1And' | 'feature2Needed' | 'feature2Used' | 'compatIsaUsed'
  | 'compatIsaNeeded' | 'compat2IsaUsed' | 'compat2IsaNeeded' | 'property1Needed';

const BIT_TABLES: ReadonlyArray<readonly [NamedField, readonly string[]]> = [
  ['isaNeeded', ISA_1_BIT_NAMES], ['isaUsed', ISA_1_BIT_NAMES], ['feature1And', FEATURE_1_BIT_NAMES],
  ['feature2Needed', FEATURE_2_BIT_NAMES], ['feature2Used', FEATURE_2_BIT_NAMES],
  ['compatIsaUsed', COMPAT_ISA_1_BIT_NAMES], ['compatIsaNeeded', COMPAT_ISA_1_BIT_NAMES],
  ['compat2IsaUsed', COMPAT_2_ISA_1_BIT_NAMES], ['compat2IsaNeeded', COMPAT_2_ISA_1_BIT_NAMES],
  ['property1Needed', PROPERTY_1_NEEDED_BIT_NAMES],
];

/** Summary of one ELF file (not an archive); throws NotElfError / ElfFormatError. */
export function summarizeElf(src: ByteSource): ElfSummary {
  const hdr = readElfHeader(src);
  const note = findPropertyNote(src, hdr);
  const decoded = note
    ? decodeProperties(note.properties, hdr.machine, hdr.littleEndian, hdr.is64)
    : { other: [], warnings: [] };
  if (note) decoded.warnings.unshift(...note.warnings);
  const names: Partial<Record<NamedField, string[]>> = {};
  for (const [field, table] of BIT_TABLES) {
    const v = decoded[field];
    if (v !== undefined) names[field] = bitNames(v, table);
  }
  return {
    kind: 'elf',
    class: hdr.is64 ? 64 : 32,
    endian: hdr.littleEndian ? 'little' : 'big',
    machine: hdr.machine,
    machineName: MACHINE_NAMES[hdr.machine] ?? `machine 0x${hdr.machine.toString(16)}`,
    type: hdr.type,
    typeName: ELF_TYPE_NAMES[hdr.type] ?? `type 0x${hdr.type.toString(16)}`,
    ...(note ? { note: { source: note.source, offset: note.offset } } : {}),
    ...decoded,
    neededLevel: decoded.isaNeeded === undefined ? 0 : levelFromIsaBits(decoded.isaNeeded),
    usedLevel: decoded.isaUsed === undefined ? 0 : levelFromIsaBits(decoded.isaUsed),
    names,
  };
}

/**
 * Summary of an ELF file, an archive (each member), or `{kind:'not-elf'}`. Throws ElfFormatError for
 * malformed ELF or archive structure (a malformed member fails the whole archive, naming the member).
 */
export function summarize(src: ByteSource): FileSummary {
  const ar = archiveKind(src);
  if (ar) return summarizeArchive(src, ar === 'thin');
  try {
    return summarizeElf(src);
  } catch (err) {
    if (err instanceof NotElfError) return { kind: 'not-elf' };
    throw err;
  }
}

function summarizeArchive(src: ByteSource, thin: boolean): ArchiveSummary {
  const members: ArchiveMemberSummary[] = [];
  let neededLevel: Level | 0 = 0;
  let usedLevel: Level | 0 = 0;
  for (const m of archiveMembers(src)) {
    if (!m.source) {
      members.push({ name: m.name });
      continue;
    }
    let summary: ElfSummary | NotElfSummary;
    try {
      summary = m.source.size >= 4 && hasElfMagic(m.source.read(0, 4)) ? summarizeElf(m.source) : { kind: 'not-elf' };
    } catch (err) {
      if (err instanceof ElfFormatError) throw new ElfFormatError(`archive member ${m.name}: ${err.message}`);
      throw err;
    }
    if (summary.kind === 'elf') {
      neededLevel = Math.max(neededLevel, summary.neededLevel) as Level | 0;
      usedLevel = Math.max(usedLevel, summary.usedLevel) as Level | 0;
    }
    members.push({ name: m.name, summary });
  }
  return { kind: 'archive', thin, members, neededLevel, usedLevel };
}

/** summarize() over a file, read with positioned reads (never whole). Errors name the path. */
export function summarizeFile(path: string): FileSummary {
  return withFileSource(path, summarize);
}

/** summarize() over bytes in memory. */
export function summarizeBytes(bytes: Uint8Array): FileSummary {
  return summarize(memorySource(bytes));
}

/** What the first bytes say: 'elf', 'archive' (including thin), or 'not-elf'. Reads at most 8 bytes. */
export function sniff(src: ByteSource): 'elf' | 'archive' | 'not-elf' {
  if (src.size >= 4 && hasElfMagic(src.read(0, 4))) return 'elf';
  return archiveKind(src) ? 'archive' : 'not-elf';
}

/** sniff() of a file; missing or unreadable files throw ElfIoError. */
export function sniffFile(path: string): 'elf' | 'archive' | 'not-elf' {
  return withFileSource(path, sniff);
}

/** True when the file starts with the ELF magic (archives are not ELF here; see sniffFile). */
export function isElf(path: string): boolean {
  return sniffFile(path) === 'elf';
}

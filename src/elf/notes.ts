// Walking a note region and parsing the NT_GNU_PROPERTY_TYPE_0 property array, with the same rules
// glibc's loader applies (sysdeps/x86/dl-prop.h, elf/dl-load.c): notes advance by the segment's
// alignment, the property note is named "GNU\0", its size is a multiple of the word size, property
// types ascend, and each datum is padded to the word size. What glibc would stop at, we stop at too
// and record why in `warnings`.
import { GENERIC_PROPERTY_NAMES, NT_GNU_PROPERTY_TYPE_0, X86_PROPERTY_NAMES, isX86Machine } from './constants.js';
import { ElfFormatError, hex } from './errors.js';
import { Fields, alignUp } from './fields.js';

/** One property of NT_GNU_PROPERTY_TYPE_0, raw. */
export interface GnuProperty {
  /** pr_type */
  readonly type: number;
  /** Binutils name without the GNU_PROPERTY_ prefix (x86 names only on x86 machines); undefined if unknown. */
  readonly name?: string;
  /** File offset of pr_data (for an archive member: relative to the member). */
  readonly dataOffset: number;
  /** pr_data, a copy. */
  readonly data: Uint8Array;
}

export type NoteSource = 'PT_GNU_PROPERTY' | 'PT_NOTE' | 'section';

export interface PropertyNote {
  /** Where the note was found: the loader's view (segments) or the section table. */
  readonly source: NoteSource;
  /** File offset of the note header. */
  readonly offset: number;
  readonly properties: readonly GnuProperty[];
  /** Why parsing stopped early (glibc would stop there too); empty when the note is clean. */
  readonly warnings: readonly string[];
}

/** Upper bounds that keep a hostile note cheap: far above anything a linker writes. */
export const MAX_NOTES_PER_REGION = 4096;
export const MAX_PROPERTIES = 4096;

const NOTE_HEADER = 12;

/**
 * Finds the first NT_GNU_PROPERTY_TYPE_0 note named "GNU" in `region` (bytes of one note segment or
 * section starting at file offset `base`) and parses its properties. Undefined when there is none.
 */
export function findPropertyNoteIn(
  region: Uint8Array, base: number, align: number, is64: boolean, littleEndian: boolean, machine: number,
  source: NoteSource,
): PropertyNote | undefined {
  const f = new Fields(region, littleEndian);
  let pos = 0;
  for (let count = 0; pos + NOTE_HEADER <= region.length; count++) {
    if (count >= MAX_NOTES_PER_REGION) throw new ElfFormatError(`too many notes at ${hex(base)}`);
    const namesz = f.u32(pos);
    const descsz = f.u32(pos + 4);
    const type = f.u32(pos + 8);
    const descStart = pos + alignUp(NOTE_HEADER + namesz, align);
    if (descStart > region.length || descsz > region.length - descStart) {
      throw new ElfFormatError(`note at ${hex(base + pos)} runs past its ${source} (${region.length} bytes at ${hex(base)})`);
    }
    if (namesz === 4 && type === NT_GNU_PROPERTY_TYPE_0 && isGnuName(region, pos + NOTE_HEADER)) {
      const desc = region.subarray(descStart, descStart + descsz);
      return { source, offset: base + pos, ...parseProperties(desc, base + descStart, is64, littleEndian, machine) };
    }
    pos = descStart + alignUp(descsz, align);
  }
  return undefined;
}

function isGnuName(b: Uint8Array, at: number): boolean {
  return b[at] === 0x47 && b[at + 1] === 0x4e && b[at + 2] === 0x55 && b[at + 3] === 0;
}

export function propertyName(type: number, machine: number): string | undefined {
  return (isX86Machine(machine) ? X86_PROPERTY_NAMES[type] : undefined) ?? GENERIC_PROPERTY_NAMES[type];
}

function parseProperties(
  desc: Uint8Array, descOffset: number, is64: boolean, littleEndian: boolean, machine: number,
): { properties: GnuProperty[]; warnings: string[] } {
  const word = is64 ? 8 : 4;
  const properties: GnuProperty[] = [];
  const warnings: string[] = [];
  if (desc.length < 8 || desc.length % word !== 0) {
    warnings.push(`property note size ${desc.length} is not a multiple of ${word} of at least 8: ignored by the loader`);
    return { properties, warnings };
  }
  const f = new Fields(desc, littleEndian);
  let pos = 0;
  let lastType = 0;
  while (desc.length - pos >= 8) {
    if (properties.length >= MAX_PROPERTIES) {
      warnings.push(`more than ${MAX_PROPERTIES} properties: the rest ignored`);
      break;
    }
    const type = f.u32(pos);
    const datasz = f.u32(pos + 4);
    if (type < lastType) {
      warnings.push(`property ${hex(type)} out of ascending order at ${hex(descOffset + pos)}: the loader stops here`);
      break;
    }
    pos += 8;
    if (datasz > desc.length - pos) {
      warnings.push(`property ${hex(type)} data (${datasz} bytes) runs past the note at ${hex(descOffset + pos)}`);
      break;
    }
    lastType = type;
    properties.push({
      type,
      name: propertyName(type, machine),
      dataOffset: descOffset + pos,
      data: desc.slice(pos, pos + datasz),
    });
    pos += alignUp(datasz, word);
  }
  return { properties, warnings };
}

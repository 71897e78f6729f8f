// Decoding the raw property list into named fields. The pre-2.36 x86 ISA properties (COMPAT and
// COMPAT_2: "cmov, sse, ..., avx2" bit sets) keep their own fields and names and are never turned into
// v-levels: only X86_ISA_1_NEEDED / X86_ISA_1_USED (0xc0008002 / 0xc0010002) carry x86-64-vN bits.
import {
  GNU_PROPERTY_1_NEEDED, GNU_PROPERTY_MEMORY_SEAL, GNU_PROPERTY_NO_COPY_ON_PROTECTED, GNU_PROPERTY_STACK_SIZE,
  GNU_PROPERTY_X86_COMPAT_2_ISA_1_NEEDED, GNU_PROPERTY_X86_COMPAT_2_ISA_1_USED,
  GNU_PROPERTY_X86_COMPAT_ISA_1_NEEDED, GNU_PROPERTY_X86_COMPAT_ISA_1_USED, GNU_PROPERTY_X86_FEATURE_1_AND,
  GNU_PROPERTY_X86_FEATURE_2_NEEDED, GNU_PROPERTY_X86_FEATURE_2_USED, GNU_PROPERTY_X86_ISA_1_NEEDED,
  GNU_PROPERTY_X86_ISA_1_USED, isX86Machine,
} from './constants.js';
import { hex } from './errors.js';
import { Fields } from './fields.js';
import type { GnuProperty } from './notes.js';

/** Named properties of one note. Absent fields mean the property is absent. */
export interface DecodedProperties {
  /** X86_ISA_1_NEEDED bits (ISA_1_BASELINE=1, V2=2, V3=4, V4=8). */
  isaNeeded?: number;
  /** File offset of the 4-byte X86_ISA_1_NEEDED datum: what the patcher rewrites. */
  isaNeededOffset?: number;
  /** X86_ISA_1_USED bits. */
  isaUsed?: number;
  /** X86_FEATURE_1_AND bits (IBT=1, SHSTK=2, LAM_U48=4, LAM_U57=8). */
  feature1And?: number;
  /** X86_FEATURE_2_NEEDED / _USED bits (x86, x87, MMX, XMM, YMM, ZMM, FXSR, XSAVE...). */
  feature2Needed?: number;
  feature2Used?: number;
  /** binutils 2.29-2.31 X86_COMPAT_ISA_1_USED/NEEDED (0xc0000000/1): 486, 586, 686, SSE... bits. */
  compatIsaUsed?: number;
  compatIsaNeeded?: number;
  /** binutils 2.32-2.35 X86_COMPAT_2_ISA_1_USED/NEEDED (0xc0010000/0xc0008000): CMOV, SSE... bits. */
  compat2IsaUsed?: number;
  compat2IsaNeeded?: number;
  /** GNU_PROPERTY_STACK_SIZE. */
  stackSize?: bigint;
  noCopyOnProtected?: boolean;
  memorySeal?: boolean;
  /** GNU_PROPERTY_1_NEEDED (bit 0: indirect_extern_access). */
  property1Needed?: number;
  /** Every property not named above (or with a malformed size), raw. */
  other: { type: number; data: Uint8Array }[];
  /** Malformed sizes and the like. */
  warnings: string[];
}

type U32Field = 'isaNeeded' | 'isaUsed' | 'feature1And' | 'feature2Needed' | 'feature2Used' | 'compatIsaUsed'
  | 'compatIsaNeeded' | 'compat2IsaUsed' | 'compat2IsaNeeded';

const X86_U32_FIELDS: ReadonlyMap<number, U32Field> = new Map<number, U32Field>([
  [GNU_PROPERTY_X86_ISA_1_NEEDED, 'isaNeeded'],
  [GNU_PROPERTY_X86_ISA_1_USED, 'isaUsed'],
  [GNU_PROPERTY_X86_FEATURE_1_AND, 'feature1And'],
  [GNU_PROPERTY_X86_FEATURE_2_NEEDED, 'feature2Needed'],
  [GNU_PROPERTY_X86_FEATURE_2_USED, 'feature2Used'],
  [GNU_PROPERTY_X86_COMPAT_ISA_1_USED, 'compatIsaUsed'],
  [GNU_PROPERTY_X86_COMPAT_ISA_1_NEEDED, 'compatIsaNeeded'],
  [GNU_PROPERTY_X86_COMPAT_2_ISA_1_USED, 'compat2IsaUsed'],
  [GNU_PROPERTY_X86_COMPAT_2_ISA_1_NEEDED, 'compat2IsaNeeded'],
]);

export function decodeProperties(
  properties: readonly GnuProperty[], machine: number, littleEndian: boolean, is64: boolean,
): DecodedProperties {
  const out: DecodedProperties = { other: [], warnings: [] };
  const x86 = isX86Machine(machine);
  for (const p of properties) {
    const f = new Fields(p.data, littleEndian);
    const field = x86 ? X86_U32_FIELDS.get(p.type) : undefined;
    if (field) {
      if (p.data.length !== 4) {
        out.warnings.push(`${p.name ?? hex(p.type)} has ${p.data.length} data bytes, not 4: ignored`);
        out.other.push({ type: p.type, data: p.data });
        continue;
      }
      if (out[field] !== undefined) {
        out.warnings.push(`${p.name ?? hex(p.type)} repeated: the first is used`);
        continue;
      }
      out[field] = f.u32(0);
      if (field === 'isaNeeded') out.isaNeededOffset = p.dataOffset;
    } else if (p.type === GNU_PROPERTY_STACK_SIZE && p.data.length === (is64 ? 8 : 4)) {
      out.stackSize = f.wordBig(0, is64);
    } else if (p.type === GNU_PROPERTY_NO_COPY_ON_PROTECTED && p.data.length === 0) {
      out.noCopyOnProtected = true;
    } else if (p.type === GNU_PROPERTY_MEMORY_SEAL && p.data.length === 0) {
      out.memorySeal = true;
    } else if (p.type === GNU_PROPERTY_1_NEEDED && p.data.length === 4) {
      out.property1Needed = f.u32(0);
    } else {
      out.other.push({ type: p.type, data: p.data });
    }
  }
  return out;
}

// Numbers from the ELF gABI, the Linux extensions and binutils include/elf/common.h, with the names
// readelf prints for them. Only what the reader and the patcher use.

export const ELFCLASS32 = 1;
export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const ELFDATA2MSB = 2;

export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const ET_CORE = 4;
export const ELF_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'NONE', [ET_REL]: 'REL', [ET_EXEC]: 'EXEC', [ET_DYN]: 'DYN', [ET_CORE]: 'CORE',
};

export const EM_386 = 3;
export const EM_IAMCU = 6;
export const EM_X86_64 = 62;
export const MACHINE_NAMES: Readonly<Record<number, string>> = {
  2: 'SPARC', [EM_386]: 'i386', [EM_IAMCU]: 'IAMCU', 8: 'MIPS', 20: 'PowerPC', 21: 'PowerPC64', 22: 'S390',
  40: 'ARM', 43: 'SPARCv9', [EM_X86_64]: 'x86-64', 183: 'AArch64', 243: 'RISC-V', 258: 'LoongArch',
};

/** Machines whose processor-specific property range (0xc0000000..) means the x86 properties. */
export function isX86Machine(machine: number): boolean {
  return machine === EM_X86_64 || machine === EM_386 || machine === EM_IAMCU;
}

export const PT_NOTE = 4;
export const PT_GNU_PROPERTY = 0x6474e553;

export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;
export const SHT_DYNSYM = 11;
export const SHF_EXECINSTR = 0x4;

export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_XINDEX = 0xffff;
export const PN_XNUM = 0xffff;

export const STT_FUNC = 2;
export const STT_GNU_IFUNC = 10;

export const NT_GNU_PROPERTY_TYPE_0 = 5;

// Property types (pr_type) of NT_GNU_PROPERTY_TYPE_0.
export const GNU_PROPERTY_STACK_SIZE = 1;
export const GNU_PROPERTY_NO_COPY_ON_PROTECTED = 2;
export const GNU_PROPERTY_MEMORY_SEAL = 3;
export const GNU_PROPERTY_1_NEEDED = 0xb0008000;
export const GNU_PROPERTY_X86_COMPAT_ISA_1_USED = 0xc0000000; // binutils 2.29-2.31
export const GNU_PROPERTY_X86_COMPAT_ISA_1_NEEDED = 0xc0000001; // binutils 2.29-2.31
export const GNU_PROPERTY_X86_FEATURE_1_AND = 0xc0000002;
export const GNU_PROPERTY_X86_COMPAT_2_ISA_1_NEEDED = 0xc0008000; // binutils 2.32-2.35
export const GNU_PROPERTY_X86_FEATURE_2_NEEDED = 0xc0008001;
export const GNU_PROPERTY_X86_ISA_1_NEEDED = 0xc0008002;
export const GNU_PROPERTY_X86_COMPAT_2_ISA_1_USED = 0xc0010000; // binutils 2.32-2.35
export const GNU_PROPERTY_X86_FEATURE_2_USED = 0xc0010001;
export const GNU_PROPERTY_X86_ISA_1_USED = 0xc0010002;

/** Names of the x86 property types, as in binutils (without the GNU_PROPERTY_ prefix). */
export const X86_PROPERTY_NAMES: Readonly<Record<number, string>> = {
  [GNU_PROPERTY_X86_COMPAT_ISA_1_USED]: 'X86_COMPAT_ISA_1_USED',
  [GNU_PROPERTY_X86_COMPAT_ISA_1_NEEDED]: 'X86_COMPAT_ISA_1_NEEDED',
  [GNU_PROPERTY_X86_FEATURE_1_AND]: 'X86_FEATURE_1_AND',
  [GNU_PROPERTY_X86_COMPAT_2_ISA_1_NEEDED]: 'X86_COMPAT_2_ISA_1_NEEDED',
  [GNU_PROPERTY_X86_FEATURE_2_NEEDED]: 'X86_FEATURE_2_NEEDED',
  [GNU_PROPERTY_X86_ISA_1_NEEDED]: 'X86_ISA_1_NEEDED',
  [GNU_PROPERTY_X86_COMPAT_2_ISA_1_USED]: 'X86_COMPAT_2_ISA_1_USED',
  [GNU_PROPERTY_X86_FEATURE_2_USED]: 'X86_FEATURE_2_USED',
  [GNU_PROPERTY_X86_ISA_1_USED]: 'X86_ISA_1_USED',
};
export const GENERIC_PROPERTY_NAMES: Readonly<Record<number, string>> = {
  [GNU_PROPERTY_STACK_SIZE]: 'STACK_SIZE',
  [GNU_PROPERTY_NO_COPY_ON_PROTECTED]: 'NO_COPY_ON_PROTECTED',
  [GNU_PROPERTY_MEMORY_SEAL]: 'MEMORY_SEAL',
  [GNU_PROPERTY_1_NEEDED]: '1_NEEDED',
};

// Bit names, index = bit number.
export const ISA_1_BIT_NAMES = ['x86-64-baseline', 'x86-64-v2', 'x86-64-v3', 'x86-64-v4'] as const;
export const FEATURE_1_BIT_NAMES = ['IBT', 'SHSTK', 'LAM_U48', 'LAM_U57'] as const;
export const FEATURE_2_BIT_NAMES = [
  'x86', 'x87', 'MMX', 'XMM', 'YMM', 'ZMM', 'FXSR', 'XSAVE', 'XSAVEOPT', 'XSAVEC', 'TMM', 'MASK',
] as const;
/** GNU_PROPERTY_X86_COMPAT_ISA_1_* (0xc0000000/1): i486.. AVX512BW. Not v-levels. */
export const COMPAT_ISA_1_BIT_NAMES = [
  'i486', '586', '686', 'SSE', 'SSE2', 'SSE3', 'SSSE3', 'SSE4_1', 'SSE4_2', 'AVX', 'AVX2', 'AVX512F',
  'AVX512CD', 'AVX512ER', 'AVX512PF', 'AVX512VL', 'AVX512DQ', 'AVX512BW',
] as const;
/** GNU_PROPERTY_X86_COMPAT_2_ISA_1_* (0xc0008000/0xc0010000): CMOV.. AVX512_BF16. Not v-levels. */
export const COMPAT_2_ISA_1_BIT_NAMES = [
  'CMOV', 'SSE', 'SSE2', 'SSE3', 'SSSE3', 'SSE4_1', 'SSE4_2', 'AVX', 'AVX2', 'FMA', 'AVX512F', 'AVX512CD',
  'AVX512ER', 'AVX512PF', 'AVX512VL', 'AVX512DQ', 'AVX512BW', 'AVX512_4FMAPS', 'AVX512_4VNNIW',
  'AVX512_BITALG', 'AVX512_IFMA', 'AVX512_VBMI', 'AVX512_VBMI2', 'AVX512_VNNI', 'AVX512_BF16',
] as const;
export const PROPERTY_1_NEEDED_BIT_NAMES = ['indirect_extern_access'] as const;

/** Names of the set bits; bits without a name are shown as `<unknown: 0x..>` like readelf does. */
export function bitNames(value: number, names: readonly string[]): string[] {
  const out: string[] = [];
  let unknown = 0;
  for (let bit = 0; bit < 32; bit++) {
    const mask = (1 << bit) >>> 0;
    if ((value & mask) === 0) continue;
    const name = names[bit];
    if (name !== undefined) out.push(name);
    else unknown = (unknown | mask) >>> 0;
  }
  if (unknown) out.push(`<unknown: 0x${unknown.toString(16)}>`);
  return out;
}

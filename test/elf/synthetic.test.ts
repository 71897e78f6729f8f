// Cases the local toolchain cannot build: big-endian and ELF32 files, glibc's note-selection rules,
// malformed property lists, non-x86 machines, a section copy of the note at a different offset.
import { describe, expect, test } from 'vitest';
import {
  type ElfSummary, ElfFormatError, NotElfError, patchIsaNeeded, planIsaPatch, memorySource, readCodeImageFrom,
  summarizeBytes,
} from '../../src/elf/index.js';
import { synthElf, type SynthOptions } from './synth.js';

const ISA_NEEDED = 0xc0008002;
const ISA_USED = 0xc0010002;
const FEATURE_1 = 0xc0000002;
const FEATURE_2_USED = 0xc0010001;

function elf(o: SynthOptions): ElfSummary {
  const s = summarizeBytes(synthElf(o));
  if (s.kind !== 'elf') throw new Error(s.kind);
  return s;
}

describe.each([
  [64, true], [64, false], [32, true], [32, false],
] as const)('ELF%i little-endian=%s', (bits, le) => {
  const base = { is64: bits === 64, le };
  test('decodes every x86 property', () => {
    const s = elf({ ...base, props: [
      { type: FEATURE_1, value: 3 }, { type: ISA_NEEDED, value: 0x5 }, { type: FEATURE_2_USED, value: 0x1b }, { type: ISA_USED, value: 0xf },
    ] });
    expect(s.class).toBe(bits);
    expect(s.endian).toBe(le ? 'little' : 'big');
    expect(s.neededLevel).toBe(3);
    expect(s.usedLevel).toBe(4);
    expect(s.names.feature1And).toEqual(['IBT', 'SHSTK']);
    expect(s.names.feature2Used).toEqual(['x86', 'x87', 'XMM', 'YMM']);
    expect(s.note?.source).toBe('PT_GNU_PROPERTY');
  });
  test('patch lowers only the datum, in the file\'s byte order', () => {
    const bytes = synthElf({ ...base, props: [{ type: FEATURE_1, value: 3 }, { type: ISA_NEEDED, value: 0x9 }] });
    const out = patchIsaNeeded(bytes, 2);
    const s = summarizeBytes(out) as ElfSummary;
    expect(s.isaNeeded).toBe(0x3);
    expect(s.feature1And).toBe(3);
    const changed = [...bytes].flatMap((b, i) => (b !== out[i] ? [i] : []));
    expect(changed.every((i) => i >= s.isaNeededOffset! && i < s.isaNeededOffset! + 4)).toBe(true);
  });
  test('PT_NOTE path and section-only path', () => {
    expect(elf({ ...base, segments: 'note', leadingNote: true, props: [{ type: ISA_NEEDED, value: 2 }] }))
      .toMatchObject({ neededLevel: 2, note: { source: 'PT_NOTE' } });
    expect(elf({ ...base, segments: 'none', props: [{ type: ISA_NEEDED, value: 2 }] }))
      .toMatchObject({ neededLevel: 2, note: { source: 'section' } });
  });
});

describe('glibc loader rules', () => {
  test('a PT_NOTE not aligned to the word size is not read for properties', () => {
    const s = elf({ segments: 'note', segmentAlign: 4, props: [{ type: ISA_NEEDED, value: 4 }] });
    expect(s.note).toBeUndefined();
    expect(s.neededLevel).toBe(0);
  });
  test('properties out of ascending order: the loader stops there', () => {
    const s = elf({ props: [{ type: ISA_NEEDED, value: 4 }, { type: FEATURE_1, value: 3 }] });
    expect(s.neededLevel).toBe(3);
    expect(s.feature1And).toBeUndefined();
    expect(s.warnings.join()).toMatch(/ascending order/);
  });
  test('an ISA_1_NEEDED with 8 data bytes is kept raw with a warning, never read as a level', () => {
    const s = elf({ props: [{ type: ISA_NEEDED, value: [4, 0, 0, 0, 0, 0, 0, 0] }] });
    expect(s.neededLevel).toBe(0);
    expect(s.other).toHaveLength(1);
    expect(s.warnings.join()).toMatch(/not 4/);
  });
  test('unknown and generic properties are kept raw or named', () => {
    const s = elf({ props: [{ type: 1, value: [0, 0x10, 0, 0, 0, 0, 0, 0] }, { type: 2, value: [] }, { type: 0xb0008000, value: 1 }, { type: 0xe0000001, value: 7 }] });
    expect(s.stackSize).toBe(0x1000n);
    expect(s.noCopyOnProtected).toBe(true);
    expect(s.names.property1Needed).toEqual(['indirect_extern_access']);
    expect(s.other.map((o) => o.type)).toEqual([0xe0000001]);
  });
  test('on a non-x86 machine the 0xc... range is not x86: no level, raw properties', () => {
    const s = elf({ machine: 183, props: [{ type: FEATURE_1, value: 3 }, { type: ISA_NEEDED, value: 4 }] });
    expect(s.machineName).toBe('AArch64');
    expect(s.neededLevel).toBe(0);
    expect(s.other).toHaveLength(2);
    expect(() => planIsaPatch(memorySource(synthElf({ machine: 183, props: [] })), 2)).toThrow(/not an x86 ELF/);
  });
});

describe('the section holds a separate copy of the note', () => {
  test('both datums are lowered, each once; the loader view decides the level', () => {
    const bytes = synthElf({ props: [{ type: ISA_NEEDED, value: 0x5 }], separateSectionNote: [{ type: ISA_NEEDED, value: 0x9 }] });
    const plan = planIsaPatch(memorySource(bytes), 2);
    expect(plan.oldLevel).toBe(3);
    expect(plan.patches.map((p) => [p.oldBits, p.newBits])).toEqual([[0x5, 0x3], [0x9, 0x3]]);
    expect(new Set(plan.patches.map((p) => p.offset)).size).toBe(2);
  });
});

describe('error types', () => {
  test('non-ELF vs malformed ELF', () => {
    expect(summarizeBytes(new TextEncoder().encode('#!/bin/sh\n'))).toEqual({ kind: 'not-elf' });
    expect(() => patchIsaNeeded(new Uint8Array([1, 2, 3]), 2)).toThrow(NotElfError);
    const bad = synthElf({ props: [] });
    bad[4] = 7;
    expect(() => summarizeBytes(bad)).toThrow(ElfFormatError);
    expect(() => summarizeBytes(bad)).toThrow('unknown ELF class 7');
  });
});

describe('hostile structures get one clear ElfFormatError', () => {
  const base = () => synthElf({ props: [{ type: ISA_NEEDED, value: 4 }] });
  const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  test('extended section count of 2^32-1 (e_shnum = 0, section 0 sh_size)', () => {
    const b = base();
    const shoff = Number(dv(b).getBigUint64(40, true));
    dv(b).setUint16(60, 0, true);
    dv(b).setBigUint64(shoff + 32, 0xffffffffn, true);
    expect(() => readCodeImageFrom(memorySource(b))).toThrow(/too many section headers/);
  });
  test('a note segment that points past the end of the file', () => {
    const b = base();
    dv(b).setBigUint64(64 + 32, 0x7fffffffn, true); // PT_GNU_PROPERTY p_filesz
    expect(() => summarizeBytes(b)).toThrow(/too large|truncated PT_GNU_PROPERTY/);
    dv(b).setBigUint64(64 + 32, BigInt(b.length), true);
    expect(() => summarizeBytes(b)).toThrow(/truncated PT_GNU_PROPERTY segment/);
  });
  test('a note whose descsz overruns its segment', () => {
    const b = base();
    const noteOff = Number(dv(b).getBigUint64(64 + 8, true));
    dv(b).setUint32(noteOff + 4, 0xfffffff0, true);
    expect(() => summarizeBytes(b)).toThrow(/runs past its PT_GNU_PROPERTY/);
  });
  test('absurd e_phnum (PN_XNUM escape) and e_phentsize', () => {
    const b = base();
    dv(b).setUint16(54, 0xffff, true);
    expect(() => summarizeBytes(b)).toThrow(/bad e_phentsize 65535/);
  });
});

// The reader against real gcc/GNU ld output, compared with what `readelf -n` prints for the same files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  ElfFormatError, ElfIoError, NotElfError, type ElfSummary, isElf, readCodeImage, sniffFile, summarizeBytes,
  summarizeFile, withFileSource, summarize, type ByteSource,
} from '../../src/elf/index.js';
import { buildFixtures, readelfNotes, run } from './helpers.js';

const fx = buildFixtures();
afterAll(() => fs.rmSync(fx.dir, { recursive: true, force: true }));

function elf(file: string): ElfSummary {
  const s = summarizeFile(file);
  if (s.kind !== 'elf') throw new Error(`${file}: ${s.kind}`);
  return s;
}

/** Our decoding must print the same bit names as readelf, property by property. */
function expectSameAsReadelf(s: ElfSummary, r: ReturnType<typeof readelfNotes> extends Map<string, infer V> ? V : never) {
  expect(s.names.isaNeeded).toEqual(r.isaNeeded);
  expect(s.names.isaUsed).toEqual(r.isaUsed);
  expect(s.names.feature1And).toEqual(r.feature);
  expect(s.names.feature2Needed).toEqual(r.featureNeeded);
  expect(s.names.feature2Used).toEqual(r.featureUsed);
}

describe('linked binaries (loader view)', () => {
  const cases: Array<[string, string, number, string[] | undefined]> = [
    ['-z x86-64-v2', fx.v2, 2, undefined],
    ['-z x86-64-v3', fx.v3, 3, undefined],
    ['-z x86-64-v4', fx.v4, 4, undefined],
    ['-mneeded -march=x86-64-v3', fx.mneeded, 3, undefined],
    ['-fcf-protection=full -z ibt -z shstk', fx.cet, 3, ['IBT', 'SHSTK']],
    ['shared object -z x86-64-v3', fx.shared, 3, undefined],
    ['ifunc binary, default flags', fx.ifunc, 1, undefined],
  ];
  test.each(cases)('%s: level and bits match readelf -n', (_name, file, level, features) => {
    const s = elf(file);
    expect(s.class).toBe(64);
    expect(s.endian).toBe('little');
    expect(s.machineName).toBe('x86-64');
    expect(s.note?.source).toBe('PT_GNU_PROPERTY');
    expect(s.neededLevel).toBe(level);
    expect(s.names.feature1And).toEqual(features);
    expect(s.warnings).toEqual([]);
    expectSameAsReadelf(s, readelfNotes(file).get('')!);
    // The datum the patcher would rewrite holds the ISA_1_NEEDED bits.
    const bytes = fs.readFileSync(file);
    expect(bytes.readUInt32LE(s.isaNeededOffset!)).toBe(s.isaNeeded);
  });

  test('a binary whose note was stripped has no level and no note', () => {
    const s = elf(fx.noNote);
    expect(s.note).toBeUndefined();
    expect(s.neededLevel).toBe(0);
    expect(readelfNotes(fx.noNote).get('')!.isaNeeded).toBeUndefined();
  });

  test('a verify touches only the ELF header, the program headers and the note', () => {
    const size = fs.statSync(fx.cet).size;
    const reads: Array<[number, number]> = [];
    const s = withFileSource(fx.cet, (src: ByteSource) =>
      summarize({ size: src.size, read: (o, l) => (reads.push([o, l]), src.read(o, l)) }));
    expect(s.kind).toBe('elf');
    const touched = reads.reduce((n, [, l]) => n + l, 0);
    const phdrEnd = 64 + 13 * 56; // 13 program headers in a gcc 12 PIE
    expect(Math.max(...reads.map(([o, l]) => o + l))).toBeLessThan(Math.max(phdrEnd, 0x400));
    expect(touched).toBeLessThan(1500);
    expect(size).toBeGreaterThan(10_000);
  });
});

describe('relocatable objects (section view)', () => {
  test('gcc -c -fcf-protection=full: IBT/SHSTK, no ISA level', () => {
    const s = elf(fx.obj);
    expect(s.typeName).toBe('REL');
    expect(s.note?.source).toBe('section');
    expect(s.neededLevel).toBe(0);
    expectSameAsReadelf(s, readelfNotes(fx.obj).get('')!);
  });
  test('ld -r -z x86-64-v3: v3 needed, features kept', () => {
    const s = elf(fx.rel);
    expect(s.neededLevel).toBe(3);
    expect(s.names.feature1And).toEqual(['IBT', 'SHSTK']);
    expectSameAsReadelf(s, readelfNotes(fx.rel).get('')!);
  });
  test.skipIf(!fx.obj32)('ELF32 i386 object (gcc -m32, ld -r -z x86-64-v2)', () => {
    const s = elf(fx.obj32!);
    expect(s.class).toBe(32);
    expect(s.machineName).toBe('i386');
    expect(s.neededLevel).toBe(2);
    expect(s.names.feature1And).toEqual(['IBT', 'SHSTK']);
    expectSameAsReadelf(s, readelfNotes(fx.obj32!).get('')!);
  });
  if (!fx.obj32) test.skip(`ELF32 i386 object: skipped (${fx.obj32Skip})`, () => {});

  test('pre-2.36 properties are reported by their own names, never as v-levels', () => {
    const s = elf(fx.legacy);
    expect(s.neededLevel).toBe(0);
    expect(s.usedLevel).toBe(0);
    expect(s.isaNeeded).toBeUndefined();
    expect(s.names.compatIsaUsed).toEqual(['SSE', 'SSE2']);
    expect(s.names.compatIsaNeeded).toEqual(['i486', '586', '686']);
    expect(s.names.compat2IsaNeeded).toEqual(['CMOV', 'SSE', 'AVX2']);
    // readelf labels these "x86 ISA needed:" as well, with the old bit names.
    expect(readelfNotes(fx.legacy).get('')!.allIsaNeeded).toEqual([['i486', '586', '686'], ['CMOV', 'SSE', 'AVX2']]);
  });
});

describe('ar archives', () => {
  test('every member read, long names resolved, matching readelf per member', () => {
    const s = summarizeFile(fx.archive);
    if (s.kind !== 'archive') throw new Error(s.kind);
    expect(s.thin).toBe(false);
    expect(s.members.map((m) => m.name)).toEqual(['func.o', 'a-rather-long-member-name.o', 'legacy.o', 'lib.c']);
    expect(s.members[3]!.summary).toEqual({ kind: 'not-elf' });
    expect(s.neededLevel).toBe(3);
    const re = readelfNotes(fx.archive);
    for (const m of s.members.slice(0, 3)) {
      if (m.summary?.kind !== 'elf') throw new Error(m.name);
      expectSameAsReadelf(m.summary, re.get(m.name)!);
    }
  });
  test('thin archives list members without reading them', () => {
    const thin = path.join(fx.dir, 'thin.a');
    run('ar', ['rcsT', thin, fx.obj, fx.rel]);
    const s = summarizeFile(thin);
    if (s.kind !== 'archive') throw new Error(s.kind);
    expect(s.thin).toBe(true);
    expect(s.members.map((m) => path.basename(m.name))).toEqual(['func.o', 'func-rel.o']);
    expect(s.members.every((m) => m.summary === undefined)).toBe(true);
  });
});

describe('code image', () => {
  test('executable PROGBITS sections and function symbols; IFUNC marked', () => {
    const img = readCodeImage(fx.ifunc);
    expect(img.bitness).toBe(64);
    const names = img.sections.map((s) => s.name);
    expect(names).toContain('.text');
    expect(names).not.toContain('.rodata');
    const text = img.sections.find((s) => s.name === '.text')!;
    const objdump = run('objdump', ['-h', fx.ifunc]);
    const line = objdump.split('\n').find((l) => /\s\.text\s/.test(l))!.trim().split(/\s+/);
    expect(text.bytes.length).toBe(parseInt(line[2]!, 16));
    expect(text.addr).toBe(BigInt(`0x${line[3]}`));
    const add = img.functions.find((f) => f.name === 'add')!;
    expect(add.ifunc).toBe(true);
    expect(img.functions.find((f) => f.name === 'main')!.ifunc).toBe(false);
    // Same bytes as on disk at the section's file offset.
    const disk = fs.readFileSync(fx.ifunc);
    const off = parseInt(line[5]!, 16);
    expect(Buffer.from(text.bytes).equals(disk.subarray(off, off + text.bytes.length))).toBe(true);
  });
  test('relocatable object: functions placed in their section', () => {
    const img = readCodeImage(fx.rel);
    expect(img.sections.map((s) => s.name)).toEqual(['.text']);
    const [t, q] = ['triple', 'quad'].map((n) => img.functions.find((f) => f.name === n)!);
    expect(t!.addr).toBeLessThan(q!.addr);
    expect(q!.addr + q!.size).toBeLessThanOrEqual(BigInt(img.sections[0]!.bytes.length));
  });
  test('bytes in memory work the same as a path', () => {
    const a = readCodeImage(fx.v3);
    const b = readCodeImage(new Uint8Array(fs.readFileSync(fx.v3)));
    expect(b.functions).toEqual(a.functions);
    expect(b.sections.map((s) => s.name)).toEqual(a.sections.map((s) => s.name));
  });
});

describe('files that are not ELF', () => {
  test('text, empty, directory, missing, FIFO', () => {
    const text = path.join(fx.dir, 'hello.c');
    expect(isElf(fx.v3)).toBe(true);
    expect(isElf(text)).toBe(false);
    expect(sniffFile(fx.archive)).toBe('archive');
    expect(summarizeFile(text)).toEqual({ kind: 'not-elf' });
    const empty = path.join(fx.dir, 'empty');
    fs.writeFileSync(empty, '');
    expect(summarizeFile(empty)).toEqual({ kind: 'not-elf' });
    expect(summarizeBytes(new Uint8Array())).toEqual({ kind: 'not-elf' });
    expect(() => summarizeFile(fx.dir)).toThrow(ElfIoError);
    expect(() => summarizeFile(path.join(fx.dir, 'missing'))).toThrow(/missing: cannot open: ENOENT/);
    const fifo = path.join(fx.dir, 'fifo');
    run('mkfifo', [fifo]);
    expect(() => summarizeFile(fifo)).toThrow(ElfIoError); // refused at once, never waits for a writer
    expect(() => readCodeImage(text)).toThrow(NotElfError);
  });
  test('a truncated binary gives one line naming the file and what is missing', () => {
    const cut = path.join(fx.dir, 'cut');
    fs.writeFileSync(cut, fs.readFileSync(fx.v3).subarray(0, 100));
    let err: unknown;
    try {
      summarizeFile(cut);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ElfFormatError);
    expect(err).not.toBeInstanceOf(NotElfError);
    expect((err as Error).message).toMatch(/^.*cut: truncated program header table at 0x40/);
    expect((err as Error).message).not.toMatch(/\n/);
  });
});

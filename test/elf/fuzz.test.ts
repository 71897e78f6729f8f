// Property-based fuzzing of the reader, the code image and the patch planner over hostile bytes:
// truncations of real binaries, byte and field mutations aimed at the header, program headers,
// section headers and notes, random buffers with ELF/ar magic, and archives with bogus member sizes.
// Asserted for every case: the only error is ElfFormatError, no read falls outside the buffer, and
// each case ends quickly.
import * as fs from 'node:fs';
import fc from 'fast-check';
import { afterAll, expect, test } from 'vitest';
import {
  type ByteSource, ElfFormatError, memorySource, planIsaPatch, readCodeImageFrom, readElfHeader, summarize,
} from '../../src/elf/index.js';
import { buildFixtures } from './helpers.js';
import { synthElf } from './synth.js';

const fx = buildFixtures();
afterAll(() => fs.rmSync(fx.dir, { recursive: true, force: true }));

const seeds: Uint8Array[] = [fx.v3, fx.cet, fx.shared, fx.rel, fx.legacy, fx.archive, ...(fx.obj32 ? [fx.obj32] : [])]
  .map((f) => new Uint8Array(fs.readFileSync(f)));
for (const is64 of [true, false]) {
  for (const le of [true, false]) {
    seeds.push(synthElf({ is64, le, props: [{ type: 0xc0000002, value: 3 }, { type: 0xc0008002, value: 5 }], leadingNote: true }));
  }
}

/** Offsets worth hitting in a seed: ELF header, program and section header tables, notes. */
function hotOffsets(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.min(64, bytes.length); i++) out.push(i);
  try {
    const src = memorySource(bytes);
    const h = readElfHeader(src);
    const phEnd = h.phoff + h.phnum * h.phentsize;
    for (let i = h.phoff; i < Math.min(phEnd, bytes.length); i++) out.push(i);
    const shEnd = h.shoff + h.shnum * h.shentsize;
    for (let i = h.shoff; i < Math.min(shEnd, bytes.length); i++) out.push(i);
    const s = summarize(src);
    if (s.kind === 'elf' && s.note) for (let i = s.note.offset; i < Math.min(s.note.offset + 64, bytes.length); i++) out.push(i);
  } catch {
    // archives: member headers sit at 8 + 60k
    for (let i = 8; i < Math.min(bytes.length, 600); i++) out.push(i);
  }
  return out;
}
const hot = seeds.map(hotOffsets);

let maxRead = 0;
/** A source that fails the test (with a non-ElfFormatError) on any read outside the buffer. */
function guarded(bytes: Uint8Array): ByteSource {
  const inner = memorySource(bytes);
  return {
    size: inner.size,
    read(offset, length) {
      if (!(Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0
        && offset + length <= bytes.length)) {
        throw new Error(`OUT OF BOUNDS read ${offset}+${length} of ${bytes.length}`);
      }
      maxRead = Math.max(maxRead, offset + length);
      return inner.read(offset, length);
    },
  };
}

let slowest = 0;
let cases = 0;
const outcomes = { ok: 0, formatError: 0 };
/** Runs every entry point on the bytes; only ElfFormatError may escape them. */
function exercise(bytes: Uint8Array): void {
  cases++;
  const t0 = performance.now();
  for (const fn of [
    () => summarize(guarded(bytes)),
    () => readCodeImageFrom(guarded(bytes)),
    () => planIsaPatch(guarded(bytes), 2),
  ]) {
    try {
      fn();
      outcomes.ok++;
    } catch (err) {
      if (!(err instanceof ElfFormatError)) throw err;
      outcomes.formatError++;
      expect(err.message).not.toContain('\n');
    }
  }
  slowest = Math.max(slowest, performance.now() - t0);
}

const seedIndex = fc.integer({ min: 0, max: seeds.length - 1 });
const EXTREMES = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff0];

const truncations = fc.tuple(seedIndex, fc.double({ min: 0, max: 1, noNaN: true })).map(([i, frac]) => {
  const s = seeds[i]!;
  return s.subarray(0, Math.floor(s.length * frac));
});

const byteMutations = fc.tuple(seedIndex, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 }), fc.boolean()), { minLength: 1, maxLength: 8 }))
  .map(([i, muts]) => {
    const b = seeds[i]!.slice();
    const h = hot[i]!;
    for (const [pos, val, inHot] of muts) {
      const at = inHot && h.length ? h[pos % h.length]! : pos % b.length;
      b[at] = val;
    }
    return b;
  });

const fieldMutations = fc.tuple(seedIndex, fc.array(fc.tuple(fc.nat(), fc.constantFrom(...EXTREMES), fc.constantFrom(2, 4, 8), fc.boolean()), { minLength: 1, maxLength: 4 }))
  .map(([i, muts]) => {
    const b = seeds[i]!.slice();
    const h = hot[i]!;
    const dv = new DataView(b.buffer);
    for (const [pos, val, width, le] of muts) {
      const at = (h.length ? h[pos % h.length]! : pos % b.length) & ~(width - 1);
      if (at + width > b.length) continue;
      if (width === 2) dv.setUint16(at, val & 0xffff, le);
      else if (width === 4) dv.setUint32(at, val >>> 0, le);
      else dv.setBigUint64(at, BigInt(val >>> 0) * (val === 0xffffffff ? 0x100000001n : 1n), le);
    }
    return b;
  });

const ELF_PREFIX = [0x7f, 0x45, 0x4c, 0x46];
const AR_PREFIX = Array.from('!<arch>\n', (c) => c.charCodeAt(0));
const randomBuffers = fc.tuple(fc.constantFrom([], ELF_PREFIX, [...ELF_PREFIX, 2, 1, 1], [...ELF_PREFIX, 1, 2, 1], AR_PREFIX),
  fc.uint8Array({ maxLength: 512 }))
  .map(([prefix, rest]) => Uint8Array.from([...prefix, ...rest]));

const sizeText = fc.oneof(
  fc.nat({ max: 99_999 }).map(String),
  fc.constantFrom('', '-1', '9999999999', '12a', ' 7', '0x10', '1e3', '00000000000'),
);
const bogusArchives = fc.tuple(fc.array(fc.tuple(fc.constantFrom('a.o/', '/', '//', '/0', '/99', '#1/5', 'x/'), sizeText, seedIndex), { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([members, thin]) => {
    const parts: number[] = Array.from(thin ? '!<thin>\n' : '!<arch>\n', (c) => c.charCodeAt(0));
    for (const [name, size, i] of members) {
      const hdr = `${name.padEnd(16)}${'0'.padEnd(12)}${'0'.padEnd(6)}${'0'.padEnd(6)}${'644'.padEnd(8)}${size.padEnd(10).slice(0, 10)}\`\n`;
      parts.push(...Array.from(hdr, (c) => c.charCodeAt(0) & 0xff));
      parts.push(...seeds[i]!.subarray(0, 700));
    }
    return Uint8Array.from(parts);
  });

test('hostile ELF and archive bytes: only ElfFormatError, in bounds, bounded time (>= 10,000 cases)', () => {
  const runs = 2100;
  for (const arb of [truncations, byteMutations, fieldMutations, randomBuffers, bogusArchives]) {
    fc.assert(fc.property(arb, (bytes) => exercise(bytes)), { numRuns: runs });
  }
  // Every truncation of one real binary, not just sampled ones.
  const cet = seeds[1]!;
  for (let len = 0; len <= Math.min(cet.length, 4096); len++) exercise(cet.subarray(0, len));
  expect(cases).toBeGreaterThanOrEqual(10_000);
  expect(maxRead).toBeGreaterThan(0);
  // Both paths are exercised: plenty of cases still parse, plenty are rejected.
  expect(outcomes.ok).toBeGreaterThan(2000);
  expect(outcomes.formatError).toBeGreaterThan(2000);
  expect(slowest).toBeLessThan(500);
}, 60_000);

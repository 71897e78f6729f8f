// Data, padding and garbage in code sections must never crash the audit, and symbol tables that make no
// sense (outside the section, zero or huge sizes, nested, duplicated) must not either.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditCode } from '../../src/audit/index.js';
import type { CodeImage, FunctionSymbol } from '../../src/elf/types.js';

const symbol = fc.record({
  name: fc.constantFrom('f', 'g', 'f.avx2', '__strlen_avx2', 'main', '', 'x.ifunc'),
  addr: fc.bigInt({ min: 0x1000n - 64n, max: 0x1000n + 5000n }),
  size: fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 6000n }), fc.constant(2n ** 64n - 1n)),
  ifunc: fc.boolean(),
}) satisfies fc.Arbitrary<FunctionSymbol>;

describe('robustness', () => {
  it('never throws on random bytes and random symbols, and accounts for every byte', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 4096 }),
        fc.array(symbol, { maxLength: 12 }),
        fc.constantFrom(1, 2, 3, 4) as fc.Arbitrary<1 | 2 | 3 | 4>,
        fc.constantFrom(32, 64) as fc.Arbitrary<32 | 64>,
        (bytes, functions, level, bitness) => {
          const image: CodeImage = { bitness, sections: [{ name: '.text', addr: 0x1000n, bytes }], functions };
          const r = auditCode(image, level, { allow: ['g'] });
          expect(r.bytes).toBe(bytes.length);
          // Each valid instruction and each skipped invalid sequence takes at least one byte.
          expect(r.instructions + r.invalid).toBeLessThanOrEqual(bytes.length);
          expect(r.verdict).toBe(r.violations.length > 0 ? 'fail' : 'pass');
          for (const v of [...r.violations, ...r.guarded]) {
            expect(v.level).toBeGreaterThan(level);
            expect(v.count).toBeGreaterThan(0);
            expect(v.firstAddress >= 0x1000n && v.firstAddress < 0x1000n + BigInt(bytes.length)).toBe(true);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('decodes a megabyte of random bytes without crashing', () => {
    const bytes = new Uint8Array(1 << 20);
    let x = 0x12345678;
    for (let i = 0; i < bytes.length; i++) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      bytes[i] = x & 0xff;
    }
    const r = auditCode({ bitness: 64, sections: [{ name: '.text', addr: 0n, bytes }], functions: [] }, 1);
    expect(r.instructions).toBeGreaterThan(100_000);
    expect(r.invalid).toBeGreaterThan(0);
    // No symbols: findings are stretches of the section, named by section and offset.
    expect(r.violations.every((v) => v.name.startsWith('.text+0x'))).toBe(true);
  });

  it('attributes code outside every symbol to the section and the gap it lies in', () => {
    // 0x1000: ret; 0x1001..: vzeroupper (AVX) outside any symbol; f covers only the ret.
    const bytes = new Uint8Array([0xc3, 0xc5, 0xf8, 0x77, 0xc3]);
    const r = auditCode(
      { bitness: 64, sections: [{ name: '.text', addr: 0x1000n, bytes }], functions: [{ name: 'f', addr: 0x1000n, size: 1n, ifunc: false }] },
      2,
    );
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]).toMatchObject({ name: '.text+0x1', firstAddress: 0x1001n, example: 'vzeroupper', features: ['AVX'] });
  });

  it('treats an empty image as passing at the baseline', () => {
    const r = auditCode({ bitness: 64, sections: [], functions: [] }, 1);
    expect(r).toMatchObject({ instructions: 0, bytes: 0, maxLevel: 1, verdict: 'pass' });
  });
});

// Naming conventions of CPU-dispatched code, as gcc 12, clang 14 and glibc 2.36 actually spell them.

import { describe, expect, it } from 'vitest';
import { cloneTag, compileAllow, glibcMultiarchTag, guardOf, ifuncBase } from '../../src/audit/guards.js';

describe('clone names', () => {
  it.each([
    ['f.avx2', 'avx2'], ['f.arch_x86_64_v3', 'arch_x86_64_v3'], ['f.sse4_2', 'sse4_2'], ['_Z1hPii.avx2', 'avx2'],
    ['f.avx2.0', 'avx2'], ['f.arch_x86-64-v3.1', 'arch_x86-64-v3'], ['f.sse4.2.3', 'sse4'], ['f.avx512f.2', 'avx512f'],
    ['f.arch_haswell', 'arch_haswell'], ['f.avx2_bmi2', 'avx2_bmi2'], ['f.avx2.0.cold', 'avx2'],
  ])('%s is a clone (%s)', (name, tag) => expect(cloneTag(name)).toBe(tag));

  it.each(['f', 'f.constprop.0', 'f.isra.0', 'f.part.0', 'f.cold', 'f.default.3', 'f.resolver', 'f.lto_priv.0', '.avx2', 'shared.o'])(
    '%s is not a clone', (name) => expect(cloneTag(name)).toBeUndefined(),
  );
});

describe('glibc multiarch names', () => {
  it.each([
    ['__memcpy_avx_unaligned_erms', 'avx'], ['__strlen_avx2', 'avx2'], ['__strlen_evex', 'evex'],
    ['__memmove_avx512_unaligned_erms', 'avx512'], ['__wcsnlen_sse4_1', 'sse4'], ['__strcspn_sse42', 'sse42'],
    ['__memcpy_ssse3', 'ssse3'], ['__sin_fma', 'fma'], ['_dl_runtime_resolve_xsavec', 'xsavec'],
    ['__strchr_evex512', 'evex512'], ['__lll_lock_elision', 'rtm-elision'],
  ])('%s is multiarch (%s)', (name, tag) => expect(glibcMultiarchTag(name)).toBe(tag));

  it.each(['memcpy', 'avx2_helper', '__libc_start_main', '_start', '__avx2', 'my_avx2_kernel', '__strlen_sse2x'])(
    '%s is not', (name) => expect(glibcMultiarchTag(name)).toBeUndefined(),
  );
});

describe('guardOf', () => {
  const ctx = { ifuncs: new Set(['crc32', 'f']), allow: compileAllow(['vendor_*', 'x?y']) };

  it('excuses targets of an IFUNC when the rest of the name carries an ISA word', () => {
    expect(guardOf(['crc32_pclmul'], ctx)).toEqual({ reason: 'ifunc-target', detail: 'crc32' });
    expect(guardOf(['__crc32_avx512_vpclmulqdq'], ctx)).toEqual({ reason: 'ifunc-target', detail: 'crc32' });
    expect(guardOf(['crc32_helper'], ctx)).toBeUndefined();
    expect(guardOf(['crc32'], ctx)).toBeUndefined();
  });

  it('prefers the allow-list, and matches any alias', () => {
    expect(guardOf(['main', 'vendor_simd'], ctx)).toEqual({ reason: 'allow-list', detail: 'vendor_simd' });
    expect(guardOf(['xzy'], ctx)?.reason).toBe('allow-list');
    expect(guardOf(['xzzy'], ctx)).toBeUndefined();
    expect(guardOf(['vendor.x'], { ifuncs: new Set(), allow: compileAllow(['vendor.*']) })?.reason).toBe('allow-list');
    expect(guardOf(['vendorAx'], { ifuncs: new Set(), allow: compileAllow(['vendor.*']) })).toBeUndefined();
  });

  it('strips IFUNC suffixes the way gcc and clang name them', () => {
    expect(ifuncBase('f.ifunc')).toBe('f');
    expect(ifuncBase('f.resolver')).toBe('f');
    expect(ifuncBase('__memcpy')).toBe('memcpy');
  });

  it('has no allow-list regexp when there are no patterns', () => {
    expect(compileAllow([])).toBeUndefined();
    expect(compileAllow(undefined)).toBeUndefined();
  });
});

// The per-Code table: the level each instruction needs, including the exceptions to iced's CPUID view.

import { Code } from 'iced-x86';
import { describe, expect, it } from 'vitest';
import { codeTable, RANK_MASK, SELF_GUARDED } from '../../src/audit/code-table.js';
import { featureName } from '../../src/audit/features.js';

const rankOf = (bitness: number, code: number): number => codeTable(bitness).resolve(code) & RANK_MASK;

describe('code table', () => {
  it.each([
    ['Add_rm32_r32', 1], ['Cmovne_r32_rm32', 1], ['Addps_xmm_xmmm128', 1], ['Paddd_xmm_xmmm128', 1], ['Endbr64', 1],
    ['Nopd', 1], ['Pause', 1], ['Syscall', 1], ['Cpuid', 1], ['Tzcnt_r32_rm32', 1], ['Prefetchw_m8', 1],
    ['Pshufb_xmm_xmmm128', 2], ['Popcnt_r64_rm64', 2], ['Crc32_r32_rm8', 2], ['Cmpxchg16b_m128', 2], ['Lahf', 2],
    ['VEX_Vaddps_ymm_ymm_ymmm256', 3], ['VEX_Vpaddd_ymm_ymm_ymmm256', 3], ['VEX_Pdep_r32_r32_rm32', 3],
    ['Lzcnt_r32_rm32', 3], ['Movbe_r32_m32', 3], ['VEX_Vfmadd231ps_ymm_ymm_ymmm256', 3], ['VEX_Vcvtph2ps_xmm_xmmm64', 3],
    ['EVEX_Vpaddd_zmm_k1z_zmm_zmmm512b32', 4], ['EVEX_Vmovdqu8_zmm_k1z_zmmm512', 4],
    ['Aesenc_xmm_xmmm128', 5], ['Sha256rnds2_xmm_xmmm128', 5], ['Rdrand_r64', 5], ['Adcx_r64_rm64', 5],
    ['EVEX_Vpdpbusd_zmm_k1z_zmm_zmmm512b32', 5], ['Xbegin_rel32', 5],
  ] as const)('%s needs rank %i in 64-bit code', (name, rank) => {
    const code = (Code as unknown as Record<string, number>)[name];
    expect(code, name).toBeDefined();
    expect(rankOf(64, code!)).toBe(rank);
  });

  it('has LAHF at the baseline in 32-bit code, where every CPU has it', () => {
    expect(rankOf(32, Code.Lahf)).toBe(1);
    expect(codeTable(64).features[Code.Lahf]!.map(featureName)).toEqual(['LAHF-SAHF']);
  });

  it('marks instructions that only run after a runtime check', () => {
    expect(codeTable(64).resolve(Code.Xgetbv) & SELF_GUARDED).toBe(SELF_GUARDED);
    expect(codeTable(64).resolve(Code.Rdsspq_r64) & SELF_GUARDED).toBe(SELF_GUARDED);
    expect(codeTable(64).resolve(Code.Rdpkru) & SELF_GUARDED).toBe(SELF_GUARDED);
    expect(codeTable(64).resolve(Code.VEX_Vzeroupper) & SELF_GUARDED).toBe(0);
  });

  it('gives every iced Code a rank from 1 to 5, and INVALID the marker 0', () => {
    const t = codeTable(64);
    for (let c = 1; c < t.entry.length; c++) {
      const r = t.resolve(c) & RANK_MASK;
      expect(r >= 1 && r <= 5, `code ${c}`).toBe(true);
    }
    expect(t.entry[Code.INVALID]).toBe(0);
  });
});

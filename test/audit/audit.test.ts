// Real binaries built at test time with gcc 12 (and clang when installed): the audit must name the
// function that needs a higher level, excuse code behind CPU checks, and agree with readelf's view.

import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCode, formatAudit, type AuditResult, type FunctionFinding } from '../../src/audit/index.js';
import { readCodeImage } from '../../src/elf/index.js';
import { hasTool, loadImage, Workdir } from './helpers.js';

const VEC = `
void f(float *a, float *b, int n) { for (int i = 0; i < n; i++) a[i] += b[i] * 2.0f; }
int main(int argc, char **argv) { float a[256] = {0}, b[256] = {0}; f(a, b, argc * 100); return (int)a[3]; }
`;
const CLONES = `
__attribute__((target_clones("avx2", "arch=x86-64-v3", "default")))
void f(float *a, float *b, int n) { for (int i = 0; i < n; i++) a[i] += b[i] * 2.0f; }
int main(int argc, char **argv) { float a[256] = {0}, b[256] = {0}; f(a, b, argc * 100); return (int)a[3]; }
`;
const BMI2 = `
#include <immintrin.h>
__attribute__((noinline)) unsigned g(unsigned x, unsigned m) { return _pdep_u32(x, m); }
int main(int argc, char **argv) { return (int)g((unsigned)argc, 0xf0f0u); }
`;
const BMI1 = `
#include <immintrin.h>
__attribute__((noinline)) unsigned h(unsigned x, unsigned y) { return _andn_u32(x, y) + _blsr_u32(y); }
int main(int argc, char **argv) { return (int)h((unsigned)argc, 6u); }
`;
const CTZ = `
__attribute__((noinline)) int c(unsigned x) { return __builtin_ctz(x); }
int main(int argc, char **argv) { return c((unsigned)argc + 1); }
`;
const AES = `
#include <wmmintrin.h>
__attribute__((noinline)) __m128i enc(__m128i a, __m128i k) { return _mm_aesenc_si128(a, k); }
int main(int argc, char **argv) { __m128i x = _mm_set1_epi32(argc); return _mm_cvtsi128_si32(enc(x, x)); }
`;
const LAHF = `
__attribute__((noinline)) void flags(void) { __asm__ volatile ("lahf" ::: "rax"); }
int main(void) { flags(); return 0; }
`;
const STATIC = `
#include <string.h>
#include <stdio.h>
int main(int argc, char **argv) { char b[64]; memcpy(b, argv[0], 16); b[16] = 0; printf("%zu\\n", strlen(b)); return 0; }
`;

const names = (fs: readonly FunctionFinding[]): string[] => fs.map((x) => x.name);
const gcc = (w: Workdir, name: string, src: string, args: string[]): string => w.build('gcc', name, src, args);

describe('code audit on gcc binaries', () => {
  const w = new Workdir();
  const bin: Record<string, string> = {};
  beforeAll(() => {
    bin.v3 = gcc(w, 'vec3.c', VEC, ['-O3', '-march=x86-64-v3']);
    bin.v2 = gcc(w, 'vec2.c', VEC, ['-O3', '-march=x86-64-v2']);
    bin.v4 = gcc(w, 'vec4.c', VEC, ['-O3', '-march=x86-64-v4', '-mprefer-vector-width=512']);
    bin.clones = gcc(w, 'clones.c', CLONES, ['-O3']);
    bin.bmi2 = gcc(w, 'bmi2.c', BMI2, ['-O2', '-mbmi2']);
    bin.bmi1 = gcc(w, 'bmi1.c', BMI1, ['-O2', '-mbmi']);
    bin.ctz = gcc(w, 'ctz.c', CTZ, ['-O2']);
    bin.ctzBmi = gcc(w, 'ctzbmi.c', CTZ, ['-O2', '-mbmi']);
    bin.aes = gcc(w, 'aes.c', AES, ['-O2', '-maes']);
    bin.lahf = gcc(w, 'lahf.c', LAHF, ['-O2']);
  });
  afterAll(() => w.remove());

  it('fails a -march=x86-64-v3 vectorised loop at v2 and names the function, with its AVX features', () => {
    const r = auditCode(readCodeImage(bin.v3!), 2);
    expect(r.verdict).toBe('fail');
    expect(r.maxLevel).toBe(3);
    const f = r.violations.find((v) => v.name === 'f');
    expect(f, formatAudit(r).join('\n')).toBeDefined();
    expect(f!.level).toBe(3);
    expect(f!.features).toContain('AVX');
    expect(f!.example).toMatch(/^v/);
    expect(f!.count).toBeGreaterThan(0);
    // The first address lies inside f as nm sees it.
    const nm = execFileSync('nm', [bin.v3!], { encoding: 'utf8' });
    const fAddr = BigInt(`0x${/^([0-9a-f]+) T f$/m.exec(nm)![1]}`);
    expect(f!.firstAddress >= fAddr && f!.firstAddress < fAddr + 4096n).toBe(true);
    expect(formatAudit(r)).toContainEqual(expect.stringMatching(/^FAIL f: needs x86-64-v3 \(AVX.*\), \d+ instructions? from 0x/));
  });

  it('passes the same binary at v3 and v4', () => {
    const img = readCodeImage(bin.v3!);
    for (const level of [3, 4] as const) {
      const r = auditCode(img, level);
      expect(r.verdict, formatAudit(r).join('\n')).toBe('pass');
      expect(r.violations).toEqual([]);
    }
  });

  it('passes the loop built with -march=x86-64-v2 at v2 (SSE4 and POPCNT stay within it)', () => {
    const r = auditCode(readCodeImage(bin.v2!), 2);
    expect(r.verdict, formatAudit(r).join('\n')).toBe('pass');
    expect(r.maxLevel).toBeLessThanOrEqual(2);
  });

  it('fails 512-bit AVX-512 code at v3 with AVX512F', () => {
    const r = auditCode(readCodeImage(bin.v4!), 3);
    expect(r.verdict).toBe('fail');
    expect(r.maxLevel).toBe(4);
    expect(r.violations.find((v) => v.name === 'f')?.features).toContain('AVX512F');
    expect(auditCode(readCodeImage(bin.v4!), 4).verdict).toBe('pass');
  });

  it('reports BMI2 (pdep) and BMI1 (andn, blsr) by function', () => {
    const r2 = auditCode(readCodeImage(bin.bmi2!), 2);
    const g = r2.violations.find((v) => v.name === 'g');
    expect(g?.features).toEqual(['BMI2']);
    expect(g?.example).toBe('pdep');
    const r1 = auditCode(readCodeImage(bin.bmi1!), 2);
    expect(r1.violations.find((v) => v.name === 'h')?.features).toContain('BMI1');
  });

  it('does not flag __builtin_ctz: gcc emits the TZCNT bytes (rep bsf) even at the baseline', () => {
    const base = auditCode(readCodeImage(bin.ctz!), 1);
    expect(base.verdict, formatAudit(base).join('\n')).toBe('pass');
    // With -mbmi the bytes are the same, so the audit cannot and does not tell them apart.
    expect(auditCode(readCodeImage(bin.ctzBmi!), 1).verdict).toBe('pass');
  });

  it('ranks AES above every level: it fails even at v4', () => {
    const r = auditCode(readCodeImage(bin.aes!), 4);
    expect(r.verdict).toBe('fail');
    expect(r.maxLevel).toBe(5);
    const enc = r.violations.find((v) => v.name === 'enc');
    expect(enc?.features).toEqual(['AES']);
    expect(enc?.level).toBe(5);
    expect(formatAudit(r)[0]).toContain('beyond every level');
  });

  it('counts LAHF in 64-bit code as v2', () => {
    const r = auditCode(readCodeImage(bin.lahf!), 1);
    expect(r.violations.find((v) => v.name === 'flags')?.features).toEqual(['LAHF-SAHF']);
    expect(auditCode(readCodeImage(bin.lahf!), 2).verdict).toBe('pass');
  });

  it('guards gcc target_clones variants instead of failing them', () => {
    const r = auditCode(readCodeImage(bin.clones!), 2);
    expect(r.verdict, formatAudit(r, { showGuarded: true }).join('\n')).toBe('pass');
    expect(r.maxLevel).toBeLessThanOrEqual(2);
    expect(r.guardedMaxLevel).toBe(3);
    const clones = r.guarded.filter((g) => g.guard?.reason === 'target-clone');
    expect(names(clones)).toEqual(expect.arrayContaining(['f.avx2', 'f.arch_x86_64_v3']));
    // The resolver's CPU probe (xgetbv in libgcc's __cpu_indicator_init) is a runtime check, not a failure.
    expect(r.violations).toEqual([]);
  });

  it('honours the allow-list with globs, and only for the functions it names', () => {
    const img = readCodeImage(bin.v3!);
    const allowed = auditCode(img, 2, { allow: ['main', 'f*'] });
    expect(allowed.verdict).toBe('pass');
    expect(allowed.guarded.find((g) => g.name === 'f')?.guard).toEqual({ reason: 'allow-list', detail: 'f' });
    expect(allowed.maxLevel).toBeLessThanOrEqual(2);
    const other = auditCode(img, 2, { allow: ['g*', 'x?'] });
    expect(names(other.violations)).toContain('f');
  });

  it('keeps at most maxFindings and counts the rest', () => {
    const img = readCodeImage(bin.v3!);
    const all = auditCode(img, 1);
    expect(all.violations.length).toBeGreaterThan(1);
    const r = auditCode(img, 1, { maxFindings: 1 });
    expect(r.violations).toHaveLength(1);
    expect(r.omitted.violations).toBe(all.violations.length - 1);
    expect(r.verdict).toBe('fail');
    expect(formatAudit(r).some((l) => l.includes('more functions above the level'))).toBe(true);
  });

  it('agrees with an independent readelf-based loader', () => {
    const a = auditCode(readCodeImage(bin.v3!), 2);
    const b = auditCode(loadImage(bin.v3!), 2);
    expect(b.instructions).toBe(a.instructions);
    expect(b.bytes).toBe(a.bytes);
    expect(names(b.violations)).toEqual(names(a.violations));
  });

  it('audits a relocatable object with its function names', () => {
    const obj = w.build('gcc', 'obj.c', VEC, ['-O3', '-march=x86-64-v3', '-c'], 'obj.o');
    const r = auditCode(readCodeImage(obj), 2);
    expect(names(r.violations)).toContain('f');
  });
});

const libcA = execFileSync('gcc', ['-print-file-name=libc.a'], { encoding: 'utf8' }).trim();
describe.skipIf(!existsSync(libcA))('static glibc (libc.a present)', () => {
  const w = new Workdir();
  let r2: AuditResult;
  let r1: AuditResult;
  beforeAll(() => {
    const exe = w.build('gcc', 'static.c', STATIC, ['-O2', '-static']);
    const img = readCodeImage(exe);
    r2 = auditCode(img, 2);
    r1 = auditCode(img, 1);
  });
  afterAll(() => w.remove());

  it('passes at v2 because the multiarch AVX2/EVEX/AVX-512 string functions are guarded', () => {
    expect(r2.verdict, formatAudit(r2).join('\n')).toBe('pass');
    expect(r2.guardedMaxLevel).toBeGreaterThanOrEqual(4);
    const guardedNames = names(r2.guarded);
    expect(guardedNames.some((n) => /^__(memmove|memcpy)_avx_unaligned_erms$/.test(n))).toBe(true);
    expect(guardedNames.some((n) => /^__strlen_(avx2|evex)$/.test(n))).toBe(true);
    for (const g of r2.guarded) expect(['ifunc-target', 'glibc-multiarch', 'runtime-check']).toContain(g.guard?.reason);
  });

  it('passes at the baseline too: its SSE4/SSSE3 variants are guarded the same way', () => {
    expect(r1.verdict, formatAudit(r1).join('\n')).toBe('pass');
    expect(r1.maxLevel).toBe(1);
    expect(r1.guarded.some((g) => /_(ssse3|sse4_[12]|sse42)/.test(g.name) && g.level === 2)).toBe(true);
  });
});

const hasClang = hasTool('clang');
describe.skipIf(!hasClang)('code audit on clang binaries (skipped: `clang` is not on PATH)', () => {
  const w = new Workdir();
  afterAll(() => w.remove());

  it('fails a clang -march=x86-64-v3 vectorised loop at v2 naming f, passes it at v3', () => {
    const exe = w.build('clang', 'cvec.c', VEC, ['-O3', '-march=x86-64-v3']);
    const img = readCodeImage(exe);
    const r = auditCode(img, 2);
    expect(names(r.violations)).toContain('f');
    expect(auditCode(img, 3).verdict).toBe('pass');
  });

  it("guards clang's target_clones variants (f.avx2.0, f.arch_x86-64-v3.1)", () => {
    const exe = w.build('clang', 'cclones.c', CLONES, ['-O3']);
    const r = auditCode(readCodeImage(exe), 2);
    expect(r.verdict, formatAudit(r, { showGuarded: true }).join('\n')).toBe('pass');
    expect(names(r.guarded)).toEqual(expect.arrayContaining(['f.avx2.0', 'f.arch_x86-64-v3.1']));
  });
});

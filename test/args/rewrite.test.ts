import { describe, expect, it } from 'vitest';
import { rewriteDriverArgs, rewriteLinkerArgs } from '../../src/args/rewrite.js';
import type { Level } from '../../src/level.js';

const ctx = (level: Level, host: Level = 3) => ({ level, hostLevel: () => host });
const drv = (args: string[], level: Level = 2, host: Level = 3) => rewriteDriverArgs(args, ctx(level, host));
const lnk = (args: string[], level: Level = 2) => rewriteLinkerArgs(args, ctx(level));

describe('-march', () => {
  it.each([
    // [level, -march value, expected args before the rest]
    [2, 'x86-64-v3', ['-march=x86-64-v2']],
    [2, 'x86-64-v4', ['-march=x86-64-v2']],
    [1, 'x86-64-v2', ['-march=x86-64']],
    [3, 'x86-64-v4', ['-march=x86-64-v3']],
    [2, 'haswell', ['-mtune=haswell', '-march=x86-64-v2']],
    [2, 'skylake-avx512', ['-mtune=skylake-avx512', '-march=x86-64-v2']],
    [2, 'znver3', ['-mtune=znver3', '-march=x86-64-v2']],
    [1, 'nehalem', ['-mtune=nehalem', '-march=x86-64']],
    [2, 'Haswell', ['-mtune=Haswell', '-march=x86-64-v2']],
  ] as const)('at level %i, -march=%s is lowered', (level, cpu, expected) => {
    const r = drv(['-O2', `-march=${cpu}`, '-c', 'a.c'], level);
    expect(r.args).toEqual([...expected.filter((a) => a.startsWith('-mtune')), '-O2', ...expected.filter((a) => a.startsWith('-march')), '-c', 'a.c']);
    expect(r.rewrites.length).toBeGreaterThan(0);
  });

  it.each([
    [2, 'x86-64-v2'],
    [2, 'x86-64'],
    [2, 'nehalem'],
    [2, 'sandybridge'],
    [3, 'haswell'],
    [4, 'znver4'],
    [1, 'core2'],
  ] as const)('at level %i, -march=%s stays', (level, cpu) => {
    const args = ['-O2', `-march=${cpu}`, '-c', 'a.c'];
    expect(drv(args, level).args).toEqual(args);
    expect(drv(args, level).rewrites).toEqual([]);
  });

  it('native resolves to the host level', () => {
    expect(drv(['-march=native', '-c', 'a.c'], 2, 3).args).toEqual(['-mtune=native', '-march=x86-64-v2', '-c', 'a.c']);
    expect(drv(['-march=native', '-c', 'a.c'], 3, 3).args).toEqual(['-march=native', '-c', 'a.c']);
  });

  it('keeps an existing -mtune instead of adding one', () => {
    expect(drv(['-march=haswell', '-mtune=generic', '-c', 'a.c']).args).toEqual(['-march=x86-64-v2', '-mtune=generic', '-c', 'a.c']);
  });

  it('an unknown CPU name is pinned, with the reason', () => {
    const r = drv(['-march=futurelake', '-c', 'a.c']);
    expect(r.args).toEqual(['-march=x86-64-v2', '-c', 'a.c']);
    expect(r.rewrites[0]!.reason).toMatch(/unknown CPU 'futurelake'/);
  });

  it('every -march is rewritten, the last one still wins', () => {
    expect(drv(['-march=haswell', '-march=x86-64-v4', '-mtune=x', '-c', 'a.c']).args).toEqual([
      '-march=x86-64-v2', '-march=x86-64-v2', '-mtune=x', '-c', 'a.c',
    ]);
  });

  it('a compile without -march gets one; preprocessing and a plain object link do not', () => {
    expect(drv(['-c', 'a.c']).args).toEqual(['-march=x86-64-v2', '-c', 'a.c']);
    expect(drv(['-E', '-P', '-x', 'c', '-']).args).toEqual(['-E', '-P', '-x', 'c', '-']);
    expect(drv(['-E', '-march=x86-64-v3', 'a.c']).args).toEqual(['-E', '-march=x86-64-v2', 'a.c']);
    expect(drv(['-o', 'p', 'a.o', 'b.o']).args).toEqual(['-o', 'p', 'a.o', 'b.o']);
    expect(drv(['-o', 'p', 'a.c']).args).toEqual(['-march=x86-64-v2', '-o', 'p', 'a.c']);
    expect(drv(['-flto', '-o', 'p', 'a.o']).args).toEqual(['-march=x86-64-v2', '-flto', '-o', 'p', 'a.o']);
    expect(drv(['-c', 'a.s']).args).toEqual(['-c', 'a.s']);
    expect(drv(['-c', 'a.S']).args).toEqual(['-march=x86-64-v2', '-c', 'a.S']);
  });
});

describe('feature flags', () => {
  const v3 = ['-mavx', '-mavx2', '-mfma', '-mf16c', '-mbmi', '-mbmi2', '-mlzcnt', '-mmovbe', '-mxsave'];
  const v2 = ['-msse3', '-mssse3', '-msse4', '-msse4.1', '-msse4.2', '-mpopcnt', '-mcx16', '-msahf'];
  const v4 = ['-mavx512f', '-mavx512bw', '-mavx512vl', '-mavx512vnni', '-mavx512fp16'];
  it.each(v3)('%s is removed at v2 and kept at v3', (flag) => {
    expect(drv(['-march=x86-64-v2', flag, '-c', 'a.c'], 2).args).toEqual(['-march=x86-64-v2', '-c', 'a.c']);
    expect(drv(['-march=x86-64-v3', flag, '-c', 'a.c'], 3).args).toEqual(['-march=x86-64-v3', flag, '-c', 'a.c']);
  });
  it.each(v2)('%s is removed at baseline and kept at v2', (flag) => {
    expect(drv(['-march=x86-64', flag, '-c', 'a.c'], 1).args).toEqual(['-march=x86-64', '-c', 'a.c']);
    expect(drv(['-march=x86-64-v2', flag, '-c', 'a.c'], 2).args).toContain(flag);
  });
  it.each(v4)('%s is removed at v3', (flag) => {
    expect(drv(['-march=x86-64-v3', flag, '-c', 'a.c'], 3).args).not.toContain(flag);
  });
  it('AVX-512 extensions beyond v4 are removed even at v4', () => {
    expect(drv(['-march=x86-64-v4', '-mavx512vnni', '-mavx512f', '-c', 'a.c'], 4).args).toEqual(['-march=x86-64-v4', '-mavx512f', '-c', 'a.c']);
  });
  it('-mno-* flags and unrelated -m flags stay', () => {
    const args = ['-march=x86-64-v2', '-mno-avx2', '-mno-sse4.2', '-m64', '-mcmodel=small', '-mtune=haswell', '-mneeded', '-c', 'a.c'];
    expect(drv(args, 1).args).toEqual(['-march=x86-64', ...args.slice(1)]);
  });
});

describe('linker flags through the driver', () => {
  it('-Wl lists keep their other items', () => {
    expect(drv(['-o', 'p', 'a.o', '-Wl,-O1,-z,x86-64-v3,--as-needed']).args).toEqual(['-o', 'p', 'a.o', '-Wl,-O1,-z,x86-64-v2,--as-needed']);
  });
  it('at baseline the -z pair is dropped, the rest kept', () => {
    expect(drv(['-o', 'p', 'a.o', '-Wl,-O1,-z,x86-64-v3,--as-needed'], 1).args).toEqual(['-o', 'p', 'a.o', '-Wl,-O1,--as-needed']);
    expect(drv(['-o', 'p', 'a.o', '-Wl,-z,x86-64-v3'], 1).args).toEqual(['-o', 'p', 'a.o']);
  });
  it('-Wl,-zx86-64-v3 and the driver -z', () => {
    expect(drv(['a.o', '-Wl,-zx86-64-v3']).args).toEqual(['a.o', '-Wl,-zx86-64-v2']);
    expect(drv(['a.o', '-z', 'x86-64-v4']).args).toEqual(['a.o', '-z', 'x86-64-v2']);
    expect(drv(['a.o', '-z', 'x86-64-v4'], 1).args).toEqual(['a.o']);
  });
  it('-Xlinker pairs, also a -z split over two of them', () => {
    expect(drv(['a.o', '-Xlinker', '-zx86-64-v3']).args).toEqual(['a.o', '-Xlinker', '-zx86-64-v2']);
    expect(drv(['a.o', '-Xlinker', '-z', '-Xlinker', 'x86-64-v3']).args).toEqual(['a.o', '-Xlinker', '-z', '-Xlinker', 'x86-64-v2']);
    expect(drv(['a.o', '-Xlinker', '-z', '-Xlinker', 'x86-64-v3'], 1).args).toEqual(['a.o']);
  });
  it('never passes -z x86-64-baseline', () => {
    expect(drv(['a.o', '-Wl,-z,x86-64-baseline,-O1'], 3).args).toEqual(['a.o', '-Wl,-O1']);
  });
  it('LTO link-time CPU options', () => {
    expect(drv(['a.o', '-Wl,-plugin-opt=mcpu=znver3']).args).toEqual(['a.o', '-Wl,-plugin-opt=mcpu=x86-64-v2']);
    expect(drv(['a.o', '-Wl,--plugin-opt=mcpu=x86-64-v3']).args).toEqual(['a.o', '-Wl,--plugin-opt=mcpu=x86-64-v2']);
    expect(drv(['a.o', '-Wl,-mllvm,-mcpu=haswell']).args).toEqual(['a.o', '-Wl,-mllvm,-mcpu=x86-64-v2']);
    expect(drv(['a.o', '-Wl,-plugin-opt=mcpu=nehalem']).args).toEqual(['a.o', '-Wl,-plugin-opt=mcpu=nehalem']);
  });
  it('linker flags of a non-link step are left alone', () => {
    expect(drv(['-c', 'a.c', '-march=x86-64-v2', '-Wl,-z,x86-64-v3']).args).toEqual(['-c', 'a.c', '-march=x86-64-v2', '-Wl,-z,x86-64-v3']);
  });
  it('unknown -z keywords and options pass through in order', () => {
    const args = ['-o', 'p', 'a.o', '-Wl,-z,relro,-z,now', '-z', 'noexecstack', '--frobnicate', '-Wfoo'];
    expect(drv(args).args).toEqual(args);
  });
});

describe('isa-hostld', () => {
  it.each([
    [['-o', 'p', 'a.o', '-z', 'x86-64-v3'], ['-o', 'p', 'a.o', '-z', 'x86-64-v2']],
    [['-o', 'p', 'a.o', '-zx86-64-v4'], ['-o', 'p', 'a.o', '-zx86-64-v2']],
    [['-o', 'p', 'a.o', '--plugin-opt=mcpu=haswell'], ['-o', 'p', 'a.o', '--plugin-opt=mcpu=x86-64-v2']],
    [['-o', 'p', 'a.o', '-plugin-opt', 'mcpu=znver3'], ['-o', 'p', 'a.o', '-plugin-opt', 'mcpu=x86-64-v2']],
    [['-o', 'p', 'a.o', '-mllvm', '-mcpu=x86-64-v3'], ['-o', 'p', 'a.o', '-mllvm', '-mcpu=x86-64-v2']],
    [['-r', '-o', 'p.o', 'a.o', '-z', 'x86-64-v3', '-z', 'now'], ['-r', '-o', 'p.o', 'a.o', '-z', 'x86-64-v2', '-z', 'now']],
  ])('%j -> %j', (args, expected) => {
    expect(lnk(args).args).toEqual(expected);
  });
  it('drops the pair at baseline', () => {
    expect(lnk(['-o', 'p', 'a.o', '-z', 'x86-64-v3'], 1).args).toEqual(['-o', 'p', 'a.o']);
  });
  it('queries run untouched', () => {
    expect(lnk(['--version']).info.step).toBe('query');
    expect(lnk(['-v']).info.step).toBe('query');
  });
});

describe('queries are untouched', () => {
  it.each([
    [[]],
    [['--version']],
    [['-v']],
    [['-dumpversion']],
    [['-dumpfullversion']],
    [['-dumpmachine']],
    [['-print-file-name=plugin']],
    [['-print-prog-name=cc1']],
    [['-march=native', '-Q', '--help=target']],
    [['-###', '-march=x86-64-v3', '-c', 'a.c']],
    [['--help']],
  ])('%j', (args) => {
    const r = drv(args);
    expect(r.info.step).toBe('query');
    expect(r.args).toEqual(args);
    expect(r.rewrites).toEqual([]);
  });
});

describe('linearity', () => {
  it('handles 200,000 arguments in one pass', () => {
    const args = Array.from({ length: 200_000 }, (_, i) => (i % 3 === 0 ? `-Wl,-z,x86-64-v3` : `o${i}.o`));
    const r = drv(['-o', 'p', ...args]);
    expect(r.args.length).toBe(200_002);
    expect(r.args.filter((a) => a === '-Wl,-z,x86-64-v2').length).toBe(66_667);
  });
});

// Kernel configuration -> level, for every symbol family: X86_64_VERSION, GENERIC_CPU2/3/4, the
// more-uarches patch table, -march=native choices, mainline choices and defconfig.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KERNEL_MARCH, detectKernelLevel, kernelConfigCandidates, levelFromKconfig, parseKconfig } from '../../src/detect/kernel.js';
import { cpuLevel } from '../../src/level.js';
import { scratch, write } from '../config/helpers.js';

const level = (text: string) => levelFromKconfig(parseKconfig(text), '/k/.config');

describe('symbol families', () => {
  it.each([1, 2, 3, 4])('CONFIG_X86_64_VERSION=%d with GENERIC_CPU', (n) => {
    expect(level(`CONFIG_X86_64=y\nCONFIG_GENERIC_CPU=y\nCONFIG_X86_64_VERSION=${n}\n`)).toMatchObject({ level: n, symbol: 'CONFIG_X86_64_VERSION' });
  });

  it.each([2, 3, 4])('CONFIG_GENERIC_CPU%d', (n) => {
    expect(level(`CONFIG_X86_64=y\nCONFIG_GENERIC_CPU${n}=y\n`)).toMatchObject({ level: n, symbol: `CONFIG_GENERIC_CPU${n}`, file: '/k/.config' });
  });

  // The table from graysky2's kernel_compiler_patch (more-ISA-levels-and-uarches, 5.17 .. 6.16+).
  const expected: Record<string, number> = {
    MK8: 1, MK8SSE3: 1, MK10: 1, MBARCELONA: 1, MBOBCAT: 1, MJAGUAR: 2, MBULLDOZER: 2, MPILEDRIVER: 2,
    MSTEAMROLLER: 2, MEXCAVATOR: 3, MZEN: 3, MZEN2: 3, MZEN3: 3, MZEN4: 4, MZEN5: 4,
    MPSC: 1, MCORE2: 1, MATOM: 1, MNEHALEM: 2, MWESTMERE: 2, MSILVERMONT: 2, MGOLDMONT: 2, MGOLDMONTPLUS: 2,
    MSANDYBRIDGE: 2, MIVYBRIDGE: 2, MHASWELL: 3, MBROADWELL: 3, MSKYLAKE: 3, MSKYLAKEX: 4, MCANNONLAKE: 4,
    MICELAKE: 4, MICELAKE_CLIENT: 4, MICELAKE_SERVER: 4, MCASCADELAKE: 4, MCOOPERLAKE: 4, MTIGERLAKE: 4,
    MSAPPHIRERAPIDS: 4, MROCKETLAKE: 4, MALDERLAKE: 3, MRAPTORLAKE: 3, MMETEORLAKE: 3, MEMERALDRAPIDS: 4,
    MDIAMONDRAPIDS: 4,
  };
  it('the table covers the whole patch, and every -march it names is in the CPU table', () => {
    expect(Object.keys(KERNEL_MARCH).sort()).toEqual(Object.keys(expected).sort());
    for (const march of Object.values(KERNEL_MARCH)) expect(cpuLevel(march), march).toBeDefined();
  });
  it.each(Object.entries(expected))('CONFIG_%s is level %d', (sym, n) => {
    const r = level(`CONFIG_64BIT=y\nCONFIG_X86_64=y\nCONFIG_${sym}=y\n# CONFIG_GENERIC_CPU is not set\n`);
    expect(r).toMatchObject({ level: n, symbol: `CONFIG_${sym}` });
    expect(r!.detail).toBe(`CONFIG_${sym}=y (-march=${KERNEL_MARCH[sym]})`);
  });

  it.each(['MNATIVE_INTEL', 'MNATIVE_AMD', 'X86_NATIVE_CPU'])('CONFIG_%s is the host level', (sym) => {
    expect(level(`CONFIG_X86_64=y\nCONFIG_${sym}=y\n`)).toMatchObject({ level: 'host', symbol: `CONFIG_${sym}` });
  });

  it('mainline: GENERIC_CPU is baseline; x86_64 defconfig (no choice) is baseline', () => {
    expect(level('CONFIG_X86_64=y\nCONFIG_GENERIC_CPU=y\n')).toMatchObject({ level: 1, symbol: 'CONFIG_GENERIC_CPU' });
    expect(level('CONFIG_64BIT=y\nCONFIG_X86_64=y\nCONFIG_X86=y\n')).toMatchObject({ level: 1, symbol: 'CONFIG_X86_64' });
  });

  it('a kernel for another architecture leaves host tools at baseline', () => {
    expect(level('CONFIG_ARM64=y\nCONFIG_MZEN3=y\n')).toMatchObject({ level: 1, symbol: 'CONFIG_ARM64' });
    expect(level('CONFIG_X86_32=y\nCONFIG_MCORE2=y\n')).toMatchObject({ level: 1, symbol: 'CONFIG_X86_32' });
  });

  it('a file without CONFIG_ lines is not a kernel config', () => {
    expect(level('hello\n')).toBeUndefined();
  });

  it('reads auto.conf syntax too', () => {
    expect(level('CONFIG_X86_64=y\nCONFIG_X86_64_VERSION=3\nCONFIG_CC_VERSION_TEXT="gcc (GCC) 14.1"\n')).toMatchObject({ level: 3 });
  });
});

describe('finding the kernel configuration', () => {
  it('KCONFIG_CONFIG (relative to objtree), then .config and auto.conf in cwd, objtree, srctree', () => {
    expect(kernelConfigCandidates({ KCONFIG_CONFIG: 'my.config', objtree: '/o', srctree: '/s' }, '/w')).toEqual([
      '/o/my.config', '/w/.config', '/w/include/config/auto.conf', '/o/.config', '/o/include/config/auto.conf',
      '/s/.config', '/s/include/config/auto.conf',
    ]);
    expect(kernelConfigCandidates({ srctree: '.' }, '/w')).toEqual(['/w/.config', '/w/include/config/auto.conf']);
  });

  it('uses the first that is a kernel config, naming the file', () => {
    const dir = scratch('isa-kernel-');
    const auto = write(join(dir, 'include/config/auto.conf'), 'CONFIG_X86_64=y\nCONFIG_MSKYLAKEX=y\n');
    expect(detectKernelLevel({}, dir).result).toMatchObject({ level: 4, symbol: 'CONFIG_MSKYLAKEX', file: auto });
    const dot = write(join(dir, '.config'), 'CONFIG_X86_64=y\nCONFIG_MZEN3=y\n');
    expect(detectKernelLevel({}, dir).result).toMatchObject({ level: 3, file: dot });
    const kc = write(join(dir, 'alt.config'), 'CONFIG_X86_64=y\nCONFIG_GENERIC_CPU2=y\n');
    expect(detectKernelLevel({ KCONFIG_CONFIG: 'alt.config' }, dir).result).toMatchObject({ level: 2, file: kc });
  });

  it('an O= build: cwd is the object dir, srctree holds nothing; objtree/srctree are looked at too', () => {
    const dir = scratch('isa-kernel-');
    mkdirSync(join(dir, 'elsewhere'));
    const cfg = write(join(dir, 'src/.config'), 'CONFIG_X86_64=y\nCONFIG_MCORE2=y\n');
    expect(detectKernelLevel({ srctree: join(dir, 'src') }, join(dir, 'elsewhere')).result).toMatchObject({ level: 1, symbol: 'CONFIG_MCORE2', file: cfg });
  });

  it('a .config directory, a FIFO or a non-kernel file is skipped, never read', () => {
    const dir = scratch('isa-kernel-');
    mkdirSync(join(dir, '.config'));
    execFileSync('mkfifo', [join(dir, 'include-fifo')]);
    write(join(dir, 'notkernel/.config'), 'just some text\n');
    expect(detectKernelLevel({ KCONFIG_CONFIG: join(dir, 'include-fifo') }, dir)).toEqual({
      result: undefined,
      probed: [join(dir, 'include-fifo'), join(dir, '.config'), join(dir, 'include/config/auto.conf')],
    });
    expect(detectKernelLevel({}, join(dir, 'notkernel')).result).toBeUndefined();
  });
});

// Host level from /proc/cpuinfo, by glibc's rules, checked against ld.so --help on this machine.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectHostLevel, hostLevelFromFlags, levelFromLdSoHelp, parseCpuinfoFlags } from '../../src/detect/host.js';
import { scratch, write } from '../config/helpers.js';

const BASE = 'fpu cx8 cmov mmx fxsr sse sse2';
const V2 = 'pni ssse3 cx16 sse4_1 sse4_2 popcnt lahf_lm';
const V3 = 'avx avx2 bmi1 bmi2 f16c fma abm movbe xsave';
const V4 = 'avx512f avx512bw avx512cd avx512dq avx512vl';
const lvl = (flags: string) => hostLevelFromFlags(new Set(flags.split(/\s+/).filter(Boolean))).level;

describe('host level from flags', () => {
  it('each level needs all of its flags and all lower ones', () => {
    expect(lvl(BASE)).toBe(1);
    expect(lvl(`${BASE} ${V2}`)).toBe(2);
    expect(lvl(`${BASE} ${V2} ${V3}`)).toBe(3);
    expect(lvl(`${BASE} ${V2} ${V3} ${V4}`)).toBe(4);
    expect(lvl(`${BASE} ${V3} ${V4}`)).toBe(1); // no v2 flags: levels are cumulative
  });
  it.each(V2.split(' ').concat(V3.split(' ')))('missing %s lowers the level', (flag) => {
    const all = `${BASE} ${V2} ${V3}`.split(' ').filter((f) => f !== flag).join(' ');
    expect(lvl(all)).toBeLessThan(3);
  });
  it('accepts the aliases sse3 (for pni) and lzcnt (for abm)', () => {
    expect(lvl(`${BASE} ${V2.replace('pni', 'sse3')} ${V3.replace('abm', 'lzcnt')}`)).toBe(3);
  });
  it('a hybrid machine is judged by the flags every core has', () => {
    const text = `processor : 0\nflags : ${BASE} ${V2} ${V3} ${V4}\n\nprocessor : 1\nflags : ${BASE} ${V2} ${V3}\n`;
    expect(hostLevelFromFlags(parseCpuinfoFlags(text)).level).toBe(3);
  });
  it('reports the flags behind each level and those missing', () => {
    const h = hostLevelFromFlags(new Set(`${BASE} ${V2} avx`.split(' ')));
    expect(h.levels[1]).toEqual({ level: 2, present: ['cx16', 'lahf_lm', 'popcnt', 'pni', 'sse4_1', 'sse4_2', 'ssse3'], missing: [] });
    expect(h.levels[2]!.missing).toEqual(['avx2', 'bmi1', 'bmi2', 'f16c', 'fma', 'abm', 'movbe', 'xsave']);
  });
  it('no cpuinfo: baseline', () => {
    expect(detectHostLevel('/nonexistent/cpuinfo').level).toBe(1);
  });
  it('reads a cpuinfo file once per process', () => {
    const p = write(join(scratch(), 'cpuinfo'), `flags : ${BASE} ${V2}\n`);
    expect(detectHostLevel(p).level).toBe(2);
    writeFileSync(p, `flags : ${BASE}\n`);
    expect(detectHostLevel(p).level).toBe(2);
  });
});

describe('agrees with glibc on this machine', () => {
  const ldso = ['/lib64/ld-linux-x86-64.so.2', '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'].find(existsSync);
  it.skipIf(!ldso)('detectHostLevel() == highest "x86-64-vN (supported, searched)" of ld.so --help', () => {
    const help = execFileSync(ldso!, ['--help'], { encoding: 'utf8' });
    expect(help).toMatch(/glibc-hwcaps/);
    expect(detectHostLevel().level).toBe(levelFromLdSoHelp(help));
  });
  it('parses ld.so --help', () => {
    expect(levelFromLdSoHelp('  x86-64-v4\n  x86-64-v3 (supported, searched)\n  x86-64-v2 (supported, searched)\n')).toBe(3);
    expect(levelFromLdSoHelp('  x86-64-v4\n  x86-64-v3\n  x86-64-v2\n')).toBe(1);
  });
});

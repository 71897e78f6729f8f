// ISA_* environment > config file > defaults, and the origin string of every value.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveSettings } from '../../src/config/index.js';
import { baseEnv, scratch, write } from './helpers.js';

describe('precedence and provenance', () => {
  it('defaults, each marked "default"', () => {
    const s = resolveSettings({ env: baseEnv(), cwd: scratch() });
    expect(s.levelRequest).toEqual({ value: 'auto', origin: 'default' });
    expect(s.level.value).toBe(1);
    expect(s.level.origin).toBe('auto: no kernel configuration found, x86-64 (level auto from default)');
    expect(s.cc).toEqual({ value: undefined, origin: 'default' });
    expect(s.onViolation).toEqual({ value: 'fix', origin: 'default' });
    expect(s.audit).toEqual({ value: 'on-violation', origin: 'default' });
    expect(s.allow).toEqual({ value: [], origin: 'default' });
    expect(s.log).toEqual({ value: undefined, origin: 'default' });
    expect(s.debug).toEqual({ value: false, origin: 'default' });
  });

  it('a file overrides defaults, key by key, with "<file> (key <k>)"', () => {
    const dir = scratch();
    const f = write(join(dir, '.isarc'), [
      'level: v3', 'cc: ccache gcc', 'cxx: [distcc, g++]', 'ld: ld.bfd', 'onViolation: error',
      'audit: always', 'allow: [memcpy_*]', 'log: logs/isa.jsonl', 'debug: true',
    ].join('\n'));
    const s = resolveSettings({ env: baseEnv(), cwd: dir, uid: 0 });
    expect(s.level).toEqual({ value: 3, origin: `${f} (key level)` });
    expect(s.levelRequest).toEqual({ value: 3, origin: `${f} (key level)` });
    expect(s.cc).toEqual({ value: ['ccache', 'gcc'], origin: `${f} (key cc)` });
    expect(s.cxx).toEqual({ value: ['distcc', 'g++'], origin: `${f} (key cxx)` });
    expect(s.ld).toEqual({ value: ['ld.bfd'], origin: `${f} (key ld)` });
    expect(s.onViolation).toEqual({ value: 'error', origin: `${f} (key onViolation)` });
    expect(s.audit).toEqual({ value: 'always', origin: `${f} (key audit)` });
    expect(s.allow).toEqual({ value: ['memcpy_*'], origin: `${f} (key allow)` });
    // a relative log path is relative to the file, so it is the same file from any kbuild directory
    expect(s.log).toEqual({ value: join(dir, 'logs/isa.jsonl'), origin: `${f} (key log)` });
    expect(s.debug).toEqual({ value: true, origin: `${f} (key debug)` });
  });

  it('ISA_* variables override the file, with "env <NAME>"', () => {
    const dir = scratch();
    write(join(dir, '.isarc'), 'level: v3\ncc: clang\nonViolation: error\naudit: off\nallow: [a]\nlog: /tmp/x\ndebug: true\n');
    const s = resolveSettings({
      cwd: dir, uid: 0,
      env: baseEnv({
        ISA_LEVEL: 'x86-64-v2', ISA_HOSTCC: '  ccache   gcc-12 ', ISA_HOSTCXX: 'g++', ISA_HOSTLD: 'ld.gold',
        ISA_ON_VIOLATION: 'warn', ISA_AUDIT: 'always', ISA_ALLOW: 'foo_*, bar ,,', ISA_LOG: 'rel.log', ISA_DEBUG: '0',
      }),
    });
    expect(s.level).toEqual({ value: 2, origin: 'env ISA_LEVEL' });
    expect(s.cc).toEqual({ value: ['ccache', 'gcc-12'], origin: 'env ISA_HOSTCC' });
    expect(s.cxx).toEqual({ value: ['g++'], origin: 'env ISA_HOSTCXX' });
    expect(s.ld).toEqual({ value: ['ld.gold'], origin: 'env ISA_HOSTLD' });
    expect(s.onViolation).toEqual({ value: 'warn', origin: 'env ISA_ON_VIOLATION' });
    expect(s.audit).toEqual({ value: 'always', origin: 'env ISA_AUDIT' });
    expect(s.allow).toEqual({ value: ['foo_*', 'bar'], origin: 'env ISA_ALLOW' });
    expect(s.log).toEqual({ value: join(dir, 'rel.log'), origin: 'env ISA_LOG' });
    expect(s.debug).toEqual({ value: false, origin: 'env ISA_DEBUG' });
  });

  it('empty variables: ISA_LEVEL= and ISA_HOSTCC= mean unset, ISA_LOG= turns the file\'s log off', () => {
    const dir = scratch();
    const f = write(join(dir, '.isarc'), 'level: v3\ncc: clang\nlog: /tmp/x.log\n');
    const s = resolveSettings({ cwd: dir, uid: 0, env: baseEnv({ ISA_LEVEL: '', ISA_HOSTCC: ' ', ISA_LOG: '' }) });
    expect(s.level.origin).toBe(`${f} (key level)`);
    expect(s.cc.origin).toBe(`${f} (key cc)`);
    expect(s.log).toEqual({ value: undefined, origin: 'env ISA_LOG' });
  });

  it.each([['1', true], ['yes', true], ['on', true], ['TRUE', true], ['0', false], ['no', false], ['off', false]])(
    'ISA_DEBUG=%s is %s', (v, expected) => {
      expect(resolveSettings({ env: baseEnv({ ISA_DEBUG: v }), cwd: scratch() }).debug.value).toBe(expected);
    },
  );

  it.each([['baseline', 1], ['v1', 1], ['1', 1], ['x86-64', 1], ['v2', 2], ['x86-64-v3', 3], ['4', 4], ['X86-64-V4', 4]])(
    'ISA_LEVEL=%s is level %d', (v, n) => {
      expect(resolveSettings({ env: baseEnv({ ISA_LEVEL: v }), cwd: scratch() }).level.value).toBe(n);
    },
  );

  it('level host comes from the CPU flags, with the source in the origin', () => {
    const dir = scratch();
    const cpuinfo = write(join(dir, 'cpuinfo'), 'processor : 0\nflags : fpu cx8 cmov mmx fxsr sse sse2 pni ssse3 cx16 sse4_1 sse4_2 popcnt lahf_lm\n');
    const s = resolveSettings({ env: baseEnv({ ISA_LEVEL: 'host' }), cwd: dir, cpuinfoPath: cpuinfo });
    expect(s.levelRequest).toEqual({ value: 'host', origin: 'env ISA_LEVEL' });
    expect(s.level).toEqual({ value: 2, origin: `host ${cpuinfo} (level host from env ISA_LEVEL)` });
  });

  it('level kernel / auto read the kernel configuration and name its symbol and file', () => {
    const dir = scratch();
    const cfg = write(join(dir, '.config'), 'CONFIG_X86_64=y\nCONFIG_MZEN3=y\n');
    const auto = resolveSettings({ env: baseEnv(), cwd: dir });
    expect(auto.level).toEqual({ value: 3, origin: `kernel CONFIG_MZEN3 in ${cfg}` });
    const f = write(join(dir, '.isarc'), 'level: kernel\n');
    const k = resolveSettings({ env: baseEnv(), cwd: dir, uid: 0 });
    expect(k.levelRequest).toEqual({ value: 'kernel', origin: `${f} (key level)` });
    expect(k.level).toEqual({ value: 3, origin: `kernel CONFIG_MZEN3 in ${cfg}` });
  });

  it('auto with a -march=native kernel (MNATIVE_*) takes the host level', () => {
    const dir = scratch();
    const cfg = write(join(dir, '.config'), 'CONFIG_X86_64=y\nCONFIG_MNATIVE_AMD=y\n');
    const cpuinfo = write(join(dir, 'cpuinfo'), 'flags : fpu cx8 cmov mmx fxsr sse sse2\n');
    const s = resolveSettings({ env: baseEnv(), cwd: dir, cpuinfoPath: cpuinfo });
    expect(s.level).toEqual({ value: 1, origin: `host ${cpuinfo} (kernel CONFIG_MNATIVE_AMD in ${cfg} builds with -march=native)` });
  });

  it('an explicit level in the environment wins over the kernel', () => {
    const dir = scratch();
    write(join(dir, '.config'), 'CONFIG_X86_64=y\nCONFIG_GENERIC_CPU4=y\n');
    expect(resolveSettings({ env: baseEnv({ ISA_LEVEL: 'v2' }), cwd: dir }).level).toEqual({ value: 2, origin: 'env ISA_LEVEL' });
  });
});

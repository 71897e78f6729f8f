// The config / detect / env / doctor command functions.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configCommand, defaultBinDir, detectCommand, doctorCommand, envCommand } from '../../src/config/commands.js';
import { isaNeededFromReadelf, type Runner } from '../../src/config/doctor.js';
import { baseEnv, scratch, shimError, write } from './helpers.js';

describe('config', () => {
  it('prints each setting with its origin, the file and the search order; --json has the same', () => {
    const dir = scratch();
    const f = write(join(dir, '.isarc'), 'level: v2\ncc: ccache gcc\n');
    const ctx = { env: baseEnv({ ISA_ON_VIOLATION: 'warn' }), cwd: dir, uid: 0 };
    const text = configCommand(ctx).stdout;
    expect(text).toMatch(new RegExp(`^level +x86-64-v2 +${f.replace(/\./g, '\\.')} \\(key level\\)$`, 'm'));
    expect(text).toMatch(/^cc +ccache gcc +.*\(key cc\)$/m);
    expect(text).toMatch(/^onViolation +warn +env ISA_ON_VIOLATION$/m);
    expect(text).toContain(`config file: ${f} (cwd)`);
    expect(text).toMatch(new RegExp(`^  cwd +${dir}$`, 'm'));
    const j = JSON.parse(configCommand(ctx, { json: true }).stdout);
    expect(j.settings.level).toEqual({ value: 2, origin: `${f} (key level)` });
    expect(j.file).toBe(f);
    expect(j.cache).toBe('off');
  });
});

describe('detect', () => {
  it('host flags, kernel symbol, effective level', () => {
    const dir = scratch();
    const cfg = write(join(dir, '.config'), 'CONFIG_X86_64=y\nCONFIG_MZEN4=y\n');
    const cpuinfo = write(join(dir, 'cpuinfo'), 'flags : fpu cx8 cmov mmx fxsr sse sse2 pni ssse3 cx16 sse4_1 sse4_2 popcnt lahf_lm\n');
    const ctx = { env: baseEnv(), cwd: dir, cpuinfoPath: cpuinfo };
    const r = detectCommand(ctx);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`host:      x86-64-v2 (from ${cpuinfo})`);
    expect(r.stdout).toContain(`kernel:    x86-64-v4 from CONFIG_MZEN4 in ${cfg}`);
    expect(r.stdout).toContain(`effective: x86-64-v4 (kernel CONFIG_MZEN4 in ${cfg})`);
    const j = JSON.parse(detectCommand(ctx, { json: true }).stdout);
    expect(j.host.level).toBe(2);
    expect(j.host.levels[2].missing).toContain('avx2');
    expect(j.kernel).toMatchObject({ level: 4, symbol: 'CONFIG_MZEN4', file: cfg });
    expect(j.effective).toEqual({ value: 4, origin: `kernel CONFIG_MZEN4 in ${cfg}` });
  });
  it('a bad config is shown, exit 2', () => {
    const dir = scratch();
    write(join(dir, '.isarc'), 'level: v9\n');
    const r = detectCommand({ env: baseEnv(), cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toMatch(/effective: error: .*key "level" has value "v9"/);
  });
});

describe('env', () => {
  it('sh, fish, make, json', () => {
    expect(envCommand('/opt/isa shim/bin').stdout).toBe(
      "export HOSTCC='/opt/isa shim/bin/isa-hostcc';\nexport HOSTCXX='/opt/isa shim/bin/isa-hostcxx';\nexport HOSTLD='/opt/isa shim/bin/isa-hostld';\n",
    );
    expect(envCommand('/b', { shell: 'fish' }).stdout).toBe('set -gx HOSTCC /b/isa-hostcc;\nset -gx HOSTCXX /b/isa-hostcxx;\nset -gx HOSTLD /b/isa-hostld;\n');
    expect(envCommand('/b', { shell: 'make' }).stdout).toBe('HOSTCC=/b/isa-hostcc HOSTCXX=/b/isa-hostcxx HOSTLD=/b/isa-hostld\n');
    expect(JSON.parse(envCommand('/b', { json: true }).stdout)).toEqual({ HOSTCC: '/b/isa-hostcc', HOSTCXX: '/b/isa-hostcxx', HOSTLD: '/b/isa-hostld' });
    expect(shimError(() => envCommand('/b', { shell: 'csh' })).code).toBe(2);
  });
  it('defaultBinDir finds bin/ next to dist/ or src/', () => {
    expect(defaultBinDir('/p/dist')).toBe('/p/bin');
    expect(defaultBinDir('/p/src/config')).toBe('/p/bin');
  });
});

describe('doctor', () => {
  const fake = (over: Record<string, string | undefined>): Runner => (cmd, args) => {
    const key = `${cmd} ${args.join(' ')}`;
    const hit = Object.entries(over).find(([k]) => key.startsWith(k));
    if (!hit || hit[1] === undefined) return undefined;
    return { status: 0, stdout: hit[1], stderr: '' };
  };
  it('old toolchain: FAIL/WARN lines with what to do, exit 1', () => {
    const dir = scratch();
    const r = doctorCommand({ env: baseEnv({ ISA_LEVEL: 'v2' }), cwd: dir }, {
      run: fake({
        'gcc -dump': '10.2.1\n', 'clang -dumpversion': '11.0.0\n', 'ld --version': 'GNU ld (GNU Binutils) 2.35.2\n',
        'ld.lld --version': 'LLD 11.0.0\n', 'gcc -print-file-name=Scrt1.o': '/x/Scrt1.o\n',
        'readelf -n /x/Scrt1.o': '      Properties: x86 ISA needed: x86-64-baseline, x86-64-v3\n',
        'getconf GNU_LIBC_VERSION': 'glibc 2.31\n',
      }),
    });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^FAIL cc +gcc 10\.2\.1: no -march=x86-64-vN before gcc 11; upgrade it to pin at x86-64-v2$/m);
    expect(r.stdout).toMatch(/^WARN clang +clang 11\.0\.0/m);
    expect(r.stdout).toMatch(/^WARN ld +GNU ld 2\.35\.2: no -z x86-64-vN before binutils 2\.36/m);
    expect(r.stdout).toMatch(/^WARN lld /m);
    expect(r.stdout).toMatch(/^WARN startup-files +Scrt1\.o: x86-64-baseline, x86-64-v3: above x86-64-v2/m);
    expect(r.stdout).toMatch(/^WARN glibc +glibc 2\.31\.0 does not check the ISA note/m);
    const j = JSON.parse(doctorCommand({ env: baseEnv({ ISA_LEVEL: 'v2' }), cwd: dir }, { json: true, run: fake({}) }).stdout);
    expect(j.ok).toBe(false);
    expect(j.checks.find((c: { name: string }) => c.name === 'cc').status).toBe('FAIL');
  });
  it('a level above the host fails', () => {
    const dir = scratch();
    const cpuinfo = write(join(dir, 'cpuinfo'), 'flags : fpu cx8 cmov mmx fxsr sse sse2\n');
    const r = doctorCommand({ env: baseEnv({ ISA_LEVEL: 'v3' }), cwd: dir, cpuinfoPath: cpuinfo }, { run: fake({}) });
    expect(r.stdout).toMatch(/^FAIL level +pinned to x86-64-v3 \(env ISA_LEVEL\) but this host is x86-64: .*ISA_LEVEL=1$/m);
  });
  it('runs against the real toolchain of this machine', () => {
    const r = doctorCommand({ env: baseEnv({ ISA_LEVEL: 'baseline' }), cwd: scratch() });
    expect(r.stdout).toMatch(/^OK +cc +gcc \d+/m);
    expect(r.stdout).toMatch(/^(OK|WARN) +glibc/m);
    expect(r.stdout).toMatch(/^OK +startup-files +Scrt1\.o: /m);
  });
  it('isaNeededFromReadelf', () => {
    expect(isaNeededFromReadelf('Properties: x86 ISA needed: x86-64-baseline, x86-64-v2\n')).toEqual([1, 2]);
    expect(isaNeededFromReadelf('nothing')).toEqual([]);
  });
});

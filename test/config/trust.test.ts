// The trust rule: a searched-for file may pick programs (cc, cxx, ld) or a log path only when it
// is owned by the user or root and not group/world-writable. Tests run as root, so foreign
// ownership is made with chown.
import { chmodSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveSettingsDetailed } from '../../src/config/index.js';
import { trustOf } from '../../src/config/trust.js';
import { baseEnv, scratch, shimError, write } from './helpers.js';

function resolveWithWarnings(cwd: string, env = baseEnv(), uid?: number) {
  const warnings: string[] = [];
  const r = resolveSettingsDetailed({ env, cwd, warn: (w) => warnings.push(w), ...(uid === undefined ? {} : { uid }) });
  return { r, warnings };
}

describe('trust rule', () => {
  it('trustOf', () => {
    expect(trustOf({ uid: 1000, mode: 0o100644 }, 1000)).toEqual({ trusted: true });
    expect(trustOf({ uid: 0, mode: 0o100644 }, 1000)).toEqual({ trusted: true });
    expect(trustOf({ uid: 12345, mode: 0o100644 }, 1000).reason).toBe('owned by uid 12345, not by you (uid 1000) or root');
    expect(trustOf({ uid: 1000, mode: 0o100664 }, 1000).reason).toBe('group-writable (mode 0664)');
    expect(trustOf({ uid: 1000, mode: 0o100666 }, 1000).reason).toBe('world-writable (mode 0666)');
  });

  it('a world-writable .isarc naming a compiler: cc and log refused (one notice), level applies', () => {
    const dir = scratch();
    const f = write(join(dir, '.isarc'), 'level: v2\ncc: /tmp/evil-gcc\nlog: /etc/passwd\nonViolation: warn\n');
    chmodSync(f, 0o666);
    const { r, warnings } = resolveWithWarnings(dir);
    expect(r.settings.level).toEqual({ value: 2, origin: `${f} (key level)` });
    expect(r.settings.onViolation.value).toBe('warn');
    expect(r.settings.cc).toEqual({ value: undefined, origin: 'default' });
    expect(r.settings.log.value).toBeUndefined();
    expect(r.refused).toEqual(['cc', 'log']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toBe(
      `isa-shim: ignoring cc, log in ${f}: the file is world-writable (mode 0666); only a file owned by you or root and not ` +
        'group- or world-writable may choose programs or log paths (its other keys apply)',
    );
  });

  it('a file owned by another user (uid 12345): cxx and ld refused, level applies', () => {
    const dir = scratch();
    const f = write(join(dir, '.isarc.json'), '{"level": 3, "cxx": "g++", "ld": ["ld.bfd"]}');
    chownSync(f, 12345, 12345);
    const { r, warnings } = resolveWithWarnings(dir);
    expect(r.settings.level.value).toBe(3);
    expect(r.settings.cxx.value).toBeUndefined();
    expect(r.settings.ld.value).toBeUndefined();
    expect(warnings[0]).toMatch(/ignoring cxx, ld in .*: the file is owned by uid 12345, not by you \(uid 0\) or root/);
  });

  it('a file owned by root is trusted for a non-root user; a file of the user is too', () => {
    const dir = scratch();
    const f = write(join(dir, '.isarc'), 'cc: clang\n');
    chmodSync(f, 0o644);
    expect(resolveWithWarnings(dir, baseEnv(), 1000).r.settings.cc.value).toEqual(['clang']);
    chownSync(f, 1000, 1000);
    expect(resolveWithWarnings(dir, baseEnv(), 1000).r.settings.cc.value).toEqual(['clang']);
    expect(resolveWithWarnings(dir, baseEnv(), 1001).r.settings.cc.value).toBeUndefined();
  });

  it('a group-writable file is refused', () => {
    const dir = scratch();
    const f = write(join(dir, '.isarc'), 'cc: clang\n');
    chmodSync(f, 0o664);
    expect(resolveWithWarnings(dir).warnings[0]).toMatch(/group-writable \(mode 0664\)/);
  });

  it('the same rule for ISA_CONFIG and for global files', () => {
    const dir = scratch();
    const exact = write(join(dir, 'x/conf.yaml'), 'cc: clang\nlevel: v2\n');
    chmodSync(exact, 0o646);
    const a = resolveWithWarnings(dir, baseEnv({ ISA_CONFIG: exact }));
    expect(a.r.settings.cc.value).toBeUndefined();
    expect(a.r.settings.level.value).toBe(2);
    const glob = write(join(dir, 'g/config'), 'ld: ld.lld\n');
    chownSync(glob, 4242, 4242);
    const b = resolveWithWarnings(dir, baseEnv({ ISA_GLOBAL_CONFIG_DIRS: join(dir, 'g') }));
    expect(b.r.file).toBe(glob);
    expect(b.r.settings.ld.value).toBeUndefined();
  });

  it('the environment may still choose the compiler (it is the user\'s own)', () => {
    const dir = scratch();
    const f = write(join(dir, '.isarc'), 'cc: clang\n');
    chmodSync(f, 0o666);
    expect(resolveWithWarnings(dir, baseEnv({ ISA_HOSTCC: 'gcc' })).r.settings.cc).toEqual({ value: ['gcc'], origin: 'env ISA_HOSTCC' });
  });

  it('an untrusted JavaScript config is never executed', () => {
    const dir = scratch();
    const marker = join(dir, 'ran');
    const f = write(join(dir, '.isarc.js'), `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x'); module.exports = {};`);
    chmodSync(f, 0o666);
    const e = shimError(() => resolveWithWarnings(dir));
    expect(e.code).toBe(2);
    expect(e.message).toBe(`${f}: refusing to run this JavaScript config: it is world-writable (mode 0666); fix its owner or mode, or use a YAML/JSON .isarc`);
    expect(() => require('node:fs').statSync(marker)).toThrow();
  });
});

// Every file format and every search location, in the order docs/configuration.md gives.
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveSettingsDetailed } from '../../src/config/index.js';
import { baseEnv, scratch, shimError, write } from './helpers.js';

const resolve = (cwd: string, env = baseEnv()) => resolveSettingsDetailed({ env, cwd, uid: 0 });

describe('file formats', () => {
  const cases: Array<[string, string]> = [
    ['.isarc', 'level: v2\n'],
    ['.isarc', '{ "level": "v2" }\n'],
    ['.isarc.json', '{ "level": 2 }'],
    ['.isarc.yaml', 'level: x86-64-v2'],
    ['.isarc.yml', 'level: "2"'],
    ['.isarc.js', 'module.exports = { level: "v2" };'],
    ['.isarc.cjs', 'module.exports = { level: "v2" };'],
    ['.isarc.mjs', 'export default { level: "v2" };'],
    ['.config/isarc', 'level: v2'],
    ['.config/isarc.json', '{"level":"v2"}'],
    ['.config/isarc.yaml', 'level: v2'],
    ['.config/isarc.yml', 'level: v2'],
    ['.config/isarc.js', 'module.exports = { level: "v2" };'],
    ['.config/isarc.cjs', 'module.exports = { level: "v2" };'],
    ['.config/isarc.mjs', 'export default { level: "v2" };'],
    ['isa.config.js', 'module.exports = { level: "v2" };'],
    ['isa.config.cjs', 'module.exports = { level: "v2" };'],
    ['isa.config.mjs', 'export default Promise.resolve({ level: "v2" });'],
    ['package.json', '{ "name": "x", "isa": { "level": "v2" } }'],
  ];
  it.each(cases)('%s (%s)', (name, text) => {
    const dir = scratch();
    const file = write(join(dir, name), text);
    const r = resolve(dir);
    expect(r.file).toBe(file);
    expect(r.settings.level).toEqual({ value: 2, origin: `${file} (key level)` });
  });

  it('skips a package.json without an isa key and an empty .isarc, and goes on searching', () => {
    const dir = scratch();
    write(join(dir, 'sub/package.json'), '{ "name": "x" }');
    write(join(dir, 'sub/.isarc'), '# nothing yet\n');
    const file = write(join(dir, '.isarc'), 'level: v4');
    expect(resolve(join(dir, 'sub')).file).toBe(file);
  });

  it('ignores a foreign package.json that does not parse, unless it mentions "isa"', () => {
    const dir = scratch();
    write(join(dir, 'package.json'), '{ broken');
    expect(resolve(dir).file).toBeUndefined();
    write(join(dir, 'package.json'), '{ "isa": { broken');
    expect(shimError(() => resolve(dir)).message).toMatch(/package\.json: cannot parse JSON/);
  });

  it('reads a file through a symlink', () => {
    const dir = scratch();
    const real = write(join(dir, 'real.yaml'), 'level: v3');
    symlinkSync(real, join(dir, '.isarc'));
    expect(resolve(dir).settings.level.value).toBe(3);
  });
});

describe('search locations', () => {
  it('finds a file in any parent of the working directory, up to a tree outside $HOME', () => {
    const dir = scratch('isa-kernel-tree-');
    const file = write(join(dir, '.isarc'), 'level: v3');
    const deep = join(dir, 'linux-6.9/scripts/kconfig');
    mkdirSync(deep, { recursive: true });
    const r = resolve(deep);
    expect(r.file).toBe(file);
    expect(r.fileKind).toBe('cwd');
    expect(r.settings.level.origin).toBe(`${file} (key level)`);
  });

  it('the nearest directory wins, and within it the first name of the list', () => {
    const dir = scratch();
    write(join(dir, '.isarc'), 'level: v4');
    const near = write(join(dir, 'a/.isarc'), 'level: v2');
    write(join(dir, 'a/.isarc.json'), '{"level": 3}');
    expect(resolve(join(dir, 'a')).file).toBe(near);
  });

  it('looks in srctree (relative to the working directory, as kbuild exports it)', () => {
    const dir = scratch();
    const obj = join(dir, 'build');
    mkdirSync(obj);
    const file = write(join(dir, 'src/.isarc.yaml'), 'level: v2');
    const r = resolve(obj, baseEnv({ srctree: '../src' }));
    expect(r.file).toBe(file);
    expect(r.fileKind).toBe('srctree');
  });

  it('looks in the external module dir of a DKMS-style build (KBUILD_EXTMOD, then M)', () => {
    const dir = scratch();
    const kbuild = join(dir, 'lib/modules/6.9/build');
    mkdirSync(kbuild, { recursive: true });
    const file = write(join(dir, 'var/lib/dkms/foo/1.0/build/.isarc'), 'level: v3');
    const mod = join(dir, 'var/lib/dkms/foo/1.0/build');
    const r = resolve(kbuild, baseEnv({ KBUILD_EXTMOD: mod }));
    expect(r.file).toBe(file);
    expect(r.fileKind).toBe('extmod');
    expect(resolve(kbuild, baseEnv({ M: mod })).file).toBe(file);
  });

  it('the working-directory chain beats srctree, srctree beats the module dir, both beat the global files', () => {
    const dir = scratch();
    mkdirSync(join(dir, 'obj'));
    const src = write(join(dir, 'src/.isarc'), 'level: v2');
    const mod = write(join(dir, 'mod/.isarc'), 'level: v3');
    const glob = write(join(dir, 'global/config.yaml'), 'level: v4');
    const env = baseEnv({ srctree: join(dir, 'src'), KBUILD_EXTMOD: join(dir, 'mod'), ISA_GLOBAL_CONFIG_DIRS: join(dir, 'global') });
    expect(resolve(join(dir, 'obj'), env).file).toBe(src);
    expect(resolve(join(dir, 'obj'), { ...env, srctree: undefined }).file).toBe(mod);
    expect(resolve(join(dir, 'obj'), { ...env, srctree: undefined, KBUILD_EXTMOD: undefined }).file).toBe(glob);
    const own = write(join(dir, 'obj/.isarc'), 'level: 1');
    expect(resolve(join(dir, 'obj'), env).file).toBe(own);
  });

  it('finds the user global config in $XDG_CONFIG_HOME/isa/ (every format)', () => {
    for (const [name, text] of [['config', 'level: v2'], ['config.json', '{"level":2}'], ['config.mjs', 'export default {level:2}']]) {
      const dir = scratch();
      const env = baseEnv({ ISA_GLOBAL_CONFIG_DIRS: undefined, XDG_CONFIG_HOME: join(dir, 'xdg') });
      mkdirSync(join(dir, 'work'));
      const file = write(join(dir, 'xdg/isa', name!), text!);
      const r = resolve(join(dir, 'work'), env);
      expect(r.file).toBe(file);
      expect(r.fileKind).toBe('global');
      expect(r.settings.level.value).toBe(2);
    }
  });

  it('defaults to ~/.config/isa and /etc/isarc when ISA_GLOBAL_CONFIG_DIRS is not set', async () => {
    const { globalStems } = await import('../../src/config/files.js');
    expect(globalStems({ HOME: '/home/u' })).toEqual(['/home/u/.config/isa/config', '/etc/isarc']);
    expect(globalStems({ HOME: '/home/u', XDG_CONFIG_HOME: '/x' })).toEqual(['/x/isa/config', '/etc/isarc']);
    expect(globalStems({ ISA_GLOBAL_CONFIG_DIRS: '/a:/b' })).toEqual(['/a/config', '/b/config']);
    expect(globalStems({ ISA_GLOBAL_CONFIG_DIRS: '' })).toEqual([]);
  });

  it('ISA_CONFIG names exactly one file and skips the search; ISA_NO_CONFIG=1 reads none', () => {
    const dir = scratch();
    write(join(dir, '.isarc'), 'level: v2');
    const exact = write(join(dir, 'elsewhere/my.yaml'), 'level: v4');
    const r = resolve(dir, baseEnv({ ISA_CONFIG: exact }));
    expect(r.file).toBe(exact);
    expect(r.fileKind).toBe('ISA_CONFIG');
    expect(r.settings.level.value).toBe(4);
    expect(resolve(dir, baseEnv({ ISA_CONFIG: 'elsewhere/my.yaml' })).file).toBe(exact);
    const none = resolve(dir, baseEnv({ ISA_NO_CONFIG: '1' }));
    expect(none.file).toBeUndefined();
    expect(none.settings.level.origin).toMatch(/^auto: no kernel configuration found/);
    const e = shimError(() => resolve(dir, baseEnv({ ISA_CONFIG: join(dir, 'missing.yaml') })));
    expect(e.code).toBe(2);
    expect(e.message).toContain(`ISA_CONFIG names ${join(dir, 'missing.yaml')}, which does not exist`);
  });
});

// The settings cache: a hit gives exactly what resolving gives, and every change that could
// alter the answer (a config file edited, created, chmod'ed; the kernel .config; the env) misses.
import { chmodSync, chownSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheKey, cachePath, resolveSettingsDetailed } from '../../src/config/index.js';
import { baseEnv, scratch, write } from './helpers.js';

function setup() {
  const dir = scratch('isa-cache-');
  const cache = join(dir, 'cache');
  const env = baseEnv({ ISA_NO_CACHE: undefined, ISA_CACHE_DIR: cache });
  const work = join(dir, 'tree/obj');
  const run = (e = env, cwd = work) => resolveSettingsDetailed({ env: e, cwd, uid: 0, warn: () => {} });
  return { dir, cache, env, work, run };
}

describe('settings cache', () => {
  it('a hit returns the same settings as the miss that wrote it', () => {
    const { dir, run, cache, env, work } = setup();
    write(join(dir, 'tree/.isarc'), 'level: v3\ncc: ccache gcc\nallow: [x]\n');
    write(join(work, '.keep'), '');
    const first = run();
    expect(first.cache).toBe('miss');
    const second = run();
    expect(second.cache).toBe('hit');
    expect(second.settings).toEqual(first.settings);
    expect(second.file).toBe(first.file);
    const file = cachePath(cache, cacheKey(env, work, 0, undefined));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(cache).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('editing the .isarc (new mtime) invalidates it, even with the same size', () => {
    const { dir, run, work } = setup();
    const f = write(join(dir, 'tree/.isarc'), 'level: v3\n');
    write(join(work, '.keep'), '');
    run();
    expect(run().cache).toBe('hit');
    writeFileSync(f, 'level: v2\n');
    const later = new Date(Date.now() + 5000);
    utimesSync(f, later, later);
    const r = run();
    expect(r.cache).toBe('miss');
    expect(r.settings.level.value).toBe(2);
    expect(run().cache).toBe('hit');
  });

  it('a new file in a nearer directory invalidates it', () => {
    const { dir, run, work } = setup();
    write(join(dir, 'tree/.isarc'), 'level: v3\n');
    write(join(work, '.keep'), '');
    run();
    write(join(work, '.isarc.json'), '{"level": 4}');
    const r = run();
    expect(r.cache).toBe('miss');
    expect(r.settings.level.value).toBe(4);
  });

  it('chmod of the file (trust changes) invalidates it', () => {
    const { dir, run, work } = setup();
    const f = write(join(dir, 'tree/.isarc'), 'cc: clang\n');
    write(join(work, '.keep'), '');
    expect(run().settings.cc.value).toEqual(['clang']);
    chmodSync(f, 0o666);
    const r = run();
    expect(r.cache).toBe('miss');
    expect(r.settings.cc.value).toBeUndefined();
  });

  it('the kernel .config changing invalidates an auto level', () => {
    const { run, work } = setup();
    const cfg = write(join(work, '.config'), 'CONFIG_X86_64=y\nCONFIG_MHASWELL=y\n');
    expect(run().settings.level.value).toBe(3);
    expect(run().cache).toBe('hit');
    writeFileSync(cfg, 'CONFIG_X86_64=y\nCONFIG_MNEHALEM=y\n');
    const r = run();
    expect(r.cache).toBe('miss');
    expect(r.settings.level).toEqual({ value: 2, origin: `kernel CONFIG_MNEHALEM in ${cfg}` });
  });

  it('different ISA_* / srctree / KBUILD_EXTMOD values use different entries', () => {
    const { run, env, work } = setup();
    write(join(work, '.keep'), '');
    expect(run().settings.level.value).toBe(1);
    expect(run({ ...env, ISA_LEVEL: 'v2' }).settings.level.value).toBe(2);
    expect(run({ ...env, ISA_LEVEL: 'v2' }).cache).toBe('hit');
    expect(run().settings.level.value).toBe(1);
    expect(cacheKey(env, work, 0, undefined)).not.toBe(cacheKey({ ...env, srctree: '..' }, work, 0, undefined));
    expect(cacheKey(env, work, 0, undefined)).not.toBe(cacheKey({ ...env, KBUILD_EXTMOD: '/m' }, work, 0, undefined));
    expect(cacheKey(env, work, 0, undefined)).not.toBe(cacheKey({ ...env, KCONFIG_CONFIG: 'x' }, work, 0, undefined));
    expect(cacheKey(env, work, 0, undefined)).not.toBe(cacheKey(env, `${work}/sub`, 0, undefined));
  });

  it('a corrupt or truncated cache file is ignored and rewritten', () => {
    const { run, cache, env, work } = setup();
    write(join(work, '.keep'), '');
    run();
    const file = cachePath(cache, cacheKey(env, work, 0, undefined));
    const good = readFileSync(file, 'utf8');
    for (const bad of ['', '{', good.slice(0, good.length / 2), '{"format":1}', 'null', '\u0000\u0001']) {
      writeFileSync(file, bad);
      const r = run();
      expect(r.cache).toBe('miss');
      expect(r.settings.level.value).toBe(1);
      expect(JSON.parse(readFileSync(file, 'utf8')).format).toBe(1);
    }
  });

  it('a cache file owned by someone else or writable by others is not believed', () => {
    const { run, cache, env, work } = setup();
    write(join(work, '.keep'), '');
    run();
    const file = cachePath(cache, cacheKey(env, work, 0, undefined));
    chownSync(file, 12345, 12345);
    expect(run().cache).toBe('miss');
    chmodSync(file, 0o666);
    expect(run().cache).toBe('miss');
  });

  it('ISA_NO_CACHE=1 and cache:false turn it off; an unwritable cache dir only costs speed', () => {
    const { env, work } = setup();
    write(join(work, '.keep'), '');
    expect(resolveSettingsDetailed({ env: { ...env, ISA_NO_CACHE: '1' }, cwd: work }).cache).toBe('off');
    expect(resolveSettingsDetailed({ env, cwd: work, cache: false }).cache).toBe('off');
    const r = resolveSettingsDetailed({ env: { ...env, ISA_CACHE_DIR: '/proc/version/nope' }, cwd: work });
    expect(r.cache).toBe('miss');
    expect(r.settings.level.value).toBe(1);
  });

  it('errors are never cached', () => {
    const { dir, run, work } = setup();
    const f = write(join(dir, 'tree/.isarc'), 'levle: 3\n');
    write(join(work, '.keep'), '');
    expect(() => run()).toThrow(/did you mean "level"/);
    expect(() => run()).toThrow(/did you mean "level"/);
    writeFileSync(f, 'level: 3\n');
    expect(run().settings.level.value).toBe(3);
  });
});

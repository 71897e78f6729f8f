// The real tool missing, not executable, the wrapper itself (directly, by symlink, by a PATH loop,
// by a script that calls the wrapper again), and a launcher that fails: exit status and one line,
// bounded time and process count, never a fork storm.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { have, run, tmp } from '../helpers.js';
import { HOSTCC, RUNTIMES, wenv } from './util.js';

let dir: string;
beforeAll(() => {
  dir = tmp('isa-hard-tool-');
  writeFileSync(join(dir, 'x.c'), 'int main(void) { return 0; }\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NODE_DIR = (() => {
  const d = join(tmp('isa-hard-node-'), 'bin');
  mkdirSync(d);
  symlinkSync(process.execPath, join(d, 'node'));
  return d;
})();

describe.each(RUNTIMES)('on the %s runtime', (runtime) => {
  const env = (extra: Record<string, string> = {}) => wenv(dir, runtime, extra);

  it('missing: 127 with one line naming it', () => {
    const r = run(HOSTCC, ['-c', 'x.c'], { env: env({ ISA_HOSTCC: '/nonexistent/gcc' }), cwd: dir });
    expect(r.status).toBe(127);
    expect(r.stderr).toMatch(/^isa-hostcc: \/nonexistent\/gcc: not found[^\n]*\n$/);
    const p = run(HOSTCC, ['-c', 'x.c'], { env: env({ ISA_HOSTCC: 'no-such-cc-anywhere' }), cwd: dir });
    expect(p.status).toBe(127);
    expect(p.stderr).toMatch(/^isa-hostcc: no-such-cc-anywhere: not found on PATH[^\n]*\n$/);
  });

  it('not executable (a plain file, a directory): 126 with one line', () => {
    const f = join(dir, 'plain');
    writeFileSync(f, 'not a program', { mode: 0o644 });
    for (const t of [f, dir]) {
      const r = run(HOSTCC, ['-c', 'x.c'], { env: env({ ISA_HOSTCC: t }), cwd: dir });
      expect(r.status).toBe(126);
      expect(r.stderr).toMatch(/^isa-hostcc: \S+: not executable[^\n]*\n$/);
    }
  });

  it('the wrapper named as its own real tool, directly or by a symlink: 125', () => {
    const link = join(dir, `cc-link-${runtime}`);
    symlinkSync(HOSTCC, link);
    for (const t of [HOSTCC, link]) {
      const r = run(HOSTCC, ['-c', 'x.c'], { env: env({ ISA_HOSTCC: t }), cwd: dir });
      expect(r.status).toBe(125);
      expect(r.stderr).toMatch(/^isa-hostcc: .*isa-shim itself[^\n]*\n$/);
    }
  });

  it('a PATH loop (gcc, cc, clang on PATH all symlink to the wrapper, no real one after): 125, at once', () => {
    const loop = join(dir, `loop-${runtime}`);
    mkdirSync(loop);
    for (const n of ['gcc', 'cc', 'clang']) symlinkSync(HOSTCC, join(loop, n));
    const t0 = Date.now();
    const r = run(HOSTCC, ['-c', 'x.c'], { env: env({ PATH: `${loop}:${NODE_DIR}` }), cwd: dir, timeout: 30_000 });
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(r.status).toBe(125);
    expect(r.stderr).toMatch(/^isa-hostcc: every gcc, cc, clang on PATH is isa-shim itself; set ISA_HOSTCC\n$/);
  });

  it('a script "compiler" that calls the wrapper again (real paths differ): stopped by the depth guard, 125, few processes', () => {
    const count = join(dir, `count-${runtime}`);
    const script = join(dir, `again-${runtime}`);
    writeFileSync(script, `#!/bin/sh\necho x >> "${count}"\nexec "${HOSTCC}" "$@"\n`, { mode: 0o755 });
    const t0 = Date.now();
    const r = run(HOSTCC, ['-c', 'x.c'], { env: env({ ISA_HOSTCC: script }), cwd: dir, timeout: 60_000 });
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(r.status).toBe(125);
    expect(r.stderr).toMatch(/isa-hostcc: called itself \d+ times \(ISA_SHIM_DEPTH=\d+\)/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    // One script run per level of the guard: a bounded chain, not a storm.
    expect(readFileSync(count, 'utf8').split('\n').filter(Boolean).length).toBeLessThanOrEqual(4);
  });

  it.skipIf(!have('ccache'))('a launcher that fails (ccache with an unusable cache dir): its message and status pass through', () => {
    writeFileSync(join(dir, 'ro-file'), 'x');
    for (const bad of [join(dir, 'ro-file', 'sub'), '/proc/isa-bogus/ccache']) {
      const e = env({ ISA_HOSTCC: 'ccache gcc', CCACHE_DIR: bad, CCACHE_TEMPDIR: bad });
      const direct = spawnSync('ccache', ['gcc', '-march=x86-64-v2', '-c', 'x.c', '-o', 'y.o'], { env: e, cwd: dir, encoding: 'utf8' });
      const r = run(HOSTCC, ['-c', 'x.c', '-o', 'y.o'], { env: e, cwd: dir });
      expect(r.status).toBe(direct.status);
      expect(r.stderr).toBe(direct.stderr);
      if (direct.status !== 0) expect(r.stderr).toMatch(/ccache/);
    }
  });
});

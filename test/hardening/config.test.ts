// Hostile config files through the real wrappers on both runtimes: a clear one-line error naming
// the file, bounded time; a world-writable or foreign-owned file never chooses the program run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, tmp } from '../helpers.js';
import { HOSTCC, RUNTIMES, recorder, wenv } from './util.js';

let dir: string;
let rec: string;
beforeAll(() => {
  dir = tmp('isa-hard-cfg-');
  rec = recorder(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function project(setup: (d: string) => void): string {
  const d = join(dir, `p${n++}`);
  mkdirSync(d);
  setup(d);
  return d;
}

describe.each(RUNTIMES)('on the %s runtime', (runtime) => {
  const call = (cwd: string, extra: Record<string, string> = {}, timeout = 30_000) => {
    const env = wenv(dir, runtime, extra);
    delete env.ISA_LEVEL; // let the config file speak
    const t0 = Date.now();
    const r = run(HOSTCC, ['-dumpversion'], { env, cwd, timeout });
    return { ...r, ms: Date.now() - t0 };
  };

  it.each([
    ['a directory', (d: string) => mkdirSync(join(d, '.isarc')), /\.isarc: cannot use this config file: it is a directory/],
    ['a FIFO', (d: string) => run('mkfifo', [join(d, '.isarc')]), /\.isarc: cannot use this config file: it is a FIFO/],
    ['enormous', (d: string) => writeFileSync(join(d, '.isarc'), '#'.repeat(3 * 1024 * 1024)), /\.isarc: cannot use this config file: it is \d+ bytes, more than/],
    ['a .isarc.js that throws', (d: string) => writeFileSync(join(d, '.isarc.js'), 'throw new Error("boom in config")\n'), /\.isarc\.js: the JavaScript config failed: boom in config/],
    ['invalid YAML', (d: string) => writeFileSync(join(d, '.isarc'), 'level: [unclosed\n'), /\.isarc: /],
  ] as const)('%s: exit 2, one line naming it', (_name, setup, pattern) => {
    const cwd = project(setup);
    const r = call(cwd);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
    expect(r.ms).toBeLessThan(10_000);
  });

  it('unreadable (as a user who cannot read it): exit 2, one line naming it', () => {
    if (process.getuid?.() !== 0) return;
    const cwd = project((d) => {
      writeFileSync(join(d, '.isarc'), 'level: v2\n', { mode: 0o600 });
      chmodSync(d, 0o755);
    });
    chmodSync(dir, 0o755);
    const env = wenv(dir, runtime, { ISA_CACHE_DIR: join(cwd, 'cache') });
    delete env.ISA_LEVEL;
    const r = run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', HOSTCC, '-dumpversion'], { env, cwd });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^isa-hostcc: \S*\.isarc: .*(EACCES|permission denied)[^\n]*\n$/i);
  });

  it('a .isarc.js that never returns is stopped by the time box, with one line naming it', () => {
    const cwd = project((d) => writeFileSync(join(d, '.isarc.js'), 'for (;;) {}\n'));
    const r = call(cwd, { ISA_CONFIG_TIMEOUT_MS: '1000' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^isa-hostcc: \S*\.isarc\.js: the JavaScript config did not finish within 1000 ms.*\n$/);
    expect(r.ms).toBeLessThan(8_000);
  });

  it.each([
    ['world-writable', (f: string) => chmodSync(f, 0o666)],
    ['owned by another user', (f: string) => chownSync(f, 65534, 65534)],
  ] as const)('a %s .isarc cannot choose the compiler that runs', (_name, spoil) => {
    const out = join(dir, `evil-${runtime}-${n}`);
    const cwd = project((d) => {
      writeFileSync(join(d, '.isarc'), `cc: ${rec}\n`, { mode: 0o644 });
      spoil(join(d, '.isarc'));
    });
    if (process.getuid?.() !== 0 && _name === 'owned by another user') return;
    const r = call(cwd, { REC: out });
    expect(existsSync(out)).toBe(false);
    // Refused outright (2) or ignored with the real gcc run: never the recorder.
    if (r.status !== 0) {
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/\.isarc/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    } else expect(r.stdout).toBe(run('gcc', ['-dumpversion']).stdout);
  });

  it('the same .isarc, private and ours, does choose it (the control)', () => {
    const out = join(dir, `good-${runtime}`);
    const cwd = project((d) => writeFileSync(join(d, '.isarc'), `cc: ${rec}\n`, { mode: 0o644 }));
    const r = call(cwd, { REC: out });
    expect(r.status).toBe(0);
    expect(existsSync(out)).toBe(true);
  });
});

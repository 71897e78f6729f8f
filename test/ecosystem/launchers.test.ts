// ccache, distcc and sccache behind the wrappers (ISA_HOSTCC="ccache gcc"): the shim stays outermost,
// the launcher gets the rewritten arguments, so caches key on the final flags and remote compilers
// get the clamped -march. All real: a private ccache/sccache directory, a distccd on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { BIN, aboveV2Instructions, have, readelfNeeded, run, tmp } from '../helpers.js';

const HOSTCC = join(BIN, 'isa-hostcc');
const HOSTLD = join(BIN, 'isa-hostld');

const VEC = `__attribute__((noinline)) void saxpy(float *restrict a, const float *restrict b, int n) {
  for (int i = 0; i < n; i++) a[i] = a[i] * 2.0f + b[i];
}
`;
const MAIN = '#include <stdio.h>\nvoid saxpy(float *, const float *, int);\nfloat a[64], b[64];\nint main(void) { saxpy(a, b, 64); printf("%.1f\\n", a[1]); return 0; }\n';
const LEAKY = ['-O3', '-march=x86-64-v3', '-mavx2'];

let dir: string;
beforeAll(() => {
  dir = tmp('isa-shim-launch-');
  chmodSync(dir, 0o755); // distccd (uid distccd/nobody) need not read it, but the log dir below must be writable
  writeFileSync(join(dir, 'vec.c'), VEC);
  writeFileSync(join(dir, 'main.c'), MAIN);
});

const baseEnv = (extra: Record<string, string>) => ({ ...process.env, ISA_DEBUG: '', ISA_LOG: '', ISA_NO_CONFIG: '1', ...extra });

function cc(extra: Record<string, string>, args: string[]) {
  const r = run(HOSTCC, args, { cwd: dir, env: baseEnv(extra) });
  expect(r.status, `${args.join(' ')}\n${r.stdout}${r.stderr}`).toBe(0);
  return r;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function waitFor(pred: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return pred();
}

describe.skipIf(!have('ccache'))('ccache behind isa-hostcc (ISA_HOSTCC="ccache gcc")', () => {
  const stats = (ccacheDir: string): Record<string, number> => {
    const out = run('ccache', ['--print-stats'], { env: { ...process.env, CCACHE_DIR: ccacheDir } }).stdout;
    return Object.fromEntries(out.trim().split('\n').map((l) => l.split('\t')).map(([k, v]) => [k!, Number(v)]));
  };
  const hits = (s: Record<string, number>) => (s.direct_cache_hit ?? 0) + (s.preprocessed_cache_hit ?? 0);

  it('v2, then v3, then v2 again: never a stale object; the third call is a hit on the first', () => {
    const ccacheDir = join(dir, 'ccache');
    const env = (level: string) => ({ ISA_LEVEL: level, ISA_HOSTCC: 'ccache gcc', CCACHE_DIR: ccacheDir, CCACHE_NOHASHDIR: '1' });
    cc(env('v2'), [...LEAKY, '-c', 'vec.c', '-o', 'a-v2.o']);
    cc(env('v3'), [...LEAKY, '-c', 'vec.c', '-o', 'a-v3.o']);
    cc(env('v2'), [...LEAKY, '-c', 'vec.c', '-o', 'a-v2-again.o']);
    expect(aboveV2Instructions(join(dir, 'a-v2.o'))).toEqual([]);
    expect(aboveV2Instructions(join(dir, 'a-v3.o')).length).toBeGreaterThan(0);
    expect(aboveV2Instructions(join(dir, 'a-v2-again.o'))).toEqual([]);
    expect(readFileSync(join(dir, 'a-v2-again.o')).equals(readFileSync(join(dir, 'a-v2.o')))).toBe(true);
    const s = stats(ccacheDir);
    expect(s.cache_miss).toBe(2);
    expect(hits(s)).toBe(1);
  });

  it('links go through the launcher too and are still verified: the note is v2', () => {
    const env = { ISA_LEVEL: 'v2', ISA_HOSTCC: 'ccache gcc', CCACHE_DIR: join(dir, 'ccache') };
    cc(env, [...LEAKY, '-c', 'main.c', '-o', 'main.o']);
    cc(env, [...LEAKY, '-Wl,-z,x86-64-v3', 'main.o', 'a-v2.o', '-o', 'prog']);
    expect(readelfNeeded(join(dir, 'prog'))).toBeLessThanOrEqual(2);
    expect(aboveV2Instructions(join(dir, 'prog'))).toEqual([]);
  });

  it('the wrong order (ccache isa-hostcc) hashes the arguments before the rewrite: a stale v3 object at v2', () => {
    // Documented in docs/launchers.md: this is why ISA_HOSTCC="ccache gcc", not CC="ccache isa-hostcc".
    const ccacheDir = join(dir, 'ccache-wrong');
    const env = (level: string) => baseEnv({ ISA_LEVEL: level, CCACHE_DIR: ccacheDir });
    expect(run('ccache', [HOSTCC, ...LEAKY, '-c', 'vec.c', '-o', 'w-v3.o'], { cwd: dir, env: env('v3') }).status).toBe(0);
    expect(run('ccache', [HOSTCC, ...LEAKY, '-c', 'vec.c', '-o', 'w-v2.o'], { cwd: dir, env: env('v2') }).status).toBe(0);
    expect(aboveV2Instructions(join(dir, 'w-v2.o')).length).toBeGreaterThan(0); // stale: v3 code at v2
    expect(hits(stats(ccacheDir))).toBe(1);
  });
});

describe.skipIf(!have('distccd') || !have('distcc'))('distcc behind isa-hostcc, with a real distccd on 127.0.0.1', () => {
  let daemon: ChildProcess | undefined;
  let logDir: string;
  let port = 0;
  let started = false;

  beforeAll(async () => {
    // distccd drops root to distccd/nobody: its log must be in a world-writable directory.
    logDir = tmp('isa-shim-distccd-');
    chmodSync(logDir, 0o1777);
    port = await freePort();
    daemon = spawn('distccd', ['--daemon', '--no-detach', '--allow', '127.0.0.1', '--listen', '127.0.0.1', '--port', String(port),
      '--log-file', join(logDir, 'distccd.log'), '--log-level', 'debug', '--jobs', '2'], { stdio: 'ignore' });
    started = await waitFor(() => existsSync(join(logDir, 'distccd.log')) && /listening on/.test(readFileSync(join(logDir, 'distccd.log'), 'utf8')), 10_000);
  }, 20_000);

  afterAll(async () => {
    if (!daemon || daemon.exitCode !== null || daemon.pid === undefined) return;
    const gone = new Promise<void>((r) => daemon!.once('exit', () => r()));
    try {
      process.kill(-daemon.pid, 'SIGTERM'); // distccd puts itself and its children in a new process group
    } catch {
      daemon.kill('SIGTERM');
    }
    await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
    if (daemon.exitCode === null) daemon.kill('SIGKILL');
  }, 10_000);

  it('the compile runs on the daemon with the rewritten -march, and the object has no AVX', () => {
    expect(started, 'distccd did not start listening within 10 s').toBe(true);
    const clientDir = join(dir, 'distcc-client');
    mkdirSync(clientDir, { recursive: true });
    cc({
      ISA_LEVEL: 'v2', ISA_HOSTCC: 'distcc gcc',
      DISTCC_HOSTS: `127.0.0.1:${port}/2`, DISTCC_FALLBACK: '0', DISTCC_SKIP_LOCAL_RETRY: '1', DISTCC_DIR: clientDir,
    }, [...LEAKY, '-c', 'vec.c', '-o', 'd-v2.o']);
    const log = readFileSync(join(logDir, 'distccd.log'), 'utf8');
    expect(log).toMatch(/COMPILE_OK exit:0 .* vec\.c/);
    const argv = [...log.matchAll(/\(dcc_r_argv\) argv\[\d+\] = "([^"]*)"/g)].map((m) => m[1]);
    expect(argv).toContain('-march=x86-64-v2');
    expect(argv).not.toContain('-march=x86-64-v3');
    expect(argv).not.toContain('-mavx2');
    expect(aboveV2Instructions(join(dir, 'd-v2.o'))).toEqual([]);
  });

  it('with no daemon and fallback off, the build fails: nothing is compiled locally behind our back', async () => {
    const clientDir = join(dir, 'distcc-client2');
    mkdirSync(clientDir, { recursive: true });
    const r = run(HOSTCC, [...LEAKY, '-c', 'vec.c', '-o', 'd-none.o'], {
      cwd: dir,
      env: baseEnv({ ISA_LEVEL: 'v2', ISA_HOSTCC: 'distcc gcc', DISTCC_HOSTS: `127.0.0.1:${await freePort()}`, DISTCC_FALLBACK: '0', DISTCC_SKIP_LOCAL_RETRY: '1', DISTCC_DIR: clientDir }),
    });
    expect(r.status).not.toBe(0);
  });
});

describe.skipIf(!have('sccache'))('sccache behind isa-hostcc (Debian package sccache)', () => {
  const scEnv: Record<string, string> = {};
  beforeAll(async () => {
    Object.assign(scEnv, { SCCACHE_DIR: join(dir, 'sccache'), SCCACHE_SERVER_PORT: String(await freePort()), SCCACHE_IDLE_TIMEOUT: '60', SCCACHE_LOG: '' });
  });
  afterAll(() => {
    run('timeout', ['10', 'sccache', '--stop-server'], { env: { ...process.env, ...scEnv } });
  });

  it('v2, then v3, then v2 again: never a stale object; 2 misses, 1 hit', () => {
    const env = (level: string) => ({ ...scEnv, ISA_LEVEL: level, ISA_HOSTCC: 'sccache gcc' });
    cc(env('v2'), [...LEAKY, '-c', 'vec.c', '-o', 's-v2.o']);
    cc(env('v3'), [...LEAKY, '-c', 'vec.c', '-o', 's-v3.o']);
    cc(env('v2'), [...LEAKY, '-c', 'vec.c', '-o', 's-v2-again.o']);
    expect(aboveV2Instructions(join(dir, 's-v2.o'))).toEqual([]);
    expect(aboveV2Instructions(join(dir, 's-v3.o')).length).toBeGreaterThan(0);
    expect(aboveV2Instructions(join(dir, 's-v2-again.o'))).toEqual([]);
    const s = JSON.parse(run('sccache', ['--show-stats', '--stats-format', 'json'], { env: { ...process.env, ...scEnv } }).stdout).stats;
    expect(s.cache_misses.counts['C/C++']).toBe(2);
    expect(s.cache_hits.counts['C/C++']).toBe(1);
  });
});

describe('any launcher (icecc, a site script): a recording stand-in receives the rewritten arguments', () => {
  let rec: string;
  let logFile: string;
  beforeAll(() => {
    rec = join(dir, 'rec-launcher');
    logFile = join(dir, 'rec.log');
    writeFileSync(rec, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${logFile}'\nexec "$@"\n`);
    chmodSync(rec, 0o755);
  });
  const lastLine = () => readFileSync(logFile, 'utf8').trim().split('\n').at(-1)!;

  it('compile: ISA_HOSTCC="launcher gcc" gets -march=x86-64-v2 and no -mavx2', () => {
    cc({ ISA_LEVEL: 'v2', ISA_HOSTCC: `${rec} gcc` }, [...LEAKY, '-c', 'vec.c', '-o', 'r.o']);
    expect(lastLine()).toBe('gcc -O3 -march=x86-64-v2 -c vec.c -o r.o');
  });

  it('link: the launcher gets -Wl,-z,x86-64-v2; ISA_HOSTLD="launcher ld" gets -z x86-64-v2', () => {
    cc({ ISA_LEVEL: 'v2', ISA_HOSTCC: `${rec} gcc` }, ['-Wl,-z,x86-64-v3', 'main.o', 'r.o', '-o', 'rprog']);
    expect(lastLine()).toMatch(/^gcc .*-Wl,-z,x86-64-v2 .*-o rprog$/);
    expect(lastLine()).not.toContain('x86-64-v3');
    const r = run(HOSTLD, ['-r', '-z', 'x86-64-v3', 'r.o', '-o', 'r-partial.o'], { cwd: dir, env: baseEnv({ ISA_LEVEL: 'v2', ISA_HOSTLD: `${rec} ld` }) });
    expect(r.status, r.stderr).toBe(0);
    expect(lastLine()).toMatch(/^ld -r -z x86-64-v2 r\.o -o r-partial\.o$/);
  });
});

// The wrappers with real compilers and linkers: what comes out runs on an x86-64-v2 CPU.
import { describe, expect, it, beforeAll } from 'vitest';
import { writeFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, NEHALEM, aboveV2Instructions, have, readelfNeeded, run, tmp } from '../helpers.js';

const HOSTCC = join(BIN, 'isa-hostcc');
const HOSTLD = join(BIN, 'isa-hostld');

// A loop gcc and clang vectorise with AVX2/FMA at -O3 -march=x86-64-v3.
const VEC = `#include <stdio.h>
#include <stdlib.h>
__attribute__((noinline)) void saxpy(float *restrict a, const float *restrict b, int n) {
  for (int i = 0; i < n; i++) a[i] = a[i] * 2.0f + b[i];
}
int main(int argc, char **argv) {
  (void)argv;
  int n = 4096 + argc;
  float *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
  for (int i = 0; i < n; i++) { a[i] = (float)i; b[i] = 1.0f; }
  saxpy(a, b, n);
  printf("%.1f\\n", a[100]);
  return 0;
}
`;

const LEAKY = ['-O3', '-march=x86-64-v3', '-mavx2'];
const LEAKY_LD = '-Wl,-O1,-z,x86-64-v3';

let dir: string;
beforeAll(() => {
  dir = tmp();
  writeFileSync(join(dir, 'v.c'), VEC);
});

const envBase = (extra: Record<string, string> = {}) => ({ ...process.env, ISA_LEVEL: 'v2', ISA_DEBUG: '', ISA_LOG: '', ...extra });
const env = envBase;

describe.each([
  ['gcc', [] as string[]],
  ['clang', [] as string[]],
  ['clang', ['-flto']],
  ['gcc', ['-flto=auto']],
])('%s %j through isa-hostcc at v2', (cc, extra) => {
  it.skipIf(!have(cc))('gives a binary whose note is at most v2, with no v3 code, that runs on Nehalem', () => {
    const out = join(dir, `p-${cc}${extra.join('')}`);
    const r = run(HOSTCC, [...LEAKY, ...extra, '-o', out, join(dir, 'v.c'), LEAKY_LD], { env: env({ ISA_HOSTCC: cc }) });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readelfNeeded(out)).toBeGreaterThan(0);
    expect(readelfNeeded(out)).toBeLessThanOrEqual(2);
    expect(aboveV2Instructions(out)).toEqual([]);
    if (have('qemu-x86_64')) {
      const q = run('qemu-x86_64', [...NEHALEM, out]);
      expect(q.stderr).toBe('');
      expect(q.stdout).toBe('201.0\n');
    }
  });

  it.skipIf(!have(cc))('the same call without the shim gives a binary a v2 CPU refuses (the control)', () => {
    const out = join(dir, `c-${cc}${extra.join('')}`);
    const r = run(cc, [...LEAKY, ...extra, '-o', out, join(dir, 'v.c'), LEAKY_LD]);
    expect(r.status).toBe(0);
    expect(readelfNeeded(out)).toBe(3);
    expect(aboveV2Instructions(out).length).toBeGreaterThan(0);
    if (have('qemu-x86_64')) {
      const q = run('qemu-x86_64', [...NEHALEM, out]);
      expect(q.status).not.toBe(0);
      expect(q.stderr).toMatch(/CPU ISA level is lower than required/);
    }
  });
});

describe('separate compile and link, and isa-hostld', () => {
  it('compile with isa-hostcc, link with isa-hostld (-z x86-64-v3) via gcc -B', () => {
    const obj = join(dir, 'v.o');
    expect(run(HOSTCC, [...LEAKY, '-c', join(dir, 'v.c'), '-o', obj], { env: env() }).status).toBe(0);
    expect(aboveV2Instructions(obj)).toEqual([]);
    const rel = join(dir, 'r.o');
    const r = run(HOSTLD, ['-r', '-z', 'x86-64-v3', '-o', rel, obj], { env: env() });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readelfNeeded(rel)).toBe(2);
  });
});

const FAST = join(ROOT, 'dist', 'isa-shim-fast');
const RUNTIMES = [...(existsSync(FAST) ? ['fast'] : []), 'node'];

describe.each(RUNTIMES)('on the %s runtime', (runtime) => {
  it.skipIf(!have('qemu-x86_64'))('the wrapper itself runs on an x86-64-v2 CPU', () => {
    const out = join(dir, `qemu-built-${runtime}`);
    const exe = runtime === 'fast' ? [FAST] : [process.execPath, join(ROOT, 'dist', 'entry.mjs')];
    const r = run('qemu-x86_64', [...NEHALEM, ...exe, '--isa-shim=cc', '-O2', '-march=native', '-o', out, join(dir, 'v.c')], { env: env() });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(aboveV2Instructions(out)).toEqual([]);
  });
});

describe.each(RUNTIMES)('transparency on the %s runtime', (runtime) => {
  const env = (extra: Record<string, string> = {}) => envBase({ ISA_RUNTIME: runtime, ...extra });
  it.each([['-dumpversion'], ['--version'], ['-print-file-name=plugin'], ['-dumpmachine'], ['-v']])(
    'probe %s gives the real compiler\'s bytes and status',
    (...args) => {
      const a = run(HOSTCC, args, { env: env() });
      const b = run('gcc', args);
      expect(a.status).toBe(b.status);
      expect(a.stdout).toBe(b.stdout);
      expect(a.stderr.replace(/COLLECT_GCC=\S+/, '')).toBe(b.stderr.replace(/COLLECT_GCC=\S+/, ''));
    },
  );

  it('`-E -P -x c -` from stdin gives the real output', () => {
    const input = 'int v = __GNUC__;\n#ifdef __x86_64__\nint x86;\n#endif\nint sse42 = __SSE4_2__; int avx2 = __AVX2__;\n';
    const a = run(HOSTCC, ['-E', '-P', '-x', 'c', '-'], { env: env(), input });
    const b = run('gcc', ['-E', '-P', '-x', 'c', '-'], { input });
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toContain('int x86;');
  });

  it('a compile error keeps gcc\'s status and message', () => {
    const bad = join(dir, 'bad.c');
    writeFileSync(bad, 'int main(void) { return nope; }\n');
    const a = run(HOSTCC, ['-c', bad, '-o', join(dir, 'bad.o')], { env: env() });
    const b = run('gcc', ['-march=x86-64-v2', '-c', bad, '-o', join(dir, 'bad.o')]);
    expect(a.status).toBe(1);
    expect(a.status).toBe(b.status);
    expect(a.stderr).toBe(b.stderr);
    expect(a.stdout).toBe('');
  });

  it('a .env or bunfig.toml in the working directory changes nothing (the compiled runtime loads neither)', () => {
    const wd = join(dir, `dotenv-${runtime}`);
    mkdirSync(wd, { recursive: true });
    writeFileSync(join(wd, '.env'), 'ISA_DOTENV_PROBE=leaked\nGCC_EXEC_PREFIX=/nowhere/\n');
    writeFileSync(join(wd, 'bunfig.toml'), 'preload = ["./nope.ts"]\n');
    const fake = join(wd, 'env-recording-cc');
    writeFileSync(fake, `#!/bin/sh\nenv > ${join(wd, 'seen.env')}\n`, { mode: 0o755 });
    for (let i = 0; i < 2; i++) {
      // The first call may fill the settings cache on Node.js; the second is the compiled executable's.
      const r = run(HOSTCC, ['-c', 'x.c'], { cwd: wd, env: env({ ISA_HOSTCC: fake, ISA_CACHE_DIR: join(wd, 'cache') }) });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const seen = readFileSync(join(wd, 'seen.env'), 'utf8');
      expect(seen).not.toMatch(/ISA_DOTENV_PROBE|GCC_EXEC_PREFIX/);
    }
  });

  it('prints nothing on success, and one line per call with ISA_DEBUG', () => {
    const o = join(dir, 'q.o');
    const quiet = run(HOSTCC, ['-march=haswell', '-c', join(dir, 'v.c'), '-o', o], { env: env() });
    expect(quiet.stdout + quiet.stderr).toBe('');
    const loud = run(HOSTCC, ['-march=haswell', '-c', join(dir, 'v.c'), '-o', o], { env: env({ ISA_DEBUG: '1' }) });
    const lines = loud.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^isa-hostcc: compile at x86-64-v2 .*-march=haswell .*=> .*-march=x86-64-v2 .*-mtune=haswell/);
  });

  it('ISA_LOG appends one JSON line per call', () => {
    const log = join(dir, `calls-${runtime}.jsonl`);
    for (let i = 0; i < 3; i++) run(HOSTCC, ['-mavx2', '-c', join(dir, 'v.c'), '-o', join(dir, 'l.o')], { env: env({ ISA_LOG: log }) });
    const lines = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ prog: 'isa-hostcc', step: 'compile', level: 'x86-64-v2', status: 0 });
    expect(lines[0].final).not.toContain('-mavx2');
    // The first call may fill the settings cache on Node.js; the compiled executable must then
    // answer from it (its libc stat signatures equal the ones Node.js wrote), or every call would
    // silently pay Node's start-up.
    expect(lines.slice(1).map((l) => l.runtime)).toEqual(runtime === 'fast' ? ['compiled', 'compiled'] : ['node', 'node']);
  });

  it('a response file is expanded, rewritten and handed on as a new one that is removed afterwards', () => {
    const rsp = join(dir, 'args.rsp');
    writeFileSync(rsp, `-O3 '-march=x86-64-v3' -c ${join(dir, 'v.c')} -o ${join(dir, 'rsp.o')}\n`);
    const log = join(dir, `rsp-${runtime}.jsonl`);
    const privateTmp = join(dir, `tmp-${runtime}`);
    run('mkdir', ['-p', privateTmp]);
    const r = run(HOSTCC, [`@${rsp}`], { env: env({ ISA_LOG: log, TMPDIR: privateTmp }) });
    expect(r.status).toBe(0);
    expect(aboveV2Instructions(join(dir, 'rsp.o'))).toEqual([]);
    const entry = JSON.parse(readFileSync(log, 'utf8').trim());
    expect(entry.final).toContain('-march=x86-64-v2');
    expect(readFileSync(rsp, 'utf8')).toContain('x86-64-v3');
    // the temporary response file went to TMPDIR and is gone
    expect(readdirSync(privateTmp)).toEqual([]);
  });

  it('the real tool gets a new response file in TMPDIR with the rewritten arguments', () => {
    const rec = join(dir, `rec-${runtime}`);
    const fake = join(dir, `record-cc-${runtime}`);
    writeFileSync(fake, `#!/bin/sh\nprintf '%s\\n' "$@" > ${rec}.argv\nfor a; do case $a in @*) cat "\${a#@}" > ${rec}.rsp;; esac; done\n`, { mode: 0o755 });
    const rsp = join(dir, 'args2.rsp');
    writeFileSync(rsp, `-march=haswell "a b.c" -c -o out.o\n`);
    const privateTmp = join(dir, `tmp2-${runtime}`);
    run('mkdir', ['-p', privateTmp]);
    expect(run(HOSTCC, [`@${rsp}`], { env: env({ ISA_HOSTCC: fake, TMPDIR: privateTmp }) }).status).toBe(0);
    const argv = readFileSync(`${rec}.argv`, 'utf8').trim().split('\n');
    expect(argv).toHaveLength(1);
    expect(argv[0]).toMatch(new RegExp(`^@${privateTmp}/isa-shim-\\d+-\\w+\\.rsp$`));
    expect(readFileSync(`${rec}.rsp`, 'utf8')).toBe('-mtune=haswell\n-march=x86-64-v2\na\\ b.c\n-c\n-o\nout.o\n');
    expect(readdirSync(privateTmp)).toEqual([]);
  });

  it('exit status and signals pass through', () => {
    const fake = join(dir, 'fake-cc');
    writeFileSync(fake, '#!/bin/sh\ncase "$1" in\n  --exit) exit "$2";;\n  --kill) kill -s "$2" $$;;\nesac\n', { mode: 0o755 });
    expect(run(HOSTCC, ['--exit', '42'], { env: env({ ISA_HOSTCC: fake }) }).status).toBe(42);
    const k = run(HOSTCC, ['--kill', 'TERM'], { env: env({ ISA_HOSTCC: fake }) });
    expect(k.signal).toBe('SIGTERM');
  });

  it('a missing or non-executable real tool is 127 or 126 with one line', () => {
    const missing = run(HOSTCC, ['-c', 'x.c'], { env: env({ ISA_HOSTCC: '/nonexistent/cc' }) });
    expect(missing.status).toBe(127);
    expect(missing.stderr).toMatch(/^isa-hostcc: \/nonexistent\/cc: not found.*\n$/);
    const noexec = join(dir, 'noexec');
    writeFileSync(noexec, 'x', { mode: 0o644 });
    const ne = run(HOSTCC, ['-c', 'x.c'], { env: env({ ISA_HOSTCC: noexec }) });
    expect(ne.status).toBe(126);
  });

  it('never runs itself: a PATH whose gcc is a symlink to the wrapper is skipped', () => {
    const pdir = join(dir, `pathloop-${runtime}`);
    run('mkdir', ['-p', pdir]);
    run('ln', ['-sf', HOSTCC, join(pdir, 'gcc')]);
    const r = run(HOSTCC, ['-dumpversion'], { env: env({ PATH: `${pdir}:${process.env.PATH}` }) });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(run('gcc', ['-dumpversion']).stdout);
    const self = run(HOSTCC, ['-dumpversion'], { env: env({ ISA_HOSTCC: join(pdir, 'gcc') }) });
    expect(self.status).toBe(125);
    expect(self.stderr).toMatch(/isa-shim itself/);
  });

});

describe.skipIf(!existsSync(FAST))('dist/bin: the compiled executable called by a wrapper\'s name, no launcher', () => {
  const DIRECT = join(ROOT, 'dist', 'bin');
  const cc = join(DIRECT, 'isa-hostcc');
  const records = (log: string) => readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

  it('probes give gcc\'s and ld\'s bytes and status', () => {
    for (const [w, real, args] of [[cc, 'gcc', ['-dumpversion']], [join(DIRECT, 'isa-hostcxx'), 'g++', ['-dumpmachine']], [join(DIRECT, 'isa-hostld'), 'ld', ['--version']]] as const) {
      const a = run(w, args, { env: env() });
      const b = run(real, args);
      expect({ w, status: a.status, stdout: a.stdout }).toEqual({ w, status: b.status, stdout: b.stdout });
    }
  });

  it('rewrites like bin/isa-hostcc and is served by the compiled executable', () => {
    const log = join(dir, 'direct.jsonl');
    for (let i = 0; i < 2; i++) {
      const r = run(cc, ['-O2', '-march=x86-64-v3', '-c', join(dir, 'v.c'), '-o', join(dir, 'direct.o')], { env: env({ ISA_LOG: log }) });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    const [, second] = records(log);
    expect(second).toMatchObject({ prog: 'isa-hostcc', runtime: 'compiled' });
    expect(second.final).toContain('-march=x86-64-v2');
    expect(aboveV2Instructions(join(dir, 'direct.o'))).toEqual([]);
  });

  it('every argument is the compiler\'s, even one that looks like a selector', () => {
    const a = run(cc, ['--isa-shim=cli', '-c', join(dir, 'v.c'), '-o', join(dir, 'sel.o')], { env: env() });
    const b = run('gcc', ['--isa-shim=cli', '-c', join(dir, 'v.c'), '-o', join(dir, 'sel.o')]);
    expect(a.status).toBe(b.status);
    expect(a.stderr).toBe(b.stderr);
  });

  it('ISA_RUNTIME=node hands the call to Node.js', () => {
    const log = join(dir, 'direct-node.jsonl');
    const r = run(cc, ['-c', join(dir, 'v.c'), '-o', join(dir, 'dn.o')], { env: env({ ISA_LOG: log, ISA_RUNTIME: 'node' }) });
    expect(r.status).toBe(0);
    expect(records(log).map((x) => x.runtime)).toEqual(['node']);
  });

  it('a gcc on PATH that is a symlink to it is recognised as the shim and skipped', () => {
    const fakeBin = join(dir, 'fake-bin');
    run('mkdir', ['-p', fakeBin]);
    run('ln', ['-sf', cc, join(fakeBin, 'gcc')]);
    const log = join(dir, 'direct-self.jsonl');
    const r = run(cc, ['-c', join(dir, 'v.c'), '-o', join(dir, 'ds.o')], { env: env({ ISA_LOG: log, PATH: `${fakeBin}:${process.env.PATH}` }) });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(records(log)[0].tool).not.toContain(fakeBin);
  });
});

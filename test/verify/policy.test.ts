// Verification after every link, with the field's real causes: startup files stamped v3 (a glibc
// built for v3), and -march=x86-64-v3 code with the note stripped (the seed's workaround).
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, NEHALEM, ROOT, aboveV2Instructions, have, readelfNeeded, run, tmp } from '../helpers.js';

const HOSTCC = join(BIN, 'isa-hostcc');
const SHIM = join(BIN, 'isa-shim');
const RUNTIMES = [...(existsSync(join(ROOT, 'dist', 'isa-shim-fast')) ? ['fast'] : []), 'node'];

let dir: string;
let crt: string;
const HELLO = '#include <stdio.h>\nint main(void) { puts("hello from v2"); return 0; }\n';
const VEC = `__attribute__((noinline)) void saxpy(float *restrict a, const float *restrict b, int n) {
  for (int i = 0; i < n; i++) a[i] = a[i] * 2.0f + b[i];
}
int main(int argc, char **argv) { (void)argv; float a[256], b[256]; for (int i = 0; i < 256; i++) { a[i] = i; b[i] = argc; } saxpy(a, b, 256); return (int)a[7] == 15 ? 0 : 1; }
`;

beforeAll(() => {
  dir = tmp();
  crt = join(dir, 'crt-v3');
  mkdirSync(crt);
  // A toolchain like a v3-built glibc: its startup files carry "x86 ISA needed: x86-64-v3".
  for (const f of ['Scrt1.o', 'crt1.o', 'crti.o']) {
    const src = run('gcc', [`-print-file-name=${f}`]).stdout.trim();
    expect(run('ld', ['-r', '-z', 'x86-64-v3', src, '-o', join(crt, f)]).status).toBe(0);
  }
  writeFileSync(join(dir, 'hello.c'), HELLO);
  writeFileSync(join(dir, 'vec.c'), VEC);
});

const env = (runtime: string, extra: Record<string, string>) => ({
  ...process.env,
  ISA_RUNTIME: runtime,
  ISA_LEVEL: 'v2',
  ISA_HOSTCC: `gcc -B${crt}/`,
  ISA_CACHE_DIR: join(dir, `cache-${runtime}`),
  ISA_DEBUG: '',
  ...extra,
});

describe('the control: the stamped startup files alone raise every binary to v3', () => {
  it('plain gcc -B gives a v3 note whatever the flags say, and a v2 CPU refuses it', () => {
    const out = join(dir, 'control');
    expect(run('gcc', [`-B${crt}/`, '-march=x86-64-v2', '-o', out, join(dir, 'hello.c'), '-Wl,-z,x86-64-v2']).status).toBe(0);
    expect(readelfNeeded(out)).toBe(3);
    if (have('qemu-x86_64')) expect(run('qemu-x86_64', [...NEHALEM, out]).stderr).toMatch(/CPU ISA level is lower than required/);
  });
});

describe.each(RUNTIMES)('policies on the %s runtime', (runtime) => {
  it('error: exits 3, names Scrt1.o/crti.o, moves the output aside', () => {
    const out = join(dir, `err-${runtime}`);
    const r = run(HOSTCC, ['-O2', '-o', out, join(dir, 'hello.c')], { env: env(runtime, { ISA_ON_VIOLATION: 'error' }) });
    expect(r.status).toBe(3);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/needs x86-64-v3.*above the configured x86-64-v2 \(env ISA_LEVEL\)/);
    expect(lines[0]).toContain(`${crt}/Scrt1.o (startup file, x86-64-v3)`);
    expect(lines[0]).toContain(`${crt}/crti.o (startup file, x86-64-v3)`);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.isa-rejected`)).toBe(true);
  });

  it('error with -static names crt1.o instead', () => {
    if (!existsSync(run('gcc', ['-print-file-name=libc.a']).stdout.trim())) return;
    const out = join(dir, `errs-${runtime}`);
    const r = run(HOSTCC, ['-static', '-o', out, join(dir, 'hello.c')], { env: env(runtime, { ISA_ON_VIOLATION: 'error' }) });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(`${crt}/crt1.o (startup file`);
    expect(r.stderr).not.toContain('Scrt1.o');
  });

  it('fix (the default): at most v2, IBT/SHSTK kept, mode kept, runs on Nehalem, silent', () => {
    const out = join(dir, `fix-${runtime}`);
    const r = run(HOSTCC, ['-O2', '-fcf-protection=full', '-o', out, join(dir, 'hello.c'), '-Wl,-z,ibt,-z,shstk'], { env: env(runtime, {}) });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readelfNeeded(out)).toBe(2);
    const notes = run('readelf', ['-n', out]).stdout;
    expect(notes).toMatch(/x86 feature: IBT, SHSTK/);
    expect(statSync(out).mode & 0o777).toBe(0o755);
    expect(readdirTemp(dir)).toEqual([]);
    if (have('qemu-x86_64')) {
      const q = run('qemu-x86_64', [...NEHALEM, out]);
      expect(q.stderr).toBe('');
      expect(q.stdout).toBe('hello from v2\n');
    }
  });

  it('warn: leaves the binary, prints one warning line, exits 0', () => {
    const out = join(dir, `warn-${runtime}`);
    const r = run(HOSTCC, ['-o', out, join(dir, 'hello.c')], { env: env(runtime, { ISA_ON_VIOLATION: 'warn' }) });
    expect(r.status).toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^isa-hostcc: warning: .* needs x86-64-v3/);
    expect(readelfNeeded(out)).toBe(3);
  });

  it('a link that fails by itself is reported as the linker reported it, not as a violation', () => {
    const bad = join(dir, 'undef.c');
    writeFileSync(bad, 'int missing(void); int main(void) { return missing(); }\n');
    const r = run(HOSTCC, ['-o', join(dir, `undef-${runtime}`), bad], { env: env(runtime, { ISA_ON_VIOLATION: 'error' }) });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/undefined reference to `missing'/);
    expect(r.stderr).not.toMatch(/isa-hostcc:/);
  });
});

function readdirTemp(d: string): string[] {
  return run('sh', ['-c', `ls -a ${d} | grep 'isa-tmp' || true`]).stdout.split('\n').filter(Boolean);
}

describe('fix refuses what the code audit proves above the level', () => {
  it('a -march=x86-64-v3 -O3 binary stamped v3 is rejected, not lowered, even under fix', () => {
    // Built without the shim, then linked through isa-hostld-less path: compile plain, link via the wrapper.
    const obj = join(dir, 'vec3.o');
    expect(run('gcc', ['-O3', '-march=x86-64-v3', '-c', join(dir, 'vec.c'), '-o', obj]).status).toBe(0);
    const out = join(dir, 'vec3-linked');
    const r = run(HOSTCC, ['-o', out, obj, '-Wl,-z,x86-64-v3'], { env: { ...env('node', {}), ISA_HOSTCC: 'gcc', ISA_LEVEL: 'v2' } });
    // the -z flag is lowered, but the object's code is v3: GNU ld writes the note only from -z and inputs
    expect(r.status === 0 || r.status === 3).toBe(true);
    const check = run(SHIM, ['check', '--code', '--level', 'v2', existsSync(out) ? out : `${out}.isa-rejected`]);
    expect(check.status).toBe(1);
    expect(check.stdout).toMatch(/saxpy/);
  });
});

describe('isa-shim check and fix', () => {
  let stripped: string;
  let noted: string;
  beforeAll(() => {
    stripped = join(dir, 'vec-stripped');
    expect(run('gcc', ['-O3', '-march=x86-64-v3', '-o', stripped, join(dir, 'vec.c'), '-Wl,-z,x86-64-v3']).status).toBe(0);
    expect(aboveV2Instructions(stripped).length).toBeGreaterThan(0);
    noted = `${stripped}-noted`;
    run('cp', [stripped, noted]);
    run('cp', [noted, `${noted}-tree`]);
    // The seed's workaround (objcopy keeps the symbols that strip would also drop): the note is
    // gone, the AVX2 code is not.
    expect(run('objcopy', ['--remove-section=.note.gnu.property', stripped]).status).toBe(0);
    expect(readelfNeeded(stripped)).toBe(0);
  });

  it('check without --code says MAYBE for a note-less binary; --code fails it and names the function', () => {
    const plain = run(SHIM, ['check', '--level', 'v2', stripped]);
    expect(plain.status).toBe(0);
    expect(plain.stdout).toMatch(/^MAYBE/m);
    const code = run(SHIM, ['check', '--code', '--level', 'v2', stripped]);
    expect(code.status).toBe(1);
    expect(code.stdout).toMatch(/^FAIL .*code above x86-64-v2 in .*saxpy/m);
    expect(code.stdout).toMatch(/saxpy: .*AVX/);
    const v3 = run(SHIM, ['check', '--code', '--level', 'v3', stripped]);
    expect(v3.status).toBe(0);
  });

  it('fix refuses a binary whose code is above the level and leaves it byte-identical', () => {
    const before = readFileSync(noted);
    const r = run(SHIM, ['fix', '--level', 'v2', noted]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^refused .*saxpy/m);
    expect(readFileSync(noted).equals(before)).toBe(true);
    const forced = run(SHIM, ['fix', '--level', 'v2', '--force', noted]);
    expect(forced.status).toBe(0);
    expect(readelfNeeded(noted)).toBe(2);
  });

  it('fix lowers a binary whose code is within the level, keeping IBT/SHSTK', () => {
    const out = join(dir, 'cet-v3');
    expect(run('gcc', ['-O2', '-march=x86-64-v2', '-fcf-protection=full', '-o', out, join(dir, 'hello.c'), '-Wl,-z,x86-64-v3,-z,ibt,-z,shstk']).status).toBe(0);
    chmodSync(out, 0o750);
    const r = run(SHIM, ['fix', '--level', 'v2', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^fixed .*x86-64-v3 -> x86-64-v2/m);
    expect(readelfNeeded(out)).toBe(2);
    expect(run('readelf', ['-n', out]).stdout).toMatch(/IBT, SHSTK/);
    expect(statSync(out).mode & 0o777).toBe(0o750);
  });

  it('check walks directories, skips non-ELF files in them, and exits 1 when any file is above', () => {
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'sub'), { recursive: true });
    run('cp', [`${noted}-tree`, join(tree, 'sub', 'tool')]);
    writeFileSync(join(tree, 'README'), 'not an ELF file\n');
    run('cp', ['/usr/bin/true', join(tree, 'true')]);
    const r = run(SHIM, ['check', '--level', 'v2', tree]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL .*sub\/tool/m);
    expect(r.stdout).not.toMatch(/README/);
    expect(r.stdout).toMatch(/1 skipped/);
    const q = run(SHIM, ['check', '-q', '--level', 'v4', tree]);
    expect(q.status).toBe(0);
    expect(q.stdout).toBe('');
  });

  it('check gives the same answer on the compiled runtime as on Node.js (cache warm and cold)', () => {
    const cache = join(dir, 'check-cache');
    const paths = [noted.replace(/-noted$/, ''), '/usr/bin/true', join(dir, 'tree')];
    const e = (runtime: string) => ({ ...process.env, ISA_CACHE_DIR: cache, ISA_LEVEL: 'v2', ISA_RUNTIME: runtime });
    const cold = run(SHIM, ['check', ...paths], { env: e('') });
    const warm = run(SHIM, ['check', ...paths], { env: e('') });
    const node = run(SHIM, ['check', ...paths], { env: e('node') });
    expect(node.status).toBe(1);
    for (const r of [cold, warm]) {
      expect(r.status).toBe(node.status);
      expect(r.stdout).toBe(node.stdout);
      expect(r.stderr).toBe(node.stderr);
    }
  });

  it.skipIf(!RUNTIMES.includes('fast'))('the compiled runtime words system errors as Node.js does, through libc and through its node:fs fallback', () => {
    // A "linker" that succeeds without leaving a readable output: the verify step's open fails, and
    // its one line (kept in the ISA_LOG record) carries the system error's code and text.
    const fake = join(dir, 'no-output-ld');
    writeFileSync(fake, '#!/bin/sh\n[ -n "$LOOP" ] && ln -sf "$LOOP" "$LOOP"\nexit 0\n', { mode: 0o755 });
    const loop = join(dir, 'loop-out');
    const cases: Array<[string, Record<string, string>]> = [
      [join(dir, 'never-written'), {}],
      [loop, { LOOP: loop }],
      ['/etc/passwd/x', {}],
    ];
    const verifyLine = (runtime: string, noFfi: string, out: string, extra: Record<string, string>) => {
      const log = join(dir, `errlog-${runtime}-${noFfi}.jsonl`);
      rmSync(log, { force: true });
      const base = { ...env(runtime, { ISA_HOSTCC: fake, ISA_LOG: log, ISA_NO_FFI: noFfi }), ...extra };
      // The second call is the one compared: the first may fill the settings cache on Node.js.
      for (let i = 0; i < 2; i++) expect(run(HOSTCC, ['-o', out, 'x.o'], { env: base }).status).toBe(0);
      const rec = JSON.parse(readFileSync(log, 'utf8').trim().split('\n')[1]!);
      return { runtime: rec.runtime, verify: rec.verify };
    };
    for (const [out, extra] of cases) {
      const node = verifyLine('node', '', out, extra);
      expect(node.verify).toMatch(/^not verified: .*cannot open: E[A-Z]+: /);
      for (const noFfi of ['', '1']) {
        expect(verifyLine('fast', noFfi, out, extra)).toEqual({ runtime: 'compiled', verify: node.verify });
      }
    }
  });

  it('--json is one document with a verdict per file', () => {
    const r = run(SHIM, ['check', '--json', '--code', '--level', 'v2', stripped, '/usr/bin/true']);
    const doc = JSON.parse(r.stdout);
    expect(doc.level).toBe('x86-64-v2');
    expect(doc.files.map((f: { verdict: string }) => f.verdict)).toEqual(['FAIL', 'PASS']);
    expect(doc.files[0].code.violations.map((v: { function: string }) => v.function)).toContain('saxpy');
  });

  it.each([
    ['a missing file', () => join(dir, 'nope'), /nope: no such file/],
    ['a non-ELF file', () => { const p = join(dir, 'text.txt'); writeFileSync(p, 'hello'); return p; }, /text\.txt: not an ELF/],
    ['a truncated ELF', () => { const p = join(dir, 'trunc'); writeFileSync(p, readFileSync('/usr/bin/true').subarray(0, 100)); return p; }, /trunc/],
  ])('exit 2 and one line for %s named on the command line', (_what, make, msg) => {
    const r = run(SHIM, ['check', make()]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(msg);
    expect(r.stderr).not.toMatch(/at .*\.(js|mjs|ts):\d+/);
  });
});

// Hostile and odd arguments through the real wrappers, compared byte for byte with what a
// recording stand-in tool received: handed on exactly, or refused with one clear line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseResponseText } from '../../src/args/index.js';
import { run, tmp } from '../helpers.js';
import { HOSTCC, HOSTLD, RUNTIMES, leftovers, recorder, splitNul, wenv } from './util.js';

let dir: string;
let rec: string;
beforeAll(() => {
  dir = tmp('isa-hard-args-');
  rec = recorder(dir);
  // A second recorder that also keeps a copy of every @file it is given (the wrapper removes its own).
  writeFileSync(
    join(dir, 'rsprec'),
    `#!/bin/sh
for a; do case $a in @*) cp "\${a#@}" "$REC.rsp";; esac; done
exec "${rec}" "$@"
`,
    { mode: 0o755 },
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ODD = [
  'with space', "single'quote", 'double"quote', 'back\\slash', 'new\nline', 'tab\there', '', ' ', '-', '--',
  '-starts-with-dash.c', '-o-', '@', 'ünïcödé-路径.c', '$HOME', '`id`', '*', '-Wl,-rpath,$ORIGIN/../lib',
];

function recorded(file: string): string[] {
  return splitNul(readFileSync(file)).map((b) => b.toString('utf8'));
}

describe.each(RUNTIMES)('on the %s runtime', (runtime) => {
  const env = (extra: Record<string, string> = {}) => wenv(dir, runtime, { ISA_HOSTCC: rec, ISA_HOSTLD: rec, ...extra });

  it('odd arguments with nothing to rewrite reach the tool exactly (cc and ld)', () => {
    for (const w of [HOSTCC, HOSTLD]) {
      const out = join(dir, `odd-${runtime}`);
      const args = ['-march=x86-64-v2', '-c', ...ODD];
      const r = run(w, args, { env: env({ REC: out }) });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(recorded(out)).toEqual(args);
    }
  });

  it('odd arguments around a rewrite: only the ISA flag changes', () => {
    const out = join(dir, `oddrw-${runtime}`);
    const r = run(HOSTCC, ['-march=x86-64-v3', '-c', ...ODD], { env: env({ REC: out }) });
    expect(r.status).toBe(0);
    expect(recorded(out)).toEqual(['-march=x86-64-v2', '-c', ...ODD]);
  });

  it('odd arguments in a response file that is rewritten: the new response file gives them back exactly, and is removed', () => {
    const out = join(dir, `oddrsp-${runtime}`);
    const rsp = join(dir, 'odd.rsp');
    const quote = (a: string) => (a === '' ? "''" : a.replace(/[\s'"\\]/g, (c) => `\\${c}`));
    writeFileSync(rsp, ['-march=x86-64-v3', '-c', ...ODD].map(quote).join(' ') + '\n');
    const r = run(HOSTCC, [`@${rsp}`], { env: env({ REC: out, ISA_HOSTCC: join(dir, 'rsprec') }) });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const got = recorded(out);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatch(/^@\/tmp\/isa-shim-/);
    expect(existsSync(got[0]!.slice(1))).toBe(false);
    expect(parseResponseText(readFileSync(`${out}.rsp`, 'utf8'))).toEqual(['-march=x86-64-v2', '-c', ...ODD]);
  });

  it('200,000 arguments through a response file: all handed on, in order, in bounded time', () => {
    const n = 200_000;
    const args = Array.from({ length: n }, (_, i) => (i % 1000 === 0 ? '-mavx2' : `-DARG_${i}="v ${i}"`));
    const rsp = join(dir, 'big.rsp');
    writeFileSync(rsp, args.map((a) => a.replace(/[\s'"\\]/g, (c) => `\\${c}`)).join('\n'));
    const out = join(dir, `big-${runtime}`);
    const t0 = Date.now();
    const r = run(HOSTCC, ['-c', 'x.c', `@${rsp}`], { env: env({ REC: out, ISA_HOSTCC: join(dir, 'rsprec') }) });
    const ms = Date.now() - t0;
    expect(r.status).toBe(0);
    expect(ms).toBeLessThan(20_000);
    const handed = parseResponseText(readFileSync(`${out}.rsp`, 'utf8'));
    const expected = ['-march=x86-64-v2', '-c', 'x.c', ...args.filter((a) => a !== '-mavx2')];
    expect(handed.length).toBe(expected.length);
    expect(handed).toEqual(expected);
    console.log(`[args] ${runtime}: 200,000 arguments via @file in ${ms} ms`);
  });

  it('a response file that includes itself (directly or through another) is refused: one line, exit 2', () => {
    const a = join(dir, 'self-a.rsp');
    const b = join(dir, 'self-b.rsp');
    writeFileSync(a, `-c x.c @${b}\n`);
    writeFileSync(b, `-O2 @${a}\n`);
    for (const start of [a, b]) {
      const t0 = Date.now();
      const r = run(HOSTCC, [`@${start}`], { env: env({ REC: join(dir, 'never') }), timeout: 20_000 });
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^isa-hostcc: response file .*self-[ab]\.rsp includes itself\n$/);
    }
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('a response file nested very deep is refused, not recursed into without end', () => {
    for (let i = 0; i < 40; i++) writeFileSync(join(dir, `deep-${i}.rsp`), `-DL${i} @${join(dir, `deep-${i + 1}.rsp`)}\n`);
    writeFileSync(join(dir, 'deep-40.rsp'), '-c x.c\n');
    const r = run(HOSTCC, [`@${join(dir, 'deep-0.rsp')}`], { env: env({ REC: join(dir, 'never2') }) });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^isa-hostcc: response files nested deeper than \d+ at .*\n$/);
  });

  it('a non-UTF-8 argument is refused with its index, never handed on as U+FFFD (launcher and runtime indices accounted for)', () => {
    const out = join(dir, `raw-${runtime}`);
    // spawnSync takes Buffers? No: argv strings only. Go through sh, which passes the bytes.
    const r = spawnSync('sh', ['-c', `exec "${HOSTCC}" -c "$(printf 'a\\377b.c')" -o x.o`], { env: env({ REC: out }), encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^isa-hostcc: argument 2 is not valid UTF-8 .*refused\n$/);
    expect(existsSync(out)).toBe(false);
    // Valid UTF-8 (a literal U+FFFD included) is not mistaken for it.
    const ok = run(HOSTCC, ['-march=x86-64-v2', '-c', 'a\uFFFDb.c', 'ü.c'], { env: env({ REC: out }) });
    expect(ok.status).toBe(0);
    expect(recorded(out)).toEqual(['-march=x86-64-v2', '-c', 'a\uFFFDb.c', 'ü.c']);
  });

  it('non-UTF-8 bytes in a response file: handed on as the original file when nothing changes, refused when it would be rewritten', () => {
    const rsp = join(dir, 'raw.rsp');
    writeFileSync(rsp, Buffer.concat([Buffer.from('-c a'), Buffer.from([0xff, 0xfe]), Buffer.from('.c\n')]));
    const out = join(dir, `rawrsp-${runtime}`);
    const same = run(HOSTCC, ['-march=x86-64-v2', `@${rsp}`], { env: env({ REC: out }) });
    expect(same.status).toBe(0);
    expect(recorded(out)).toEqual(['-march=x86-64-v2', `@${rsp}`]);
    const r = run(HOSTCC, ['-march=x86-64-v3', `@${rsp}`], { env: env({ REC: join(dir, 'never3') }) });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^isa-hostcc: response file .*raw\.rsp is not valid UTF-8.*\n$/);
    expect(existsSync(join(dir, 'never3'))).toBe(false);
    expect(leftovers(undefined, []).filter((f) => readFileSync(f).includes(0xff))).toEqual([]);
  });

  it('ld itself reads the response file the wrapper writes: 200,000 --defsym options, -z x86-64-v3 rewritten', () => {
    // (gcc cannot take 200,000 options at all: it hands them to cc1 on argv, E2BIG; ld reads @files itself.)
    const obj = join(dir, 'm.o');
    if (!existsSync(obj)) {
      writeFileSync(join(dir, 'm.c'), 'int main(void) { return 0; }\n');
      expect(run('gcc', ['-c', join(dir, 'm.c'), '-o', obj]).status).toBe(0);
    }
    const rsp = join(dir, 'ld.rsp');
    const out = join(dir, `odd name 'r' ${runtime}.o`);
    const defs = Array.from({ length: 200_000 }, (_, i) => `--defsym=ARG_${i}=${i}`);
    writeFileSync(rsp, ['-r', '-z', 'x86-64-v3', '-o', `"${out}"`, obj, ...defs].join(' '));
    const r = run(HOSTLD, [`@${rsp}`], { env: wenv(dir, runtime) });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const syms = run('nm', [out]).stdout.split('\n').filter((l) => / A ARG_\d+$/.test(l));
    expect(syms).toHaveLength(200_000);
    expect(run('readelf', ['-n', out]).stdout).toMatch(/x86 ISA needed: x86-64-v2/);
  });
});



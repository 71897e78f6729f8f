// Load: `make -j16` of a synthetic tree of 500 host programs through the wrappers, with ISA_LOG and
// a fresh settings cache, against the same tree built with -j1. Every output verified, every log
// line whole, the cache clean, the outputs byte-identical.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { aboveV2Instructions, have, readelfNeeded, run, tmp } from '../helpers.js';
import { HOSTCC, HOSTLD } from './util.js';

const SINGLE = 400; // $(HOSTCC) -o $@ $<
const MULTI = 50; // two objects, linked by $(HOSTCC)
const VIA_LD = 50; // two objects, partial link by $(HOSTLD) -r, final link by $(HOSTCC)
const PROGRAMS = SINGLE + MULTI + VIA_LD;
const CALLS = SINGLE + MULTI * 3 + VIA_LD * 4;

const LOOP = (n: number) => `void work${n}(float *restrict a, const float *restrict b, int k) { for (int i = 0; i < k; i++) a[i] = a[i] * ${n + 2}.0f + b[i]; }\n`;
const MAIN = (n: number, extern: boolean) =>
  `#include <stdio.h>\n${extern ? `void work${n}(float *restrict, const float *restrict, int);\n` : LOOP(n)}` +
  `int main(void) { static float a[256], b[256]; for (int i = 0; i < 256; i++) { a[i] = i; b[i] = 1; } work${n}(a, b, 256); printf("%d %.1f\\n", ${n}, a[7]); return 0; }\n`;

let dir: string;
beforeAll(() => {
  dir = tmp('isa-hard-load-');
  const src = join(dir, 'src');
  mkdirSync(src);
  const progs: string[] = [];
  const rules: string[] = [];
  for (let i = 0; i < SINGLE; i++) {
    writeFileSync(join(src, `s${i}.c`), MAIN(i, false));
    progs.push(`out/s${i}`);
    rules.push(`out/s${i}: src/s${i}.c | out\n\t$(HOSTCC) $(HOSTCFLAGS) -o $@ $< $(HOSTLDFLAGS)`);
  }
  for (let i = 0; i < MULTI + VIA_LD; i++) {
    const n = SINGLE + i;
    writeFileSync(join(src, `m${n}.c`), MAIN(n, true));
    writeFileSync(join(src, `w${n}.c`), LOOP(n));
    for (const o of [`m${n}`, `w${n}`]) rules.push(`out/${o}.o: src/${o}.c | out\n\t$(HOSTCC) $(HOSTCFLAGS) -c -o $@ $<`);
    progs.push(`out/p${n}`);
    if (i < MULTI) rules.push(`out/p${n}: out/m${n}.o out/w${n}.o\n\t$(HOSTCC) -o $@ $^ $(HOSTLDFLAGS)`);
    else {
      rules.push(`out/r${n}.o: out/m${n}.o out/w${n}.o\n\t$(HOSTLD) -r -z x86-64-v3 -o $@ $^`);
      rules.push(`out/p${n}: out/r${n}.o\n\t$(HOSTCC) -o $@ $^ $(HOSTLDFLAGS)`);
    }
  }
  writeFileSync(
    join(dir, 'Makefile'),
    `HOSTCFLAGS := -O2 -march=x86-64-v3
HOSTLDFLAGS := -Wl,-z,x86-64-v3 -Wl,--build-id=none
all: ${progs.join(' ')}
out:
\tmkdir -p out
${rules.join('\n')}
`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function build(jobs: number, tag: string): { ms: number; log: string; cache: string } {
  const log = join(dir, `calls-${tag}.jsonl`);
  const cache = join(dir, `cache-${tag}`);
  rmSync(join(dir, 'out'), { recursive: true, force: true });
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('ISA_')) delete env[k];
  const t0 = Date.now();
  const r = run('make', ['-s', `-j${jobs}`, `HOSTCC=${HOSTCC}`, `HOSTLD=${HOSTLD}`], {
    cwd: dir,
    env: { ...env, ISA_LEVEL: 'x86-64-v2', ISA_LOG: log, ISA_CACHE_DIR: cache, ISA_GLOBAL_CONFIG_DIRS: '' },
  });
  const ms = Date.now() - t0;
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return { ms, log, cache };
}

function snapshot(): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  for (const f of readdirSync(join(dir, 'out')).sort()) m.set(f, readFileSync(join(dir, 'out', f)));
  return m;
}

function checkLog(log: string): void {
  const text = readFileSync(log, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  expect(lines).toHaveLength(CALLS);
  const entries = lines.map((l) => JSON.parse(l) as { prog: string; step: string; status: number; output?: string; verify?: string });
  expect(entries.every((e) => e.status === 0)).toBe(true);
  expect(entries.filter((e) => e.prog === 'isa-hostld')).toHaveLength(VIA_LD);
  const links = entries.filter((e) => e.output && /\/p\d+$|\/s\d+$/.test(e.output));
  expect(links).toHaveLength(PROGRAMS);
  // Every linked program was verified, and none needed more than v2.
  for (const e of links) expect(e.verify, e.output).toMatch(/^PASS/);
  expect(new Set(entries.map((e) => e.output)).size).toBe(CALLS);
}

function checkCache(cache: string): void {
  const files = readdirSync(cache);
  expect(files.length).toBeGreaterThan(0);
  for (const f of files) {
    expect(f).toMatch(/^settings-[0-9a-f]+\.json$/);
    expect(statSync(join(cache, f)).mode & 0o077).toBe(0);
    expect(() => JSON.parse(readFileSync(join(cache, f), 'utf8'))).not.toThrow();
  }
}

describe.skipIf(!have('make') || !have('gcc'))(`make of ${PROGRAMS} host programs (${CALLS} wrapper calls)`, () => {
  it('-j16 and -j1: every output verified, log whole, cache clean, outputs byte-identical', { timeout: 300_000 }, () => {
    const par = build(16, 'j16');
    const a = snapshot();
    checkLog(par.log);
    checkCache(par.cache);
    const progs = [...a.keys()].filter((f) => /^[sp]\d+$/.test(f));
    expect(progs).toHaveLength(PROGRAMS);
    for (const f of progs) expect(readelfNeeded(join(dir, 'out', f)), f).toBeLessThanOrEqual(2);
    for (const f of ['s0', 's199', 's399', `p${SINGLE}`, `p${SINGLE + MULTI + 1}`]) {
      expect(aboveV2Instructions(join(dir, 'out', f)), f).toEqual([]);
      expect(run(join(dir, 'out', f), []).status).toBe(0);
    }
    const rel = readdirSync(join(dir, 'out')).filter((f) => /^r\d+\.o$/.test(f));
    expect(rel).toHaveLength(VIA_LD);
    for (const f of rel.slice(0, 5)) expect(readelfNeeded(join(dir, 'out', f))).toBe(2);

    const seq = build(1, 'j1');
    const b = snapshot();
    checkLog(seq.log);
    checkCache(seq.cache);
    expect([...b.keys()]).toEqual([...a.keys()]);
    const differ = [...a.keys()].filter((k) => !a.get(k)!.equals(b.get(k)!));
    expect(differ).toEqual([]);
    console.log(`[load] ${PROGRAMS} programs, ${CALLS} wrapper calls: make -j16 ${par.ms} ms, make -j1 ${seq.ms} ms`);
  });
});

// The docs do not rot: every shell snippet parses (bash -n), the `sh run` ones run against a stub kernel
// Makefile and hand the wrappers to make, every make snippet (Makefile fragments, debian/rules) passes
// `make -n` against a stub tree, RPM spec sections parse, the exit-code table is EXIT, the JSON field
// tables match real outputs, and the man page names every command and ISA_* variable.
import { beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../../src/exit-codes.js';
import { BIN, ROOT, run, tmp } from '../helpers.js';

const DOCS = join(ROOT, 'docs');
const NOT_OURS = new Set(['configuration.md', 'kernel-e2e.md']);
const docFiles = readdirSync(DOCS).filter((f) => f.endsWith('.md') && !NOT_OURS.has(f));

interface Block {
  file: string;
  lang: string;
  attrs: Record<string, string>;
  flags: Set<string>;
  body: string;
  line: number;
}

function blocks(): Block[] {
  const out: Block[] = [];
  for (const file of docFiles) {
    const text = readFileSync(join(DOCS, file), 'utf8');
    const re = /^```(?!`)(\w*)([^\n]*)\n([\s\S]*?)^```\s*$/gm;
    for (let m; (m = re.exec(text)); ) {
      const attrs: Record<string, string> = {};
      const flags = new Set<string>();
      for (const w of m[2]!.trim().split(/\s+/).filter(Boolean)) {
        const eq = w.indexOf('=');
        if (eq > 0) attrs[w.slice(0, eq)] = w.slice(eq + 1);
        else flags.add(w);
      }
      out.push({ file, lang: m[1]!, attrs, flags, body: m[3]!, line: text.slice(0, m.index).split('\n').length });
    }
  }
  return out;
}

const ALL = blocks();
const label = (b: Block) => `${b.file}:${b.line}`;

// A stub kernel tree: like the real Makefile it assigns HOSTCC = gcc; every target echoes what make
// and the environment hand it.
const STUB_MAKEFILE = `HOSTCC = gcc
HOSTCXX = g++
HOSTLD = ld
all:
\t@echo "$@: HOSTCC=$(HOSTCC) HOSTCXX=$(HOSTCXX) HOSTLD=$(HOSTLD) ISA_LEVEL=$$ISA_LEVEL"
%:
\t@echo "$@: HOSTCC=$(HOSTCC) HOSTCXX=$(HOSTCXX) HOSTLD=$(HOSTLD) ISA_LEVEL=$$ISA_LEVEL"
`;

let stub: string;
const PATH = `${BIN}:${process.env.PATH}`;
const env = () => ({ ...process.env, PATH, ISA_DEBUG: '', ISA_LOG: '', ISA_LEVEL: '', MAKEFLAGS: '', MFLAGS: '', NO_COLOR: '1' });
beforeAll(() => {
  stub = tmp('isa-shim-docs-');
  writeFileSync(join(stub, 'Makefile'), STUB_MAKEFILE);
  mkdirSync(join(stub, 'debian'));
});

describe('doc snippets', () => {
  it('there are snippets of every kind', () => {
    const kinds = new Set(ALL.map((b) => b.lang));
    for (const k of ['sh', 'make', 'spec']) expect(kinds.has(k), k).toBe(true);
    expect(ALL.filter((b) => b.flags.has('run')).length).toBeGreaterThanOrEqual(3);
    expect(ALL.some((b) => b.attrs.file === 'debian/rules')).toBe(true);
  });

  it.each(ALL.filter((b) => b.lang === 'sh').map((b) => [label(b), b] as const))('%s: bash -n', (_l, b) => {
    const r = run('bash', ['-n'], { input: b.body });
    expect(r.status, r.stderr).toBe(0);
  });

  it.each(ALL.filter((b) => b.lang === 'sh' && b.flags.has('run')).map((b) => [label(b), b] as const))(
    '%s: runs against a stub kernel Makefile and make gets the wrappers',
    (_l, b) => {
      const r = run('bash', ['-euo', 'pipefail', '-c', b.body], { cwd: stub, env: env() });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      const lines = r.stdout.trim().split('\n').filter((l) => /HOSTCC=/.test(l));
      expect(lines.length).toBeGreaterThan(0);
      for (const l of lines) {
        expect(l).toMatch(/HOSTCC=\S*isa-hostcc HOSTCXX=\S*isa-hostcxx HOSTLD=\S*isa-hostld ISA_LEVEL=x86-64-v2$/);
      }
    },
  );

  it.each(ALL.filter((b) => b.lang === 'make').map((b) => [label(b), b] as const))('%s: make -n against a stub tree', (_l, b) => {
    const file = b.attrs.file ?? 'snippet.mk';
    writeFileSync(join(stub, file), b.body);
    if (file === 'debian/rules') chmodSync(join(stub, file), 0o755);
    const targets = (b.attrs.targets ?? b.attrs.target ?? '').split(',').filter(Boolean);
    const r = run('make', ['-n', '-f', file, `KDIR=${stub}`, ...targets], { cwd: stub, env: env() });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/HOSTCC=\S*isa-hostcc/);
  });

  it.each(ALL.filter((b) => b.lang === 'spec').map((b) => [label(b), b] as const))('%s: RPM spec scriptlets parse (bash -n, macros stubbed)', (_l, b) => {
    const sections = b.body.split(/^(?=%(?:prep|build|install|check)\b)/m).filter((s) => /^%(prep|build|install|check)\b/.test(s));
    expect(sections.length).toBeGreaterThan(0);
    for (const s of sections) {
      const sh = s
        .replace(/^%\w+.*\n/, '')
        .replace(/%\{make_build\}/g, 'make -O -j2')
        .replace(/%\{\?[^}]*\}/g, '')
        .replace(/%\{[^}]*\}/g, 'X');
      const r = run('bash', ['-n'], { input: sh });
      expect(r.status, `${s}\n${r.stderr}`).toBe(0);
    }
  });

  it('a MAKEFLAGS definition beats the Makefile\'s HOSTCC = gcc (the DKMS framework.conf recipe), an environment HOSTCC does not', () => {
    const viaFlags = run('make', ['-s', 'modules'], { cwd: stub, env: { ...env(), MAKEFLAGS: 'HOSTCC=isa-hostcc' } });
    expect(viaFlags.stdout).toContain('HOSTCC=isa-hostcc ');
    const viaEnv = run('make', ['-s', 'modules'], { cwd: stub, env: { ...env(), HOSTCC: 'isa-hostcc' } });
    expect(viaEnv.stdout).toContain('HOSTCC=gcc ');
  });
});

describe('docs/exit-codes.md', () => {
  it('its table is exactly EXIT (src/exit-codes.ts)', () => {
    const text = readFileSync(join(DOCS, 'exit-codes.md'), 'utf8');
    const rows = [...text.matchAll(/^\| (\d+) \| ([A-Z_]+) \|/gm)].map((m) => [m[2]!, Number(m[1])] as const);
    expect(Object.fromEntries(rows)).toEqual({ ...EXIT });
    expect(rows).toHaveLength(Object.keys(EXIT).length);
  });
});

describe('docs/isa-shim.1.md', () => {
  const man = readFileSync(join(DOCS, 'isa-shim.1.md'), 'utf8');
  it('names every command of isa-shim --help', () => {
    const help = run(join(BIN, 'isa-shim'), ['--help']).stdout;
    const cmds = [...help.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]!);
    expect(cmds).toContain('audit');
    for (const c of cmds) expect(man, c).toMatch(new RegExp(`\\*\\*${c}\\*\\*`));
  });
  it('names every ISA_* variable the code reads', () => {
    const vars = new Set<string>();
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else if (e.name.endsWith('.ts')) for (const m of readFileSync(join(d, e.name), 'utf8').matchAll(/\b(ISA_[A-Z_]+)\b/g)) vars.add(m[1]!);
      }
    };
    walk(join(ROOT, 'src'));
    for (const v of ['ISA_WORD', 'ISA_WORD_RE', 'ISA_SHIM_VERSION__']) vars.delete(v); // identifiers, not variables
    for (const v of vars) expect(man, v).toContain(`\`${v}\``);
  });
});

// ---- docs/json.md against real outputs ----

interface Row {
  path: string;
  optional: boolean;
}

function docTable(section: string): Row[] {
  const text = readFileSync(join(DOCS, 'json.md'), 'utf8');
  const start = text.indexOf(`<!-- json:${section} -->`);
  expect(start, section).toBeGreaterThan(0);
  const rows: Row[] = [];
  for (const line of text.slice(start).split('\n').slice(3)) {
    const m = /^\| ([\w.[\]]+) \| ([^|]*) \|/.exec(line);
    if (!m) break;
    rows.push({ path: m[1]!, optional: /optional|nullable/.test(m[2]!) });
  }
  return rows;
}

/** Every field path of a value: `a`, `a.b`, `a[].c` (arrays of objects), stopping at documented leaves. */
function paths(v: unknown, documented: ReadonlySet<string>, prefix = '', out = new Set<string>()): Set<string> {
  if (v === null || typeof v !== 'object') return out;
  const hasChildren = (p: string) => [...documented].some((d) => d.startsWith(`${p}.`) || d.startsWith(`${p}[]`));
  if (Array.isArray(v)) {
    for (const x of v) {
      if (x && typeof x === 'object' && !Array.isArray(x)) {
        out.add(`${prefix}[]`); // marks "an element was seen", so its fields are required
        paths(x, documented, `${prefix}[]`, out);
      }
    }
    return out;
  }
  for (const [k, x] of Object.entries(v)) {
    const p = prefix ? `${prefix}.${k}` : k;
    out.add(p);
    if (documented.has(p) && !hasChildren(p)) continue;
    paths(x, documented, p, out);
  }
  return out;
}

function checkSchema(section: string | string[], docs: unknown[], prefixFile?: string) {
  const rows = (Array.isArray(section) ? section : [section]).flatMap((s) => docTable(s));
  const fileRows = prefixFile ? docTable('file').map((r) => ({ ...r, path: `${prefixFile}[].${r.path}` })) : [];
  const all = [...rows, ...fileRows];
  const documented = new Set(all.map((r) => r.path));
  const seen = new Set<string>();
  for (const d of docs) for (const p of paths(d, documented)) seen.add(p);
  const undocumented = [...seen].filter((p) => !p.endsWith('[]') && !documented.has(p));
  expect(undocumented, `fields missing from docs/json.md (${section})`).toEqual([]);
  // Required: not optional, and its parent object was seen (a field of an optional object is required
  // only where that object is present).
  const parentSeen = (p: string) => {
    const i = p.lastIndexOf('.');
    return i < 0 || seen.has(p.slice(0, i));
  };
  const missing = all.filter((r) => !r.optional && parentSeen(r.path) && !seen.has(r.path)).map((r) => r.path);
  expect(missing, `required fields documented but absent (${section})`).toEqual([]);
}

describe('docs/json.md matches real outputs', () => {
  let fx: string;
  const shim = (args: string[], extra: Record<string, string> = {}, cwd?: string) =>
    run(join(BIN, 'isa-shim'), args, { env: { ...env(), ISA_NO_CONFIG: '1', ...extra }, ...(cwd ? { cwd } : {}) });
  beforeAll(() => {
    fx = tmp('isa-shim-json-');
    mkdirSync(join(fx, 'tree', 'scripts'), { recursive: true });
    writeFileSync(join(fx, 'h.c'), '#include <stdio.h>\nint main(void){puts("x");return 0;}\n');
    writeFileSync(join(fx, 'v.c'), 'float a[256],b[256];\nint main(int c,char**v){(void)v;for(int i=0;i<256;i++)a[i]=a[i]*2.0f+b[i]*c;return (int)a[3];}\n');
    expect(run('gcc', ['-O2', join(fx, 'h.c'), '-o', join(fx, 'tree', 'scripts', 'ok')]).status).toBe(0);
    expect(run('gcc', ['-O2', '-Wl,-z,x86-64-v3', join(fx, 'h.c'), '-o', join(fx, 'tree', 'scripts', 'noted')]).status).toBe(0);
    expect(run('gcc', ['-O3', '-march=x86-64-v3', join(fx, 'v.c'), '-o', join(fx, 'tree', 'scripts', 'coded')]).status).toBe(0);
    expect(run('gcc', ['-O2', '-c', join(fx, 'h.c'), '-o', join(fx, 'h.o')]).status).toBe(0);
    expect(run('ar', ['rc', join(fx, 'lib.a'), join(fx, 'h.o')]).status).toBe(0);
    copyFileSync(join(fx, 'tree', 'scripts', 'ok'), join(fx, 'ok'));
    mkdirSync(join(fx, 'kernel'));
    writeFileSync(join(fx, 'kernel', '.config'), 'CONFIG_X86_64=y\nCONFIG_GENERIC_CPU=y\n');
  });

  it('check --json (PASS with code, FAIL, archive, MAYBE)', () => {
    const docs = [
      JSON.parse(shim(['check', '--json', '--code', '--level', 'v2', join(fx, 'tree'), join(fx, 'lib.a')]).stdout),
      JSON.parse(shim(['check', '--json', '--level', 'v2', join(fx, 'tree')]).stdout),
    ];
    checkSchema('check', docs, 'files');
  });

  it('audit --json (pass and fail, with advice)', () => {
    const docs = [
      JSON.parse(shim(['audit', '--json', '--level', 'v2', join(fx, 'tree')]).stdout),
      JSON.parse(shim(['audit', '--json', '--no-code', join(fx, 'tree')]).stdout),
    ];
    expect(docs[0].advice.fix).toContain('noted');
    checkSchema('audit', docs, 'tools');
  });

  it('config --json (defaults, and with a launcher and a log)', () => {
    const docs = [
      JSON.parse(shim(['config', '--json']).stdout),
      JSON.parse(shim(['config', '--json'], { ISA_HOSTCC: 'ccache gcc', ISA_HOSTCXX: 'g++', ISA_HOSTLD: 'ld', ISA_LOG: join(fx, 'log') }).stdout),
      JSON.parse(shim(['config', '--json'], {}, join(fx, 'kernel')).stdout),
    ];
    checkSchema('config', docs);
  });

  it('detect --json (no kernel config, a kernel config, a bad ISA_LEVEL)', () => {
    const bad = shim(['detect', '--json'], { ISA_LEVEL: 'v9' });
    expect(bad.status).toBe(2);
    const docs = [JSON.parse(shim(['detect', '--json']).stdout), JSON.parse(shim(['detect', '--json'], {}, join(fx, 'kernel')).stdout), JSON.parse(bad.stdout)];
    expect(docs[1].kernel).not.toBeNull();
    checkSchema('detect', docs);
  });
});


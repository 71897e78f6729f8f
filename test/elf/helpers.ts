// Test fixtures built at test time with the real toolchain (gcc, GNU ld, as, ar) in a temp dir, and
// a parser for `readelf -n` so our decoding is compared with binutils' own.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export function run(cmd: string, args: string[], opts: { cwd?: string } = {}): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

export function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

export function tempDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `isa-elf-${tag}-`));
}

const HELLO = '#include <stdio.h>\nint main(void){ puts("hello"); return 0; }\n';
// No headers, so it also compiles with -m32 where the 32-bit libc headers are not installed.
const FUNC = 'int triple(int x){ return x * 3; }\nint quad(int x){ return x * 4; }\n';
const LIB = 'int lib_add(int a, int b){ return a + b; }\n';
// An IFUNC resolver and two target_clones-like variants, for the code image.
const IFUNC = `
static int add_generic(int a, int b){ return a + b; }
static int add_fast(int a, int b){ return a + b; }
static void *resolve_add(void){ return __builtin_cpu_supports("avx2") ? (void*)add_fast : (void*)add_generic; }
int add(int, int) __attribute__((ifunc("resolve_add")));
int main(void){ return add(1, 2) == 3 ? 0 : 1; }
`;
// Pre-2.36 property types, written by hand: binutils 2.40 no longer emits them.
const LEGACY_S = `
	.section .note.gnu.property,"a"
	.p2align 3
	.long 4
	.long 48
	.long 5
	.asciz "GNU"
	.long 0xc0000000
	.long 4
	.long 0x18
	.long 0
	.long 0xc0000001
	.long 4
	.long 0x7
	.long 0
	.long 0xc0008000
	.long 4
	.long 0x103
	.long 0
`;

export interface Fixtures {
  dir: string;
  v2: string;
  v3: string;
  v4: string;
  mneeded: string;
  cet: string;
  noNote: string;
  shared: string;
  obj: string;
  rel: string;
  legacy: string;
  ifunc: string;
  archive: string;
  /** Undefined when gcc -m32 cannot compile here. */
  obj32?: string;
  obj32Skip?: string;
}

export function buildFixtures(dir = tempDir('fx')): Fixtures {
  const w = (name: string, text: string) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  };
  const hello = w('hello.c', HELLO);
  const func = w('func.c', FUNC);
  const lib = w('lib.c', LIB);
  const ifuncC = w('ifunc.c', IFUNC);
  const out = (n: string) => path.join(dir, n);
  const gcc = (...a: string[]) => run('gcc', a, { cwd: dir });
  gcc('-O2', '-Wl,-z,x86-64-v2', hello, '-o', out('hello-v2'));
  gcc('-O2', '-Wl,-z,x86-64-v3', hello, '-o', out('hello-v3'));
  gcc('-O2', '-Wl,-z,x86-64-v4', hello, '-o', out('hello-v4'));
  gcc('-O2', '-mneeded', '-march=x86-64-v3', hello, '-o', out('hello-mneeded'));
  gcc('-O2', '-fcf-protection=full', '-Wl,-z,ibt,-z,shstk,-z,x86-64-v3', hello, '-o', out('hello-cet'));
  // -z noexecstack only; strip the note section to get a binary without any property note.
  gcc('-O2', hello, '-o', out('hello-nonote'));
  run('objcopy', ['--remove-section=.note.gnu.property', out('hello-nonote')]);
  gcc('-O2', '-fPIC', '-shared', '-Wl,-z,x86-64-v3', lib, '-o', out('libadd.so'));
  gcc('-O2', '-c', '-fcf-protection=full', func, '-o', out('func.o'));
  run('ld', ['-r', '-z', 'x86-64-v3', out('func.o'), '-o', out('func-rel.o')]);
  run('as', [w('legacy.s', LEGACY_S), '-o', out('legacy.o')]);
  gcc('-O2', ifuncC, '-o', out('ifunc'));
  // A member name longer than 15 characters forces the GNU long-name table (`//`).
  fs.copyFileSync(out('func-rel.o'), out('a-rather-long-member-name.o'));
  run('ar', ['rcs', out('libmix.a'), out('func.o'), out('a-rather-long-member-name.o'), out('legacy.o'), lib]);
  const fx: Fixtures = {
    dir, v2: out('hello-v2'), v3: out('hello-v3'), v4: out('hello-v4'), mneeded: out('hello-mneeded'),
    cet: out('hello-cet'), noNote: out('hello-nonote'), shared: out('libadd.so'), obj: out('func.o'),
    rel: out('func-rel.o'), legacy: out('legacy.o'), ifunc: out('ifunc'), archive: out('libmix.a'),
  };
  try {
    gcc('-m32', '-c', '-O2', '-fcf-protection=full', '-Wa,-mx86-used-note=yes', func, '-o', out('func32.o'));
    run('ld', ['-r', '-m', 'elf_i386', '-z', 'x86-64-v2', out('func32.o'), '-o', out('func32-rel.o')]);
    fx.obj32 = out('func32-rel.o');
  } catch (err) {
    fx.obj32Skip = `gcc -m32 unavailable: ${String((err as Error).message).split('\n')[0]}`;
  }
  return fx;
}

/** The property lines `readelf -n` prints for a file (or for each archive member, keyed by member). */
export interface ReadelfProps {
  isaNeeded?: string[];
  isaUsed?: string[];
  feature?: string[];
  featureNeeded?: string[];
  featureUsed?: string[];
  /** Every "x86 ISA needed:" line, legacy ones included (readelf labels both alike). */
  allIsaNeeded: string[][];
}

export function readelfNotes(file: string): Map<string, ReadelfProps> {
  // Not -W: that joins the property lines onto the note line. readelf exits non-zero for an archive
  // with a non-ELF member but still prints the rest.
  const text = spawnSync('readelf', ['-n', file], { encoding: 'utf8' }).stdout;
  const out = new Map<string, ReadelfProps>();
  let key = '';
  let cur: ReadelfProps = { allIsaNeeded: [] };
  out.set(key, cur);
  for (const raw of text.split('\n')) {
    const file = /^File: .*\((.*)\)$/.exec(raw);
    if (file) {
      key = file[1]!;
      cur = { allIsaNeeded: [] };
      out.set(key, cur);
      continue;
    }
    const line = raw.replace(/^.*Properties:\s*/, '').trim();
    const m = /^x86 (ISA needed|ISA used|feature|feature needed|feature used): ?(.*)$/.exec(line);
    if (!m) continue;
    const list = m[2]!.trim() === '' ? [] : m[2]!.split(',').map((s) => s.trim());
    // An empty list (value 0) counts: ISA_1_USED is 0 in objects assembled with -mx86-used-note=yes.
    const isLevels = list.every((n) => /^x86-64-(baseline|v[234])$/.test(n));
    switch (m[1]) {
      case 'ISA needed':
        cur.allIsaNeeded.push(list);
        if (isLevels) cur.isaNeeded = list;
        break;
      case 'ISA used':
        if (isLevels) cur.isaUsed = list;
        break;
      case 'feature': cur.feature = list; break;
      case 'feature needed': cur.featureNeeded = list; break;
      case 'feature used': cur.featureUsed = list; break;
    }
  }
  return out;
}

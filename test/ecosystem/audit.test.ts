// isa-shim audit, the DKMS preflight, against Debian's real linux-kbuild-6.1 package and a copy of it
// with one v3-noted and one v3-coded tool.
import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, NEHALEM, have, readelfNeeded, run, tmp } from '../helpers.js';

const SHIM = join(BIN, 'isa-shim');
const env = { ...process.env, ISA_DEBUG: '', ISA_LOG: '', NO_COLOR: '1' };
const audit = (args: string[]) => run(SHIM, ['audit', ...args], { env });

const HELLO = '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n';
const VEC = `#include <stdio.h>
#include <stdlib.h>
float a[4096], b[4096];
int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 4096;
  for (int i = 0; i < n; i++) a[i] = a[i] * 2.5f + b[i] * (float)argc;
  printf("%f\\n", a[n / 2]);
  return 0;
}
`;

let work: string;
let kbuild: string | undefined; // <unpacked>/usr/lib/linux-kbuild-6.1
let skipReason = '';

beforeAll(() => {
  work = tmp('isa-shim-audit-');
  if (!have('apt-get') || !have('dpkg')) {
    skipReason = 'apt-get/dpkg not available';
  } else {
    const dl = run('timeout', ['90', 'apt-get', 'download', 'linux-kbuild-6.1'], { cwd: work });
    const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
    if (dl.status !== 0 || !deb) skipReason = `apt-get download linux-kbuild-6.1 failed: ${(dl.stderr || dl.stdout).trim().split('\n').pop()}`;
    else {
      run('dpkg', ['-x', join(work, deb), join(work, 'pkg')]);
      const d = join(work, 'pkg', 'usr', 'lib', 'linux-kbuild-6.1');
      if (existsSync(join(d, 'scripts'))) kbuild = d;
      else skipReason = `${deb} has no usr/lib/linux-kbuild-6.1/scripts`;
    }
  }
  if (skipReason) console.warn(`test/ecosystem/audit: skipping the linux-kbuild-6.1 tests: ${skipReason}`);
}, 120_000);

describe('isa-shim audit on Debian linux-kbuild-6.1', () => {
  it('passes every host tool at this CPU level (the default), exit 0, one line per tool and a summary', (ctx) => {
    if (!kbuild) return ctx.skip();
    const r = audit([kbuild]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toBe(''); // not a terminal: no progress
    const lines = r.stdout.trim().split('\n');
    const tools = lines.filter((l) => /^(PASS|FAIL|MAYBE) /.test(l));
    expect(tools.length).toBeGreaterThanOrEqual(10);
    expect(tools.every((l) => l.startsWith('PASS '))).toBe(true);
    for (const t of ['scripts/basic/fixdep', 'scripts/mod/modpost', 'scripts/genksyms/genksyms', 'tools/objtool/objtool']) {
      expect(r.stdout).toContain(join(kbuild, t));
    }
    expect(lines.at(-1)).toMatch(new RegExp(`^audit: ${tools.length} host tools at x86-64(-v\\d)? \\(this CPU, from .*\\): ${tools.length} pass, 0 fail, 0 maybe; \\d+ other files skipped$`));
    const j = JSON.parse(audit(['--json', kbuild]).stdout);
    expect(j.ok).toBe(true);
    expect(j.counts.PASS).toBe(tools.length);
    expect(j.tools.every((t: { verdict: string; code: { instructions: number } }) => t.verdict === 'PASS' && t.code.instructions > 0)).toBe(true);
  });

  it('follows a Debian headers tree\'s scripts/ and tools/ symlinks into linux-kbuild (build -> headers)', (ctx) => {
    if (!kbuild) return ctx.skip();
    const headers = join(work, 'linux-headers-amd64');
    mkdirSync(join(headers, 'include'), { recursive: true });
    writeFileSync(join(headers, 'Module.symvers'), '');
    symlinkSync(join(kbuild, 'scripts'), join(headers, 'scripts'));
    symlinkSync(join(kbuild, 'tools'), join(headers, 'tools'));
    symlinkSync(headers, join(work, 'build'));
    const direct = JSON.parse(audit(['--json', '--no-code', kbuild]).stdout);
    const viaLinks = JSON.parse(audit(['--json', '--no-code', join(work, 'build')]).stdout);
    expect(viaLinks.counts.PASS).toBeGreaterThan(0);
    expect(viaLinks.tools.map((t: { tool: string }) => t.tool).sort()).toEqual(
      direct.tools.map((t: { tool: string }) => t.tool).filter((t: string) => t.startsWith('scripts/') || t.startsWith('tools/')).sort(),
    );
    expect(viaLinks.tools[0].realPath.startsWith(kbuild)).toBe(true);
  });
});

describe('isa-shim audit on a copy with a v3-noted and a v3-coded tool', () => {
  let copy: string;
  let noted: string;
  let coded: string;
  beforeAll(() => {
    const src = join(work, 'src');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'hello.c'), HELLO);
    writeFileSync(join(src, 'vec.c'), VEC);
    copy = join(work, 'copy');
    if (kbuild) cpSync(kbuild, copy, { recursive: true });
    else mkdirSync(join(copy, 'scripts', 'basic'), { recursive: true });
    noted = join(copy, 'scripts', 'basic', 'fixdep');
    coded = join(copy, 'scripts', 'kallsyms');
    // fixdep: plain code, but linked with -z x86-64-v3: the note says v3.
    let r = run('gcc', ['-O2', '-Wl,-z,x86-64-v3', join(src, 'hello.c'), '-o', noted]);
    expect(r.status, r.stderr).toBe(0);
    // kallsyms: vectorised AVX2/FMA code, its note stripped: it starts and dies with SIGILL.
    r = run('gcc', ['-O3', '-march=x86-64-v3', join(src, 'vec.c'), '-o', join(src, 'vec')]);
    expect(r.status, r.stderr).toBe(0);
    r = run('objcopy', ['--remove-section=.note.gnu.property', join(src, 'vec'), coded]);
    expect(r.status, r.stderr).toBe(0);
    expect(readelfNeeded(noted)).toBe(3);
    expect(readelfNeeded(coded)).toBe(0);
  });

  it.skipIf(!have('qemu-x86_64'))('the two failures are real on a v2 CPU: loader refusal and SIGILL', () => {
    const a = run('qemu-x86_64', [...NEHALEM, noted]);
    expect(a.status).not.toBe(0);
    expect(a.stderr).toContain('CPU ISA level is lower than required');
    const b = run('qemu-x86_64', [...NEHALEM, coded]);
    expect(b.signal === 'SIGILL' || b.status === 132 || /Illegal instruction/i.test(b.stderr)).toBe(true);
  });

  it('both FAIL at --level v2 with the right reason, the rest pass, exit 1, and the advice is exact', () => {
    const r = audit(['--level', 'v2', copy]);
    expect(r.status, r.stdout + r.stderr).toBe(1);
    const line = (p: string) => r.stdout.split('\n').find((l) => l.includes(`${p}:`)) ?? '';
    expect(line(noted)).toMatch(/^FAIL  .*note needs x86-64-v3, above x86-64-v2; its code is within x86-64-v2: the loader refuses it \("CPU ISA level is lower than required"\)$/);
    expect(line(coded)).toMatch(/^FAIL  .*no x86 ISA needed note, but code above x86-64-v2 in main \(AVX.*: it starts, then dies with SIGILL$/);
    const fails = r.stdout.split('\n').filter((l) => l.startsWith('FAIL '));
    expect(fails).toHaveLength(2);
    expect(r.stdout).toMatch(/, 2 fail, 0 maybe/);
    expect(r.stdout).toContain(`isa-shim fix --level x86-64-v2 ${noted}\n`);
    // No kernel Makefile in a kbuild package: the make line names the source tree to run it in.
    expect(r.stdout).toContain(`make -C /path/to/linux-source HOSTCC=${join(BIN, 'isa-hostcc')} HOSTCXX=${join(BIN, 'isa-hostcxx')} HOSTLD=${join(BIN, 'isa-hostld')} ISA_LEVEL=x86-64-v2 modules_prepare`);
  });

  it('--json parses, with the documented fields, effect and action per tool', () => {
    const r = audit(['--level', 'v2', '--json', copy]);
    expect(r.status).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j).sort()).toEqual(['advice', 'code', 'command', 'counts', 'level', 'levelOrigin', 'ok', 'roots', 'skipped', 'tools'].sort());
    expect(j).toMatchObject({ command: 'audit', level: 'x86-64-v2', levelOrigin: '--level', code: true, ok: false, roots: [copy] });
    expect(j.counts.FAIL).toBe(2);
    const n = j.tools.find((t: { path: string }) => t.path === noted);
    const c = j.tools.find((t: { path: string }) => t.path === coded);
    expect(n).toMatchObject({ verdict: 'FAIL', effect: 'refused-by-loader', action: 'fix', tool: 'scripts/basic/fixdep', elf: { needed: 'x86-64-v3' }, code: { violations: [] } });
    expect(c).toMatchObject({ verdict: 'FAIL', effect: 'sigill', action: 'rebuild', elf: { needed: null } });
    expect(c.code.violations[0].function).toBe('main');
    expect(j.advice.fix).toBe(`isa-shim fix --level x86-64-v2 ${noted}`);
    expect(j.advice.rebuild).toEqual([expect.objectContaining({ root: copy, hasSource: false })]);
  });

  it('the advised fix works: after it, only the v3-coded tool fails', () => {
    const fix = run(SHIM, ['fix', '--level', 'x86-64-v2', noted], { env });
    expect(fix.status, fix.stdout + fix.stderr).toBe(0);
    expect(readelfNeeded(noted)).toBe(2);
    const j = JSON.parse(audit(['--level', 'v2', '--json', copy]).stdout);
    expect(j.tools.filter((t: { verdict: string }) => t.verdict === 'FAIL').map((t: { path: string }) => t.path)).toEqual([coded]);
  });

  it('--no-code judges by the note only: the note-less vectorised tool is MAYBE, still exit 1', () => {
    const r = audit(['--level', 'v2', '--no-code', '-q', copy]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^MAYBE ${coded}: no x86 ISA needed note; instructions not audited`, 'm'));
    expect(r.stdout).not.toMatch(/^PASS /m); // -q
  });

  it('a tree with a Makefile gets a make -C line for that tree', () => {
    const tree = join(work, 'tree');
    mkdirSync(join(tree, 'scripts'), { recursive: true });
    writeFileSync(join(tree, 'Makefile'), 'all:\n');
    writeFileSync(join(tree, 'scripts', 'Makefile.build'), '');
    cpSync(coded, join(tree, 'scripts', 'kallsyms'));
    const r = audit(['--level', 'v2', tree]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`make -C ${tree} HOSTCC=`);
  });
});

describe('isa-shim audit: bad input and terminal behaviour', () => {
  it.each([
    [[] as string[], /name at least one kernel headers directory/],
    [['/nonexistent/dir'], /no such file or directory/],
    [['--level', 'v9', '/tmp'], /--level v9: expected one of/],
    [['--cpu', 'znver4', '/tmp'], /only 'host'/],
    [['--cpu', 'host', '--level', 'v2', '/tmp'], /not both/],
    [['--bogus', '/tmp'], /unknown option '--bogus'/],
    [['/etc/hostname'], /not a directory/],
  ])('audit %j exits 2 with one line', (args, msg) => {
    const r = audit(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(msg);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.skipIf(!have('script'))('shows progress on a terminal (stderr is a TTY), never in a pipe', (ctx) => {
    if (!kbuild) return ctx.skip();
    const r = run('script', ['-qec', `${SHIM} audit --no-code ${kbuild}`, '/dev/null'], { env });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\r\u001b\[Kaudit: \d+ directories, \d+ files, \d+ host tools judged/);
    const piped = audit(['--no-code', kbuild]);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).not.toContain('\u001b[');
  });
});

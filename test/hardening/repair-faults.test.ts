// Faults while the wrapper repairs a real link whose note says v3 (glibc-style startup files stamped
// x86-64-v3, code within v2), under the default `fix` policy. The "compiler" is gcc -B <stamped
// startup files>, followed by the fault ($FAULT) applied to the output before the wrapper verifies
// it. Each fault: one clear line, the original untouched, exit 4 (EXIT.REPAIR_FAILED: the binary is
// fine to run on v3 but could not be lowered; distinct from 3, a binary whose code is above the level).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../../src/exit-codes.js';
import { readelfNeeded, run, tmp } from '../helpers.js';
import { HOSTCC, RUNTIMES, tmpfs, unmountAll, wenv } from './util.js';

let dir: string;
let crt: string;
let cc: string;
const why: { reason?: string } = {};
const canMount = (() => {
  const m = tmpfs(64, why);
  return m !== undefined;
})();

beforeAll(() => {
  dir = tmp('isa-hard-fault-');
  chmodSync(dir, 0o755);
  crt = join(dir, 'crt');
  mkdirSync(crt);
  for (const f of ['Scrt1.o', 'crt1.o', 'crti.o']) {
    const orig = run('gcc', [`-print-file-name=${f}`]).stdout.trim();
    expect(run('ld', ['-r', '-z', 'x86-64-v3', orig, '-o', join(crt, f)]).status).toBe(0);
  }
  writeFileSync(join(dir, 'hello.c'), '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n');
  // gcc with the stamped startup files, then the fault on the output (the argument after -o).
  cc = join(dir, 'cc-then-fault');
  writeFileSync(
    cc,
    `#!/bin/sh
gcc -B "${crt}/" "$@" || exit $?
out=; prev=
for a; do [ "$prev" = -o ] && out=$a; prev=$a; done
[ -n "$out" ] || exit 0
d=$(dirname "$out")
case $FAULT in
  ro) mount -o remount,ro "$d" ;;
  full) dd if=/dev/zero of="$d/filler" bs=4k 2>/dev/null; true ;;
  symlink) mv "$out" "$d/real-target" && ln -s real-target "$out" ;;
  hardlink) ln "$out" "$d/other-name" ;;
  foreign) chown 0:0 "$out" ;;
esac
exit 0
`,
    { mode: 0o755 },
  );
});
afterAll(() => {
  unmountAll();
  rmSync(dir, { recursive: true, force: true });
});

function link(runtime: string, outDir: string, fault: string, asUser = false) {
  const out = join(outDir, 'tool');
  const env = wenv(dir, runtime, { ISA_HOSTCC: cc, FAULT: fault, ISA_CACHE_DIR: join(dir, `cache-${runtime}-${asUser ? 'u' : 'r'}`) });
  const args = ['-O2', '-o', out, join(dir, 'hello.c')];
  const r = asUser
    ? (() => {
        const s = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', HOSTCC, ...args], { env, encoding: 'utf8' });
        return { status: s.status, stderr: s.stderr };
      })()
    : run(HOSTCC, args, { env });
  return { out, ...r };
}

function noTemporaries(d: string): void {
  expect(readdirSync(d).filter((f) => f.includes('.isa-tmp-'))).toEqual([]);
}

describe.each(RUNTIMES)('on the %s runtime', (runtime) => {
  it('control: the stamped startup files give a v3 note, which `fix` repairs to v2 (the binary runs)', () => {
    const d = join(dir, `ok-${runtime}`);
    mkdirSync(d);
    const r = link(runtime, d, 'none');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readelfNeeded(r.out)).toBe(2);
    expect(run(r.out, []).stdout).toBe('hi\n');
    noTemporaries(d);
  });

  it.skipIf(!canMount)('read-only output directory: EROFS, one line, exit 4, original untouched', () => {
    const d = tmpfs(4096)!;
    const r = link(runtime, d, 'ro');
    expect(r.status).toBe(EXIT.REPAIR_FAILED);
    expect(r.stderr).toMatch(/^isa-hostcc: \S*tool: needs x86-64-v3 and could not be repaired: .*EROFS[^\n]*\n$/);
    expect(readelfNeeded(r.out)).toBe(3);
    expect(run(r.out, []).stdout).toBe('hi\n');
    noTemporaries(d);
  });

  it.skipIf(!canMount)('full filesystem: ENOSPC, one line, exit 4, original untouched, no partial temporary', () => {
    const d = tmpfs(1024)!;
    const r = link(runtime, d, 'full');
    expect(r.status).toBe(EXIT.REPAIR_FAILED);
    expect(r.stderr).toMatch(/^isa-hostcc: \S*tool: needs x86-64-v3 and could not be repaired: .*ENOSPC[^\n]*\n$/);
    expect(readelfNeeded(r.out)).toBe(3);
    expect(run(r.out, []).stdout).toBe('hi\n');
    noTemporaries(d);
  });

  it('output is a symlink: refused (its target is not what the build named), exit 4, both untouched', () => {
    const d = join(dir, `sym-${runtime}`);
    mkdirSync(d);
    const r = link(runtime, d, 'symlink');
    expect(r.status).toBe(EXIT.REPAIR_FAILED);
    expect(r.stderr).toMatch(/^isa-hostcc: \S*tool: needs x86-64-v3 and could not be repaired: .*symbolic link[^\n]*\n$/);
    expect(lstatSync(r.out).isSymbolicLink()).toBe(true);
    expect(readelfNeeded(join(d, 'real-target'))).toBe(3);
    noTemporaries(d);
  });

  it('output has a second hard link: refused (repairing would split them), exit 4, both names keep the same bytes', () => {
    const d = join(dir, `hard-${runtime}`);
    mkdirSync(d);
    const r = link(runtime, d, 'hardlink');
    expect(r.status).toBe(EXIT.REPAIR_FAILED);
    expect(r.stderr).toMatch(/^isa-hostcc: \S*tool: needs x86-64-v3 and could not be repaired: .*2 hard links[^\n]*\n$/);
    expect(lstatSync(r.out).ino).toBe(lstatSync(join(d, 'other-name')).ino);
    expect(readelfNeeded(r.out)).toBe(3);
    noTemporaries(d);
  });

  it('output owned by another user (root), wrapper run as nobody: the owner cannot be kept, exit 4, original untouched', () => {
    if (process.getuid?.() !== 0) return; // needs root to set up the two users
    const d = join(dir, `foreign-${runtime}`);
    mkdirSync(d);
    chownSync(d, 65534, 65534);
    mkdirSync(join(dir, `cache-${runtime}-u`), { recursive: true });
    chownSync(join(dir, `cache-${runtime}-u`), 65534, 65534);
    // nobody cannot chown: make the fault a no-op for it and plant a root-owned output first.
    const r0 = link(runtime, d, 'none');
    expect(r0.status).toBe(0);
    rmSync(r0.out);
    const r = link(runtime, d, 'none', true);
    // As nobody the link itself works and the output is nobody's: that repair succeeds...
    expect(r.status).toBe(0);
    expect(readelfNeeded(r.out)).toBe(2);
    // ...but a root-owned v3 output in nobody's directory cannot be replaced keeping its owner.
    expect(run('cp', [join(dir, `ok-${runtime}`, 'tool'), r.out]).status).toBe(0);
    const v3 = join(d, 'v3-root');
    expect(run('gcc', ['-B', `${crt}/`, '-O2', '-o', v3, join(dir, 'hello.c')]).status).toBe(0);
    chownSync(v3, 0, 0);
    const before = readFileSync(v3);
    const s = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', HOSTCC, '-o', v3, join(dir, 'x.o')], {
      env: wenv(dir, runtime, { ISA_HOSTCC: join(dir, 'keep'), ISA_CACHE_DIR: join(dir, `cache-${runtime}-u`) }),
      encoding: 'utf8',
    });
    expect(s.status).toBe(EXIT.REPAIR_FAILED);
    expect(s.stderr).toMatch(/^isa-hostcc: \S*v3-root: needs x86-64-v3 and could not be repaired: .*EPERM[^\n]*\n$/);
    expect(readFileSync(v3).equals(before)).toBe(true);
    expect(lstatSync(v3).uid).toBe(0);
    noTemporaries(d);
  });
});

beforeAll(() => {
  // A "linker" that leaves its output as it is (the output was planted by the test).
  writeFileSync(join(dir, 'keep'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
});



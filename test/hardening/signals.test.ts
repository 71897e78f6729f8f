// SIGINT/SIGTERM to a wrapper while the real compiler runs and while a linked output is being
// repaired: the child gets the signal, the wrapper ends by the same signal, no response file or
// repair temporary is left, and the output is either the old file or the complete new one.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readelfNeeded, run, tmp } from '../helpers.js';
import { HOSTCC, RUNTIMES, ended, leftovers, mkdirp, sleep, start, v3NotedBinary, wenv } from './util.js';

let dir: string;
let big: string;
beforeAll(() => {
  dir = tmp('isa-hard-sig-');
  // A v3-noted binary (code within v2) made big by a non-loaded section, so copying it for the
  // repair takes long enough to be interrupted.
  const small = v3NotedBinary(dir);
  const blob = join(dir, 'blob');
  writeFileSync(blob, Buffer.alloc(160 * 1024 * 1024));
  big = join(dir, 'big-v3');
  expect(run('objcopy', ['--add-section', `.blob=${blob}`, small, big]).status).toBe(0);
  rmSync(blob);
  expect(readelfNeeded(big)).toBe(3);
  // A stand-in compiler that records the signals it gets, then dies by them.
  writeFileSync(
    join(dir, 'slowcc'),
    `#!/bin/sh
[ "$1" = -dumpversion ] && exit 0
trap 'echo INT >> "$REC"; trap - INT; kill -INT $$' INT
trap 'echo TERM >> "$REC"; trap - TERM; kill -TERM $$' TERM
echo "start" >> "$REC"
sleep 30 & wait
`,
    { mode: 0o755 },
  );
  // A stand-in linker: copies $SRC to its -o argument.
  writeFileSync(
    join(dir, 'copyld'),
    `#!/bin/sh
while [ $# -gt 0 ]; do case $1 in -o) out=$2; shift;; esac; shift; done
[ -n "$out" ] || exit 0
cp "$SRC" "$out"
`,
    { mode: 0o755 },
  );
});
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(2);
  }
  return false;
}

describe.each(RUNTIMES)('on the %s runtime', (runtime) => {
  it.each(['SIGINT', 'SIGTERM'] as const)('%s while the compiler runs: forwarded, same death, no response file left', async (sig) => {
    const rec = join(dir, `rec-${runtime}-${sig}`);
    const rsp = join(dir, 'args.rsp');
    // A rewrite through a response file: the wrapper writes a temporary one for the compiler.
    writeFileSync(rsp, '-O2 -march=x86-64-v3 -c x.c -o x.o\n');
    const env = wenv(dir, runtime, { ISA_HOSTCC: join(dir, 'slowcc'), REC: rec });
    // Warm the settings cache so the compiled runtime answers itself (no hand-off to Node.js).
    expect(run(HOSTCC, ['-dumpversion'], { env, cwd: dir }).status).toBe(0);
    const child = start(HOSTCC, [`@${rsp}`], env, dir);
    children.push(child);
    const done = ended(child);
    expect(await waitFor(() => existsSync(rec), 10_000)).toBe(true);
    const rspFiles = leftovers(child.pid, []);
    expect(rspFiles.length).toBeGreaterThanOrEqual(1);
    child.kill(sig);
    const r = await done;
    expect(r.signal).toBe(sig);
    expect(r.stderr).toBe('');
    expect(readFileSync(rec, 'utf8')).toBe(`start\n${sig.slice(3)}\n`);
    for (const f of rspFiles) expect(existsSync(f)).toBe(false);
    expect(leftovers(child.pid, [])).toEqual([]);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('%s while the output is being repaired: old or whole new file, no temporary, same death', async (sig) => {
    const out = mkdirp(join(dir, `out-${runtime}-${sig}`));
    const target = join(out, 'tool');
    const env = wenv(dir, runtime, { ISA_HOSTCC: join(dir, 'copyld'), SRC: big });
    // (a query is not verified: this only fills the settings cache for the same environment)
    expect(run(HOSTCC, ['-dumpversion'], { env, cwd: dir }).status).toBe(0);
    const child = start(HOSTCC, ['-o', target, 'in.o'], env, dir);
    children.push(child);
    const done = ended(child);
    // The repair's temporary appears beside the output: signal the wrapper in the middle of it.
    const seen = await waitFor(() => readdirSync(out).some((f) => f.includes('.isa-tmp-')), 60_000);
    expect(seen).toBe(true);
    child.kill(sig);
    const r = await done;
    expect(r.signal).toBe(sig);
    expect(readdirSync(out)).toEqual(['tool']);
    const now = readFileSync(target);
    const old = readFileSync(big);
    expect(now.length).toBe(old.length);
    let diff = 0;
    for (let i = 0; i < now.length; i++) if (now[i] !== old[i]) diff++;
    // Either untouched, or the complete repaired file: one 32-bit datum changed, note at v2.
    if (diff === 0) expect(readelfNeeded(target)).toBe(3);
    else {
      expect(diff).toBeLessThanOrEqual(4);
      expect(readelfNeeded(target)).toBe(2);
    }
  });
});

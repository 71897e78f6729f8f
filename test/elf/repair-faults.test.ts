// Faults during a repair: each gives one RepairError line naming the file and the cause, leaves the
// original byte-identical and leaves no temporary file behind.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { EXIT } from '../../src/exit-codes.js';
import { RepairError, lowerIsaNeeded } from '../../src/elf/index.js';
import { buildFixtures, tempDir } from './helpers.js';

const fx = buildFixtures();
const mounts: string[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const m of mounts) {
    spawnSync('umount', ['-l', m]);
    fs.rmSync(m, { recursive: true, force: true });
  }
  for (const d of [fx.dir, ...dirs]) fs.rmSync(d, { recursive: true, force: true });
});

/** A small tmpfs mounted by the test, or a reason why not. */
function tmpfs(sizeKb: number): string | { skip: string } {
  const dir = tempDir('mnt');
  dirs.push(dir);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) return { skip: `cannot mount tmpfs here: ${(r.stderr || String(r.error)).trim()}` };
  mounts.push(dir);
  return dir;
}

function expectRefused(file: string, pattern: RegExp, errno?: string): void {
  const before = fs.readFileSync(file);
  const dirBefore = fs.readdirSync(path.dirname(file)).sort();
  let err: unknown;
  try {
    lowerIsaNeeded(file, 2);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(RepairError);
  const e = err as RepairError;
  expect(e.message).toMatch(pattern);
  expect(e.message).not.toContain('\n');
  expect(e.code).toBe(EXIT.REPAIR_FAILED);
  if (errno) expect(e.errno).toBe(errno);
  expect(fs.readFileSync(file).equals(before)).toBe(true);
  expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(dirBefore);
}

const probe = tmpfs(64);
const mountSkip = typeof probe === 'string' ? undefined : probe.skip;

describe.skipIf(mountSkip !== undefined)('on a mounted filesystem', () => {
  test('read-only filesystem: EROFS', () => {
    const dir = tmpfs(256) as string;
    const file = path.join(dir, 'bin');
    fs.copyFileSync(fx.v3, file);
    expect(spawnSync('mount', ['-o', 'remount,ro', dir]).status).toBe(0);
    expectRefused(file, /bin: cannot create a temporary file beside it: EROFS/, 'EROFS');
  });

  test('full filesystem: ENOSPC, the partial temporary file is removed', () => {
    const dir = tmpfs(64) as string;
    const file = path.join(dir, 'bin');
    fs.copyFileSync(fx.v3, file);
    // Fill what is left so the copy cannot be written.
    const fill = path.join(dir, 'filler');
    spawnSync('sh', ['-c', `dd if=/dev/zero of=${fill} bs=4k 2>/dev/null; true`]);
    expectRefused(file, /bin: cannot write the repaired copy: ENOSPC/, 'ENOSPC');
  });
});
if (mountSkip) test.skip(`mounted filesystems: skipped (${mountSkip})`, () => {});

describe('outputs we refuse to replace', () => {
  test('a symlink output', () => {
    const dir = tempDir('sym');
    dirs.push(dir);
    const target = path.join(dir, 'real');
    fs.copyFileSync(fx.v3, target);
    const link = path.join(dir, 'link');
    fs.symlinkSync(target, link);
    expectRefused(link, /link: is a symbolic link; refusing/);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
  });

  test('a hard-linked output, unless breakHardLinks', () => {
    const dir = tempDir('hard');
    dirs.push(dir);
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    fs.copyFileSync(fx.v3, a);
    fs.linkSync(a, b);
    expectRefused(a, /a: has 2 hard links; repairing would split them/);
    const old = fs.readFileSync(b);
    expect(lowerIsaNeeded(a, 2, { breakHardLinks: true }).changed).toBe(true);
    expect(fs.readFileSync(b).equals(old)).toBe(true); // the other name keeps the old bytes
    expect(fs.statSync(a).nlink).toBe(1);
  });

  test('a directory, a missing file', () => {
    expect(() => lowerIsaNeeded(fx.dir, 2)).toThrow(/not a regular file; refusing to repair/);
    const missing = path.join(fx.dir, 'missing');
    expect(() => lowerIsaNeeded(missing, 2)).toThrow(RepairError);
    expect(() => lowerIsaNeeded(missing, 2)).toThrow(/missing: cannot repair: ENOENT/);
  });
});

// The patcher on real binaries: only the ISA_1_NEEDED datum changes, readelf agrees, the binary still
// runs (and, under qemu with a v2 CPU, only runs after the patch), owner and mode are kept.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { RepairError, lowerIsaNeeded, patchIsaNeeded, summarizeFile } from '../../src/elf/index.js';
import { buildFixtures, has, readelfNotes } from './helpers.js';

const fx = buildFixtures();
afterAll(() => fs.rmSync(fx.dir, { recursive: true, force: true }));

let n = 0;
function copy(file: string, mode = 0o755): string {
  const p = path.join(fx.dir, `${path.basename(file)}.copy${n++}`);
  fs.copyFileSync(file, p);
  fs.chmodSync(p, mode);
  return p;
}

/** Offsets where two buffers differ. */
function diff(a: Uint8Array, b: Uint8Array): number[] {
  expect(b.length).toBe(a.length);
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.push(i);
  return out;
}

describe('lowerIsaNeeded on real binaries', () => {
  test('v3 + IBT/SHSTK binary to v2: one datum changed, features kept, runs, mode kept', () => {
    const file = copy(fx.cet, 0o4751);
    const before = fs.readFileSync(file);
    const r = lowerIsaNeeded(file, 2);
    expect(r.changed).toBe(true);
    expect(r.oldLevel).toBe(3);
    expect(r.newLevel).toBe(2);
    // Segment and section reach the same datum: patched once.
    expect(r.patches).toHaveLength(1);
    expect(r.patches[0]).toMatchObject({ oldBits: 0x5, newBits: 0x3 });
    const after = fs.readFileSync(file);
    const changed = diff(before, after);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every((o) => o >= r.patches[0]!.offset && o < r.patches[0]!.offset + 4)).toBe(true);
    const re = readelfNotes(file).get('')!;
    expect(re.isaNeeded).toEqual(['x86-64-baseline', 'x86-64-v2']);
    expect(re.feature).toEqual(['IBT', 'SHSTK']);
    expect(fs.statSync(file).mode & 0o7777).toBe(0o4751);
    const ran = spawnSync(file, { encoding: 'utf8' });
    expect(ran.stdout).toBe('hello\n');
    expect(ran.status).toBe(0);
    // The pure in-memory patch gives the very same bytes.
    expect(Buffer.from(patchIsaNeeded(before, 2)).equals(after)).toBe(true);
  });

  test('v4 to baseline, -mneeded (baseline+v2+v3 bits) to v2', () => {
    const v4 = copy(fx.v4);
    expect(lowerIsaNeeded(v4, 1).patches[0]).toMatchObject({ oldBits: 0x9, newBits: 0x1 });
    expect(readelfNotes(v4).get('')!.isaNeeded).toEqual(['x86-64-baseline']);
    const mn = copy(fx.mneeded);
    expect(lowerIsaNeeded(mn, 2).patches[0]).toMatchObject({ oldBits: 0x7, newBits: 0x3 });
    expect(summarizeFile(mn)).toMatchObject({ neededLevel: 2 });
  });

  test('relocatable object (section only) and shared object', () => {
    const rel = copy(fx.rel, 0o644);
    expect(lowerIsaNeeded(rel, 2)).toMatchObject({ changed: true, oldLevel: 3, newLevel: 2 });
    const re = readelfNotes(rel).get('')!;
    expect(re.isaNeeded).toEqual(['x86-64-v2']);
    expect(re.feature).toEqual(['IBT', 'SHSTK']);
    const so = copy(fx.shared, 0o644);
    expect(lowerIsaNeeded(so, 2)).toMatchObject({ changed: true, newLevel: 2 });
    expect(readelfNotes(so).get('')!.isaNeeded).toEqual(['x86-64-v2']);
  });

  test('within the level or without a note: nothing written, never raised', () => {
    for (const f of [fx.v2, fx.noNote, fx.ifunc]) {
      const file = copy(f);
      const st = fs.statSync(file);
      const before = fs.readFileSync(file);
      const r = lowerIsaNeeded(file, 3);
      expect(r.changed).toBe(false);
      expect(fs.statSync(file).ino).toBe(st.ino);
      expect(fs.readFileSync(file).equals(before)).toBe(true);
    }
    // A baseline-only note stays baseline at level 2 (lowering must never add the v2 bit).
    expect(lowerIsaNeeded(copy(fx.ifunc), 2).changed).toBe(false);
  });

  test('owner is kept (chown as root)', () => {
    const file = copy(fx.v3);
    fs.chownSync(file, 1234, 2345);
    lowerIsaNeeded(file, 2);
    const st = fs.statSync(file);
    expect([st.uid, st.gid]).toEqual([1234, 2345]);
  });

  test('no temporary file is left beside the output', () => {
    const dir = fs.mkdtempSync(path.join(fx.dir, 'clean-'));
    const file = path.join(dir, 'bin');
    fs.copyFileSync(fx.v3, file);
    lowerIsaNeeded(file, 2);
    expect(fs.readdirSync(dir)).toEqual(['bin']);
  });

  test('a non-ELF file is refused with a RepairError naming it', () => {
    const file = path.join(fx.dir, 'hello.c');
    expect(() => lowerIsaNeeded(file, 2)).toThrow(RepairError);
    expect(() => lowerIsaNeeded(file, 2)).toThrow(/hello\.c: not an ELF file/);
  });
});

const qemu = has('qemu-x86_64');
describe.skipIf(!qemu)('under qemu-x86_64 -cpu Nehalem (an x86-64-v2 CPU)', () => {
  test('a v3-noted hello refuses to start, and runs after the patch', () => {
    const file = copy(fx.v3);
    const before = spawnSync('qemu-x86_64', ['-cpu', 'Nehalem', file], { encoding: 'utf8' });
    expect(before.status).not.toBe(0);
    expect(before.stderr).toMatch(/CPU ISA level is lower than required/);
    lowerIsaNeeded(file, 2);
    const after = spawnSync('qemu-x86_64', ['-cpu', 'Nehalem', file], { encoding: 'utf8' });
    expect(after.stderr).toBe('');
    expect(after.stdout).toBe('hello\n');
    expect(after.status).toBe(0);
  });
});
if (!qemu) test.skip('qemu: skipped, qemu-x86_64 is not installed (apt package qemu-user)', () => {});

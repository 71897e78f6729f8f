// Hostile files for the ELF reader and the code audit: every truncation of a real binary, random
// byte mutations, and crafted structures (archives with bogus members, a huge section count,
// overlapping notes, a note past the end, a symbol table with absurd sizes). In-process through
// judgeFile (note + code), and end to end through `isa-shim check --code` and the wrapper's verify
// (a stand-in linker that writes the hostile file as its output). Asserted: a verdict or one clear
// line, never an unhandled exception or a stack trace; bounded time and memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ElfFormatError, ElfIoError, NotElfError } from '../../src/elf/index.js';
import { judgeFile } from '../../src/verify/judge.js';
import { tmp } from '../helpers.js';
import { HOSTCC, ISA_SHIM, RUNTIMES, v3NotedBinary, wenv } from './util.js';

let dir: string;
let base: Buffer;
const hostile: Array<[string, Buffer]> = [];

const u16 = (b: Buffer, o: number, v: number) => b.writeUInt16LE(v, o);
const u32 = (b: Buffer, o: number, v: number) => b.writeUInt32LE(v >>> 0, o);
const u64 = (b: Buffer, o: number, v: bigint) => b.writeBigUInt64LE(v, o);

function sections(b: Buffer): Array<{ at: number; type: number; offset: number; size: number }> {
  const shoff = Number(b.readBigUInt64LE(0x28));
  const n = b.readUInt16LE(0x3c);
  return Array.from({ length: n }, (_, i) => {
    const at = shoff + i * 64;
    return { at, type: b.readUInt32LE(at + 4), offset: Number(b.readBigUInt64LE(at + 24)), size: Number(b.readBigUInt64LE(at + 32)) };
  });
}
function segments(b: Buffer): Array<{ at: number; type: number }> {
  const phoff = Number(b.readBigUInt64LE(0x20));
  const n = b.readUInt16LE(0x38);
  return Array.from({ length: n }, (_, i) => ({ at: phoff + i * 56, type: b.readUInt32LE(phoff + i * 56) }));
}
const PT_NOTE = 4;
const PT_GNU_PROPERTY = 0x6474e553;
const SHT_SYMTAB = 2;
const SHT_NOTE = 7;

function craft(): void {
  const add = (name: string, f: (b: Buffer) => unknown) => {
    const b = Buffer.from(base);
    f(b);
    hostile.push([name, b]);
  };
  add('huge section count', (b) => u16(b, 0x3c, 0xffff));
  add('section table past the end', (b) => u64(b, 0x28, BigInt(b.length - 10)));
  add('huge program header count', (b) => u16(b, 0x38, 0xffff));
  add('note past the end', (b) => {
    for (const p of segments(b)) if (p.type === PT_NOTE || p.type === PT_GNU_PROPERTY) u64(b, p.at + 8, BigInt(b.length - 8)), u64(b, p.at + 32, 0x10000n);
    for (const s of sections(b)) if (s.type === SHT_NOTE) u64(b, s.at + 24, BigInt(b.length - 4));
  });
  add('note with an absurd size', (b) => {
    for (const p of segments(b)) if (p.type === PT_NOTE || p.type === PT_GNU_PROPERTY) u64(b, p.at + 32, 0xffffffffffffn);
  });
  add('overlapping notes (every note segment on the same bytes, shifted by 4)', (b) => {
    const notes = segments(b).filter((p) => p.type === PT_NOTE || p.type === PT_GNU_PROPERTY);
    const off = b.readBigUInt64LE(notes[0]!.at + 8);
    notes.forEach((p, i) => u64(b, p.at + 8, off + BigInt(4 * i)));
  });
  add('note namesz/descsz huge', (b) => {
    for (const s of sections(b)) if (s.type === SHT_NOTE) u32(b, s.offset, 0xfffffff0), u32(b, s.offset + 4, 0xfffffff0);
  });
  add('symbol table with absurd size and entsize', (b) => {
    for (const s of sections(b)) if (s.type === SHT_SYMTAB) u64(b, s.at + 32, 0x7fffffffffffn), u64(b, s.at + 56, 1n);
  });
  add('symbol table whose entries point at absurd addresses and sizes', (b) => {
    for (const s of sections(b)) {
      if (s.type !== SHT_SYMTAB) continue;
      for (let o = s.offset; o + 24 <= s.offset + s.size; o += 24) u64(b, o + 8, 0xfffffffffff0n), u64(b, o + 16, 0xffffffffn);
    }
  });
  add('every section offset and size set to garbage', (b) => {
    for (const s of sections(b)) u64(b, s.at + 24, 0xdeadbeefn), u64(b, s.at + 32, 0xffffffffffn);
  });
  // Archives: bogus member sizes, non-numeric sizes, a member that is a truncated ELF, many tiny members.
  const member = (name: string, size: string, body: Buffer) =>
    Buffer.concat([Buffer.from(`${name}/`.padEnd(16) + '0'.padEnd(12) + '0'.padEnd(6) + '0'.padEnd(6) + '644'.padEnd(8) + size.padEnd(10) + '`\n'), body, body.length % 2 ? Buffer.from('\n') : Buffer.alloc(0)]);
  const ar = (...m: Buffer[]) => Buffer.concat([Buffer.from('!<arch>\n'), ...m]);
  hostile.push(['archive: member size larger than the file', ar(member('a.o', '9999999999', base.subarray(0, 200)))]);
  hostile.push(['archive: non-numeric member size', ar(member('a.o', 'x12', base.subarray(0, 100)))]);
  hostile.push(['archive: truncated ELF member', ar(member('a.o', '300', base.subarray(0, 300)), member('b.o', String(base.length), base))]);
  hostile.push(['archive: 20000 empty members', ar(...Array.from({ length: 20000 }, (_, i) => member(`m${i}.o`, '0', Buffer.alloc(0))))]);
  hostile.push(['archive: header cut in the middle', Buffer.concat([Buffer.from('!<arch>\n'), Buffer.from('a.o/            0   ')])]);
}

beforeAll(() => {
  dir = tmp('isa-hard-files-');
  base = readFileSync(v3NotedBinary(dir, 'base'));
  craft();
  for (const [i, [, b]] of hostile.entries()) writeFileSync(join(dir, `h${i}`), b);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function judgeBounded(path: string): Promise<string> {
  try {
    const j = await judgeFile(path, 2, { code: 'always' });
    return j.verdict;
  } catch (err) {
    if (err instanceof ElfFormatError || err instanceof NotElfError || err instanceof ElfIoError) return 'ERROR';
    throw err;
  }
}

describe('in process: judgeFile with the code audit', () => {
  it('every truncation of a real binary: a verdict or an ElfFormatError, nothing else', async () => {
    const f = join(dir, 'trunc');
    const t0 = Date.now();
    let worst = 0;
    const step = Math.max(1, Math.floor(base.length / 4000));
    for (let n = 0; n < base.length; n += step) {
      writeFileSync(f, base.subarray(0, n));
      const t = Date.now();
      await judgeBounded(f);
      worst = Math.max(worst, Date.now() - t);
    }
    console.log(`[files] ${Math.ceil(base.length / step)} truncations of ${base.length} bytes: ${Date.now() - t0} ms, slowest ${worst} ms`);
    expect(worst).toBeLessThan(2_000);
  });

  it('random byte mutations (2000 cases, seeded): a verdict or an ElfFormatError', async () => {
    let seed = 0x1234567;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const f = join(dir, 'mut');
    let worst = 0;
    for (let c = 0; c < 2000; c++) {
      const b = Buffer.from(base);
      const k = 1 + Math.floor(rnd() * 8);
      for (let i = 0; i < k; i++) {
        // Half the hits in the headers and tables, where they matter most.
        const at = rnd() < 0.5 ? Math.floor(rnd() * 64) : Math.floor(rnd() * b.length);
        b[at] = Math.floor(rnd() * 256);
      }
      writeFileSync(f, b);
      const t = Date.now();
      await judgeBounded(f);
      worst = Math.max(worst, Date.now() - t);
    }
    expect(worst).toBeLessThan(2_000);
  });

  it('crafted structures: a verdict or an ElfFormatError each, in bounded time', async () => {
    for (const [i, [name]] of hostile.entries()) {
      const t = Date.now();
      const v = await judgeBounded(join(dir, `h${i}`));
      expect(['PASS', 'FAIL', 'MAYBE', 'SKIP', 'ERROR'], name).toContain(v);
      expect(Date.now() - t, name).toBeLessThan(3_000);
    }
  });
});

function rssAndTime(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync('/usr/bin/time', ['-f', '%M %e', cmd, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  const lines = (r.stderr ?? '').trimEnd().split('\n');
  const [kb, secs] = (lines.pop() ?? '0 0').split(' ').map(Number);
  return { status: r.status, stdout: r.stdout, stderr: lines.filter((l) => !/^Command (exited|terminated)/.test(l)).join('\n'), kb: kb!, secs: secs! };
}

describe('end to end', () => {
  it('`isa-shim check --code` on each crafted file: 0, 1 or 2 with one line, no stack trace; RSS and time bounded', () => {
    let maxKb = 0;
    let maxS = 0;
    for (const [i, [name]] of hostile.entries()) {
      const r = rssAndTime(ISA_SHIM, ['check', '--code', '--level', 'v2', join(dir, `h${i}`)], wenv(dir, 'node'));
      expect([0, 1, 2], `${name}: ${r.stderr}`).toContain(r.status);
      expect(r.stderr, name).not.toMatch(/internal error|\n\s+at |TypeError|RangeError/);
      expect((r.stdout + r.stderr).trim().split('\n').length, name).toBeLessThanOrEqual(3);
      maxKb = Math.max(maxKb, r.kb);
      maxS = Math.max(maxS, r.secs);
    }
    console.log(`[files] isa-shim check --code on ${hostile.length} crafted files: max RSS ${(maxKb / 1024).toFixed(0)} MiB, max ${maxS}s`);
    expect(maxKb).toBeLessThan(512 * 1024);
    expect(maxS).toBeLessThan(10);
  });

  it.each(RUNTIMES)('the wrapper verifying a hostile link output (%s): passes it on or rejects it with one line, never crashes', (runtime) => {
    const ld = join(dir, 'hostile-ld');
    writeFileSync(ld, '#!/bin/sh\nwhile [ $# -gt 0 ]; do case $1 in -o) out=$2; shift;; esac; shift; done\n[ -n "$out" ] && cp "$SRC" "$out"\nexit 0\n', { mode: 0o755 });
    let maxKb = 0;
    for (const [i, [name]] of hostile.entries()) {
      const out = join(dir, `out-${runtime}-${i}`);
      const r = rssAndTime(HOSTCC, ['-o', out, 'in.o'], wenv(dir, runtime, { ISA_HOSTCC: ld, SRC: join(dir, `h${i}`) }));
      // 0 passed on (not ELF: nothing to verify), 2 malformed ELF named in one line, 3 rejected, 4 repair refused.
      expect([0, 2, 3, 4], `${name}: ${r.stderr}`).toContain(r.status);
      if (r.status === 2) expect(r.stderr).toMatch(/^isa-hostcc: \S+out-[a-z]+-\d+: /);
      expect(r.stderr, name).not.toMatch(/internal error|\n\s+at |TypeError|RangeError/);
      expect(r.stderr.split('\n').filter(Boolean).length, name).toBeLessThanOrEqual(1);
      maxKb = Math.max(maxKb, r.kb);
    }
    console.log(`[files] wrapper verify (${runtime}) on ${hostile.length} crafted outputs: max RSS ${(maxKb / 1024).toFixed(0)} MiB`);
    expect(maxKb).toBeLessThan(512 * 1024);
  });
});



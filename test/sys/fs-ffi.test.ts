// src/sys/fs-ffi.ts (the compiled executable's libc calls) must answer exactly as src/sys/fs.ts does on
// Node.js: the settings cache Node.js writes is validated by comparing stat signatures as strings, and
// error lines carry the code and message. Runs the module on the installed baseline Bun runtime and
// compares with the Node.js answers for the same paths.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getSystemErrorMap } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import * as viaNode from '../../src/sys/fs.js';
import { ROOT, tmp } from '../helpers.js';

function bunBinary(): string | undefined {
  try {
    const p = join(dirname(createRequire(join(ROOT, 'package.json')).resolve('@oven/bun-linux-x64-baseline/package.json')), 'bin', 'bun');
    return existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}
const BUN = bunBinary();

type Answer = { ok: unknown } | { code: string | undefined; message: string };
function answer(f: () => unknown): Answer {
  try {
    return { ok: f() ?? null };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { code: err.code, message: err.message };
  }
}

/** Every call of the seam on one path; run as is on Node.js and, through toString(), on Bun. */
function probe(m: typeof viaNode, p: string, ans: typeof answer): { stat: Answer; real: Answer; exec: Answer; read: Answer } {
  return {
    stat: ans(() => m.statPath(p)),
    real: ans(() => m.realPath(p)),
    exec: ans(() => m.canExecute(p)),
    read: ans(() => {
      const fd = m.openForRead(p, { noFollow: p.endsWith('link') });
      try {
        const st = m.fstatFd(fd);
        const buf = new Uint8Array(48);
        const n = st.mode >= 0o100000 && st.mode < 0o110000 ? m.preadFd(fd, buf, 8, 32, 3) : 0;
        return { st, n, bytes: Array.from(buf) };
      } finally {
        m.closeFd(fd);
      }
    }),
  };
}

let dir: string;
let paths: string[];
beforeAll(() => {
  dir = tmp('isa-ffi-');
  writeFileSync(join(dir, 'file'), 'x'.repeat(5000));
  mkdirSync(join(dir, 'sub'));
  symlinkSync('file', join(dir, 'link'));
  symlinkSync('loop', join(dir, 'loop'));
  symlinkSync('missing', join(dir, 'dangling'));
  paths = [
    join(dir, 'file'), join(dir, 'sub'), join(dir, 'link'), join(dir, 'loop'), join(dir, 'dangling'),
    join(dir, 'nope'), join(dir, 'file', 'below-a-file'), '/usr/bin/true', '/usr/bin/cc', '/dev/null', '/',
    `${dir}/./sub/../file`, 'x'.repeat(5000),
  ];
});

describe.skipIf(!BUN)('src/sys/fs-ffi.ts on Bun equals src/sys/fs.ts on Node.js', () => {
  it('stat, realpath, access, open + fstat + pread at offsets, and every error, path by path', () => {
    const script = join(dir, 'probe.ts');
    writeFileSync(script, `
      globalThis.__ISA_ERRNO_JSON__ = ${JSON.stringify(JSON.stringify(Object.fromEntries([...getSystemErrorMap()].map(([n, v]) => [String(n), v]))))};
      const m = await import(${JSON.stringify(join(ROOT, 'src/sys/fs-ffi.ts'))});
      ${answer.toString()}
      ${probe.toString()}
      const out = {};
      for (const p of JSON.parse(process.env.PATHS)) out[p] = probe(m, p, answer);
      console.log(JSON.stringify(out));
    `);
    const r = spawnSync(BUN!, [script], { encoding: 'utf8', env: { ...process.env, PATHS: JSON.stringify(paths) } });
    expect(r.stderr).toBe('');
    const fromBun = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const p of paths) {
      const node = probe(viaNode, p, answer);
      // realpath failures are compared by code only: every caller swallows them (a path that does not
      // resolve is compared as given), and Node's realpathSync names whichever lstat/stat failed.
      const codeOnly = (a: Answer): Answer => ('code' in a ? { code: a.code, message: '' } : a);
      const b = fromBun[p] as typeof node;
      expect({ p, ...b, real: codeOnly(b.real) }).toEqual(JSON.parse(JSON.stringify({ p, ...node, real: codeOnly(node.real) })));
    }
  });
});

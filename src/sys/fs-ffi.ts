// src/sys/fs.ts for the compiled executable (scripts/build.mjs links this file in its place): the
// same few system calls through glibc with bun:ffi, because loading Bun's node:fs module costs about
// 2 ms per process, a fifth of a wrapped call's start-up. Results and errors match node:fs exactly
// (the settings cache written by Node.js is validated here by comparing stat signatures as strings);
// errno names and messages are Node's own, captured from util.getSystemErrorMap() at build time.
// bun:ffi is marked experimental by Bun: if it cannot be set up (or ISA_NO_FFI=1), every call falls
// back to node:fs.
import { dlopen, read } from 'bun:ffi';
import * as viaNode from './fs.js';
import type { FileStat } from './fs.js';

export type { FileStat } from './fs.js';
export { isDirectory, isRegularFile } from './fs.js';

/**
 * errno -> [code, message] as Node.js reports them (libuv's table), injected by scripts/build.mjs as
 * JSON text: parsed only when an error is reported (an object literal of it cost ~0.5 ms at start-up).
 */
declare const __ISA_ERRNO_JSON__: string;
let errnoTable: Record<string, readonly [string, string]> | undefined;

// x86-64 Linux open(2) flags and struct stat layout (the compiled runtime exists only for x86-64 Linux).
const O_RDONLY = 0;
const O_NONBLOCK = 0o4000;
const O_NOFOLLOW = 0o400000;
const O_CLOEXEC = 0o2000000;
const X_OK = 1;
const STAT_SIZE = 144;
const PATH_MAX = 4096;

interface Libc {
  stat(path: Uint8Array, buf: Uint8Array): number;
  fstat(fd: number, buf: Uint8Array): number;
  access(path: Uint8Array, mode: number): number;
  open(path: Uint8Array, flags: number, mode: number): number;
  pread(fd: number, buf: Uint8Array, count: number, offset: number): number;
  close(fd: number): number;
  realpath(path: Uint8Array, out: Uint8Array): number | null;
  gethostname(out: Uint8Array, len: number): number;
  __errno_location(): number;
}

let libc: Libc | null | undefined;
function c(): Libc | null {
  if (libc === undefined) {
    // ISA_NO_FFI=1: the node:fs fallback on purpose (diagnosis, and the test that keeps it working).
    const off = process.env['ISA_NO_FFI'];
    if (off !== undefined && off !== '' && off !== '0') return (libc = null); // as ISA_NO_CACHE, ISA_PROFILE
    try {
      libc = dlopen('libc.so.6', {
        stat: { args: ['ptr', 'ptr'], returns: 'i32' },
        fstat: { args: ['i32', 'ptr'], returns: 'i32' },
        access: { args: ['ptr', 'i32'], returns: 'i32' },
        open: { args: ['ptr', 'i32', 'i32'], returns: 'i32' },
        pread: { args: ['i32', 'ptr', 'u64', 'i64'], returns: 'i64_fast' },
        close: { args: ['i32'], returns: 'i32' },
        realpath: { args: ['ptr', 'ptr'], returns: 'ptr' },
        gethostname: { args: ['ptr', 'u64'], returns: 'i32' },
        __errno_location: { args: [], returns: 'ptr' },
      }).symbols as unknown as Libc;
    } catch {
      libc = null;
    }
  }
  return libc;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
// One path buffer for every call (a call takes one path): encoding into it allocates nothing.
const pathBuf = new Uint8Array(3 * PATH_MAX + 1);
function cstr(s: string): Uint8Array {
  if (s.length > PATH_MAX) return encoder.encode(`${s}\0`);
  const { written } = encoder.encodeInto(s, pathBuf);
  pathBuf[written] = 0;
  return pathBuf;
}
/** A path C cannot be given as is (an embedded NUL): node:fs reports it its own way. */
const unrepresentable = (path: string): boolean => path.includes('\0');
const statBuf = new Uint8Array(STAT_SIZE);
const realBuf = new Uint8Array(PATH_MAX + 1);
const statView = new DataView(statBuf.buffer);

function errnoNow(lib: Libc): number {
  return read.i32(lib.__errno_location(), 0);
}

/** An Error shaped like node:fs's: `code`, negative `errno`, `syscall`, and "CODE: message, syscall 'path'". */
function sysError(errno: number, syscall: string, path?: string): NodeJS.ErrnoException {
  errnoTable ??= JSON.parse(__ISA_ERRNO_JSON__) as Record<string, readonly [string, string]>;
  const [code, message] = errnoTable[String(-errno)] ?? [`E${errno}`, `unknown error ${errno}`];
  const err = new Error(`${code}: ${message}, ${syscall}${path === undefined ? '' : ` '${path}'`}`) as NodeJS.ErrnoException;
  err.code = code;
  err.errno = -errno;
  err.syscall = syscall;
  if (path !== undefined) err.path = path;
  return err;
}

const u64 = (off: number): number => statView.getUint32(off + 4, true) * 2 ** 32 + statView.getUint32(off, true);
const i64 = (off: number): number => statView.getInt32(off + 4, true) * 2 ** 32 + statView.getUint32(off, true);

/** struct stat as node:fs reports it: the same doubles, by the same arithmetic (msFromTimeSpec). */
function decodeStat(): FileStat {
  return {
    mode: statView.getUint32(24, true),
    uid: statView.getUint32(28, true),
    size: i64(48),
    ino: u64(8),
    mtimeMs: i64(88) * 1000 + i64(96) / 1_000_000,
    ctimeMs: i64(104) * 1000 + i64(112) / 1_000_000,
  };
}

export function statPath(path: string): FileStat | undefined {
  const lib = c();
  if (!lib || unrepresentable(path)) return viaNode.statPath(path);
  if (lib.stat(cstr(path), statBuf) === 0) return decodeStat();
  const e = errnoNow(lib);
  if (e === 2) return undefined; // ENOENT, as statSync(..., { throwIfNoEntry: false })
  throw sysError(e, 'stat', path);
}

export function realPath(path: string): string {
  const lib = c();
  if (!lib || unrepresentable(path)) return viaNode.realPath(path);
  const out = realBuf;
  if (!lib.realpath(cstr(path), out)) throw sysError(errnoNow(lib), 'realpath', path);
  return decoder.decode(out.subarray(0, out.indexOf(0)));
}

export function canExecute(path: string): boolean {
  const lib = c();
  if (!lib || unrepresentable(path)) return viaNode.canExecute(path);
  return lib.access(cstr(path), X_OK) === 0;
}

export function openForRead(path: string, opts: { readonly noFollow?: boolean } = {}): number {
  const lib = c();
  if (!lib || unrepresentable(path)) return viaNode.openForRead(path, opts);
  const fd = lib.open(cstr(path), O_RDONLY | O_NONBLOCK | O_CLOEXEC | (opts.noFollow ? O_NOFOLLOW : 0), 0);
  if (fd < 0) throw sysError(errnoNow(lib), 'open', path);
  return fd;
}

export function fstatFd(fd: number): FileStat {
  const lib = c();
  if (!lib) return viaNode.fstatFd(fd);
  if (lib.fstat(fd, statBuf) !== 0) throw sysError(errnoNow(lib), 'fstat');
  return decodeStat();
}

export function preadFd(fd: number, buf: Uint8Array, offset: number, length: number, position: number): number {
  const lib = c();
  if (!lib) return viaNode.preadFd(fd, buf, offset, length, position);
  if (length === 0) return 0;
  const n = Number(lib.pread(fd, buf.subarray(offset, offset + length), length, position));
  if (n < 0) throw sysError(errnoNow(lib), 'read');
  return n;
}

export function closeFd(fd: number): void {
  const lib = c();
  if (!lib) return viaNode.closeFd(fd);
  if (lib.close(fd) !== 0) throw sysError(errnoNow(lib), 'close');
}

export function hostName(): string {
  const lib = c();
  if (!lib) return viaNode.hostName();
  const out = new Uint8Array(256);
  if (lib.gethostname(out, out.length - 1) !== 0) return viaNode.hostName();
  return decoder.decode(out.subarray(0, out.indexOf(0)));
}

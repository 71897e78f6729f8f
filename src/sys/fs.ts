// The file-system calls a wrapped call makes on its hot path (stat, realpath, access, open, pread,
// fstat, close, gethostname), behind one narrow seam. Here they are node:fs and node:os. The compiled
// executable is linked against src/sys/fs-ffi.ts instead (scripts/build.mjs), which makes the same
// system calls through libc: loading Bun's node:fs alone cost about 2 ms of a wrapped call's ~10 ms
// start-up (docs/performance.md). Both implementations keep Node's semantics: undefined for a path
// that is not there, and errors carrying Node's `code` and message text otherwise.
import * as fs from 'node:fs';
import { hostname } from 'node:os';

/** The stat fields the shim decides anything on; numbers exactly as node:fs reports them. */
export interface FileStat {
  readonly mode: number;
  readonly uid: number;
  readonly size: number;
  readonly ino: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

const S_IFMT = 0o170000;
export const isRegularFile = (st: FileStat): boolean => (st.mode & S_IFMT) === 0o100000;
export const isDirectory = (st: FileStat): boolean => (st.mode & S_IFMT) === 0o040000;

const lite = (st: fs.Stats): FileStat => ({
  mode: st.mode,
  uid: st.uid,
  size: st.size,
  ino: st.ino,
  mtimeMs: st.mtimeMs,
  ctimeMs: st.ctimeMs,
});

/** stat(2) following symlinks: undefined for ENOENT; other failures throw with Node's `code`. */
export function statPath(path: string): FileStat | undefined {
  const st = fs.statSync(path, { throwIfNoEntry: false });
  return st ? lite(st) : undefined;
}

/** realpath(3); throws with Node's `code` (ENOENT, ELOOP...). */
export function realPath(path: string): string {
  return fs.realpathSync(path);
}

/** access(2) X_OK. */
export function canExecute(path: string): boolean {
  try {
    fs.accessSync(path, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Opens for reading, never blocking (a FIFO is refused by its caller after fstat, not waited on) and
 * not inherited by the tool the wrapper runs. `noFollow`: a symlink at `path` fails with ELOOP.
 */
export function openForRead(path: string, opts: { readonly noFollow?: boolean } = {}): number {
  const c = fs.constants;
  return fs.openSync(path, c.O_RDONLY | c.O_NONBLOCK | (opts.noFollow ? c.O_NOFOLLOW : 0));
}

export function fstatFd(fd: number): FileStat {
  return lite(fs.fstatSync(fd));
}

/** One pread(2) of up to `length` bytes into `buf` at `offset`; the count read (0 at end of file). */
export function preadFd(fd: number, buf: Uint8Array, offset: number, length: number, position: number): number {
  return fs.readSync(fd, buf, offset, length, position);
}

export function closeFd(fd: number): void {
  fs.closeSync(fd);
}

export function hostName(): string {
  return hostname();
}

// A stat signature for every path the resolution looked at, taken *before* the file is read, so
// a file that changes while we read it leaves a signature that no longer matches: the cache can
// only be stale-safe, never stale.
import { statPath } from '../sys/fs.js';

/** `-` for nothing there; otherwise type+mode, owner, size, mtime, ctime (chmod/chown) and inode. */
export function signature(path: string): string {
  let st;
  try {
    // Number stats, not bigint: mtimeMs/ctimeMs keep sub-microsecond precision for today's dates,
    // and a warm call stats ~100-200 paths, where BigInt allocation shows. The compiled runtime
    // computes the same string through libc (src/sys/fs-ffi.ts) to validate what Node.js wrote.
    st = statPath(path);
  } catch (e) {
    return `!${(e as NodeJS.ErrnoException).code ?? 'ERR'}`;
  }
  if (!st) return '-';
  return `${st.mode}.${st.uid}.${st.size}.${st.mtimeMs}.${st.ctimeMs}.${st.ino}`;
}

export class Probes {
  readonly entries = new Map<string, string>();
  record(path: string): void {
    if (!this.entries.has(path)) this.entries.set(path, signature(path));
  }
}

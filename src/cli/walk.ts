// Walks the paths a command was given. Files named on the command line must be readable ELF (or ar)
// files; inside directories, everything else is skipped quietly. Symlinks inside directories are not
// followed (a tree's links point at files the walk reaches anyway, or outside it).
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT, ShimError } from '../exit-codes.js';

export interface WalkedFile {
  readonly path: string;
  /** Named on the command line (errors about it are fatal), or found in a directory. */
  readonly named: boolean;
}

export function* walkPaths(paths: readonly string[], onDir?: (dir: string) => void): Generator<WalkedFile> {
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new ShimError(`${p}: ${code === 'ENOENT' ? 'no such file or directory' : `cannot read (${code})`}`, EXIT.BAD_INPUT);
    }
    if (st.isDirectory()) yield* walkDir(p, onDir);
    else yield { path: p, named: true };
  }
}

function* walkDir(dir: string, onDir?: (dir: string) => void): Generator<WalkedFile> {
  onDir?.(dir);
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // an unreadable subdirectory: nothing in it can be judged
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walkDir(p, onDir);
    else if (e.isFile()) yield { path: p, named: false };
    else if (e.isSymbolicLink() || e.isFIFO() || e.isSocket() || e.isCharacterDevice() || e.isBlockDevice()) continue;
    else {
      // DT_UNKNOWN on some filesystems: ask lstat
      try {
        const st = lstatSync(p);
        if (st.isDirectory()) yield* walkDir(p, onDir);
        else if (st.isFile()) yield { path: p, named: false };
      } catch {
        // vanished
      }
    }
  }
}

// The file side of the repair: lower X86_ISA_1_NEEDED in a binary on disk, atomically. The new
// content goes to a temporary file in the same directory (so rename is atomic on one filesystem), is
// fsynced, gets the original's owner and mode, and is renamed over the original. Any failure removes
// the temporary file and leaves the original byte-identical.
//
// Refused on purpose:
// - a symlink: repairing its target would change a file the build did not name (maybe a system
//   binary); replacing the link by a file would silently break whatever relies on it;
// - a file with hard links (nlink > 1): rename gives the path a new inode, so the other names would
//   keep the old bytes; allowed only with { breakHardLinks: true }.
//
// The whole repair is synchronous: a JS signal handler in the caller cannot run in the middle of it,
// so the output path always holds either the old file or the complete new one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Level, levelFromIsaBits, levelNoteName } from '../level.js';
import { ElfFormatError, ElfIoError, RepairError, describeSystemError } from './errors.js';
import { type IsaPatch, planIsaPatch } from './patch.js';
import { fdSource, withPath } from './source.js';

/**
 * A suffix unique enough for a temporary name in the output's directory: the file is created with
 * O_EXCL, so a collision fails instead of clobbering. Not node:crypto: loading it costs the compiled
 * wrappers milliseconds on every call, and no secret is involved.
 */
function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
}

export interface RepairOptions {
  /** Replace a file that has other hard links (they keep the old content). Default false: refuse. */
  readonly breakHardLinks?: boolean;
}

export interface RepairResult {
  readonly path: string;
  /** False when the file was already within the level or has no X86_ISA_1_NEEDED (nothing written). */
  readonly changed: boolean;
  /** Level the loader enforced before / enforces after (0: no ISA_1_NEEDED property). */
  readonly oldLevel: Level | 0;
  readonly newLevel: Level | 0;
  /** The datum(s) rewritten: file offset, old bits, new bits. */
  readonly patches: readonly IsaPatch[];
}

const COPY_CHUNK = 1 << 20;

function fail(file: string, action: string, err: unknown): never {
  if (err instanceof RepairError) throw err;
  if (err instanceof ElfFormatError || err instanceof ElfIoError) {
    throw new RepairError((withPath(err, file) as Error).message, err instanceof ElfIoError ? err.errno : undefined);
  }
  const { text, errno } = describeSystemError(err);
  throw new RepairError(`${file}: cannot ${action}: ${text}`, errno);
}

/** Lowers the file's X86_ISA_1_NEEDED to `level` in place (atomically); see the header comment. */
export function lowerIsaNeeded(file: string, level: Level, options: RepairOptions = {}): RepairResult {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch (err) {
    return fail(file, 'repair', err);
  }
  if (st.isSymbolicLink()) {
    throw new RepairError(`${file}: is a symbolic link; refusing to repair through it (repair its target by name)`);
  }
  if (!st.isFile()) throw new RepairError(`${file}: not a regular file; refusing to repair`);
  if (st.nlink > 1 && !options.breakHardLinks) {
    throw new RepairError(`${file}: has ${st.nlink} hard links; repairing would split them (allow with breakHardLinks)`);
  }

  let src: number;
  try {
    src = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (err) {
    return fail(file, 'open', err);
  }
  let tmp: string | undefined;
  try {
    const srcStat = fs.fstatSync(src);
    if (srcStat.ino !== st.ino || srcStat.dev !== st.dev) throw new RepairError(`${file}: replaced while repairing`);
    let plan;
    try {
      plan = planIsaPatch(fdSource(src, srcStat.size), level);
    } catch (err) {
      return fail(file, 'read', err);
    }
    const after = plan.patches.length ? levelFromIsaBits(plan.patches[0]!.newBits) : plan.oldLevel;
    const result = { path: file, oldLevel: plan.oldLevel, newLevel: after, patches: plan.patches };
    if (plan.patches.length === 0) return { ...result, changed: false };

    tmp = path.join(path.dirname(file), `.${path.basename(file)}.isa-tmp-${process.pid}-${uniqueSuffix()}`);
    writePatchedCopy(file, src, srcStat, tmp, plan.patches, plan.littleEndian);

    // The original must still be the file we read; otherwise we would overwrite someone's newer output.
    const now = fs.lstatSync(file);
    if (now.ino !== st.ino || now.size !== st.size || now.mtimeMs !== st.mtimeMs) {
      throw new RepairError(`${file}: changed while repairing; left as it is`);
    }
    try {
      fs.renameSync(tmp, file);
    } catch (err) {
      fail(file, 'replace', err);
    }
    tmp = undefined;
    syncDirectory(path.dirname(file));
    return { ...result, changed: true };
  } catch (err) {
    return fail(file, 'repair', err);
  } finally {
    fs.closeSync(src);
    if (tmp !== undefined) {
      try {
        fs.unlinkSync(tmp);
      } catch {
        // Nothing more we can do; the original is untouched either way.
      }
    }
  }
}

function writePatchedCopy(
  file: string, src: number, srcStat: fs.Stats, tmp: string, patches: readonly IsaPatch[], littleEndian: boolean,
): void {
  let out: number;
  try {
    out = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
  } catch (err) {
    return fail(file, 'create a temporary file beside it', err);
  }
  try {
    const patchBytes = patches.map((p) => {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setUint32(0, p.newBits, littleEndian);
      const old = new Uint8Array(4);
      new DataView(old.buffer).setUint32(0, p.oldBits, littleEndian);
      return { offset: p.offset, bytes: b, old };
    });
    const buf = new Uint8Array(Math.min(COPY_CHUNK, Math.max(1, srcStat.size)));
    let pos = 0;
    while (pos < srcStat.size) {
      const n = fs.readSync(src, buf, 0, Math.min(buf.length, srcStat.size - pos), pos);
      if (n === 0) throw new RepairError(`${file}: shrank while repairing; left as it is`);
      for (const p of patchBytes) {
        for (let i = 0; i < 4; i++) {
          const at = p.offset + i - pos;
          if (at < 0 || at >= n) continue;
          if (buf[at] !== p.old[i]) throw new RepairError(`${file}: changed while repairing; left as it is`);
          buf[at] = p.bytes[i]!;
        }
      }
      let done = 0;
      while (done < n) done += fs.writeSync(out, buf, done, n - done, pos + done);
      pos += n;
    }
    // Owner first: chown clears set-user-ID bits, which the chmod after it restores.
    if (srcStat.uid !== fs.fstatSync(out).uid || srcStat.gid !== fs.fstatSync(out).gid) {
      fs.fchownSync(out, srcStat.uid, srcStat.gid);
    }
    fs.fchmodSync(out, srcStat.mode & 0o7777);
    fs.fsyncSync(out);
  } catch (err) {
    fail(file, 'write the repaired copy', err);
  } finally {
    fs.closeSync(out);
  }
}

/** Makes the rename durable. Some filesystems refuse fsync on directories; the rename stands anyway. */
function syncDirectory(dir: string): void {
  try {
    const fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // best effort
  }
}

/** One-line description of a repair, e.g. `bin/foo: ISA needed x86-64-v3 -> x86-64-v2`. */
export function describeRepair(r: RepairResult): string {
  const name = (l: Level | 0) => (l === 0 ? 'none' : levelNoteName(l));
  return r.changed ? `${r.path}: ISA needed ${name(r.oldLevel)} -> ${name(r.newLevel)}` : `${r.path}: unchanged (${name(r.oldLevel)})`;
}

// Byte sources: the reader asks for small ranges at offsets and never for more than the file holds.
// A file source uses positioned reads on a descriptor, so a verify touches only the header, the
// program headers and the note instead of the whole binary.
import { closeFd, fstatFd, isDirectory, isRegularFile, openForRead, preadFd } from '../sys/fs.js';
import { ElfFormatError, ElfIoError, NotElfError, describeSystemError, hex } from './errors.js';

export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /**
   * Exactly `length` bytes at `offset`. Callers check bounds first (see `readRange`); a source may
   * assume `0 <= offset && offset + length <= size`.
   */
  read(offset: number, length: number): Uint8Array;
}

/**
 * Reads `length` bytes at `offset` of `src`, or throws ElfFormatError naming `what` when the range is
 * not wholly inside the source. Every read of the reader goes through here.
 */
export function readRange(src: ByteSource, offset: number, length: number, what: string): Uint8Array {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new ElfFormatError(`${what}: bad offset ${hex(Math.max(0, offset || 0))} or size`);
  }
  if (offset > src.size || length > src.size - offset) {
    throw new ElfFormatError(`truncated ${what} at ${hex(offset)} (needs ${length} bytes, file has ${src.size})`);
  }
  return src.read(offset, length);
}

/** A source over bytes already in memory (tests, fuzzing, archive members read whole). */
export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: (offset, length) => bytes.subarray(offset, offset + length),
  };
}

/** A window [base, base+size) of another source: an archive member seen as a file of its own. */
export function windowSource(parent: ByteSource, base: number, size: number): ByteSource {
  return {
    size,
    read: (offset, length) => parent.read(base + offset, length),
  };
}

// The first block of a file holds the ELF header, the program headers and usually the property note
// (.note.gnu.property sits right after the phdrs), so one read of it serves a whole verify.
const HEAD_BLOCK = 4096;
const BLOCK = 64 * 1024;
const SMALL_READ = 4096;

/** A source that reads an open descriptor with positioned reads. The caller owns (closes) `fd`. */
export function fdSource(fd: number, size: number): ByteSource {
  let head: Uint8Array | undefined;
  const pread = (offset: number, length: number): Uint8Array => {
    const buf = new Uint8Array(length);
    let done = 0;
    try {
      while (done < length) {
        const n = preadFd(fd, buf, done, length - done, offset + done);
        if (n === 0) break;
        done += n;
      }
    } catch (err) {
      const { text, errno } = describeSystemError(err);
      throw new ElfIoError(`cannot read: ${text}`, errno);
    }
    // The file shrank under us: report it like any truncated file.
    if (done < length) throw new ElfFormatError(`file shrank while reading at ${hex(offset + done)}`);
    return buf;
  };
  // Beyond the head, small reads are served from one cached 64 KiB block: walking an archive's
  // members (or a section header table and its names) is many small reads close together, and one
  // pread per 60-byte member header made `check /usr/lib` spend most of its time in syscalls.
  let blockStart = -1;
  let block: Uint8Array | undefined;
  return {
    size,
    read(offset, length) {
      if (offset + length <= Math.min(HEAD_BLOCK, size)) {
        head ??= pread(0, Math.min(HEAD_BLOCK, size));
        return head.subarray(offset, offset + length);
      }
      if (length <= SMALL_READ) {
        const start = offset - (offset % BLOCK);
        if (offset + length <= start + BLOCK) {
          if (start !== blockStart || !block) {
            block = pread(start, Math.min(BLOCK, size - start));
            blockStart = start;
          }
          if (offset + length - start <= block.length) return block.subarray(offset - start, offset - start + length);
        }
      }
      return pread(offset, length);
    },
  };
}

/**
 * Opens `path` read-only and runs `fn` over a file source; the descriptor is always closed. Open and
 * stat failures (ENOENT, EACCES, EISDIR...) become ElfIoError.
 */
export function withFileSource<T>(path: string, fn: (src: ByteSource) => T): T {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below as not a regular file.
    fd = openForRead(path);
  } catch (err) {
    const { text, errno } = describeSystemError(err);
    throw new ElfIoError(`${path}: cannot open: ${text}`, errno);
  }
  try {
    let size: number;
    try {
      const st = fstatFd(fd);
      if (isDirectory(st)) throw Object.assign(new Error('EISDIR: is a directory'), { code: 'EISDIR' });
      if (!isRegularFile(st)) throw Object.assign(new Error('not a regular file'), { code: 'EINVAL' });
      size = st.size;
    } catch (err) {
      const { text, errno } = describeSystemError(err);
      throw new ElfIoError(`cannot read: ${text}`, errno);
    }
    return fn(fdSource(fd, size));
  } catch (err) {
    throw withPath(err, path);
  } finally {
    closeFd(fd);
  }
}

/** The same typed error with `path: ` in front of its message (once); other errors pass unchanged. */
export function withPath(err: unknown, path: string): unknown {
  if (!(err instanceof ElfFormatError || err instanceof ElfIoError)) return err;
  if (err.message.startsWith(`${path}: `)) return err;
  if (err instanceof NotElfError) return new NotElfError(`${path}: ${err.message}`);
  if (err instanceof ElfFormatError) return new ElfFormatError(`${path}: ${err.message}`);
  return new ElfIoError(`${path}: ${err.message}`, err.errno);
}

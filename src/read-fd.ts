// Reads an open regular file whole, by positioned reads up to the size fstat gave: a file that
// shrinks meanwhile ends early instead of failing. Shared by the settings cache, config files and
// the kernel configuration reader, each of which checks type and size limits first.
import { preadFd } from './sys/fs.js';

export function readWholeFd(fd: number, size: number): Buffer {
  const buf = Buffer.alloc(size);
  let off = 0;
  while (off < buf.length) {
    const n = preadFd(fd, buf, off, buf.length - off, off);
    if (n === 0) break;
    off += n;
  }
  return buf.subarray(0, off);
}

// The settings cache. A wrapper resolves settings on every compile of a kernel build; the cache
// turns that into: hash a few env values, read one small JSON file, stat the paths the last
// resolution looked at. No parser, no config file read, no cpuinfo.
//
// File: ${ISA_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/isa-shim}/settings-<key>.json, where <key>
// hashes the cwd, uid, host name, shim build, and every environment value the resolution reads.
// Inside: the resolution and the stat signature of every path it probed (found or not). Any
// mismatch, any parse error, a foreign owner or a writable-by-others file: ignored and rewritten.
// Written to a temporary file and renamed, so `make -j` readers see the old or the new file whole.
import { readWholeFd } from '../read-fd.js';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { closeFd, fstatFd, hostName, isRegularFile, openForRead } from '../sys/fs.js';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signature } from './probe.js';
import { getInstallDir } from '../runtime.js';
import type { Resolution } from './resolve.js';

const CACHE_FORMAT = 1;
const MAX_CACHE_BYTES = 1024 * 1024;

/** Environment variables (besides every ISA_*) whose value changes what the resolution finds. */
const KEY_ENV = ['srctree', 'objtree', 'KBUILD_EXTMOD', 'M', 'KCONFIG_CONFIG', 'XDG_CONFIG_HOME', 'HOME'];

/**
 * The shim's own build: its signature invalidates every cache entry when the shim is upgraded or
 * rebuilt. It is the install's dist/entry.mjs for both runtimes, so the compiled executable and
 * Node.js share one cache (the compiled one answers only from it, see src/cli/wrapper.ts).
 */
let selfPath: string | undefined;
function self(): string {
  if (selfPath === undefined) {
    const dir = getInstallDir();
    if (dir) selfPath = join(dir, 'dist', 'entry.mjs');
    else {
      try {
        selfPath = fileURLToPath(import.meta.url);
      } catch {
        selfPath = '';
      }
    }
  }
  return selfPath;
}

/** Variables that say how this process runs, not what it resolves: never part of the key. */
const NOT_KEY_ENV = new Set(['ISA_RUNTIME', 'ISA_SHIM_DEPTH', 'ISA_PROFILE']);

export function cacheDir(env: NodeJS.ProcessEnv): string | undefined {
  const off = env['ISA_NO_CACHE'];
  if (off !== undefined && off !== '' && off !== '0') return undefined;
  if (env['ISA_CACHE_DIR']) return env['ISA_CACHE_DIR'];
  const base = env['XDG_CACHE_HOME'] || join(env['HOME'] || homedir(), '.cache');
  return join(base, 'isa-shim');
}

/** Everything besides file contents that the answer depends on, as one string. */
export function keyMaterial(env: NodeJS.ProcessEnv, cwd: string, uid: number, cpuinfoPath: string | undefined): string {
  const parts: string[] = [String(CACHE_FORMAT), cwd, String(uid), hostName(), self(), cpuinfoPath ?? ''];
  for (const name of Object.keys(env).sort()) {
    if ((name.startsWith('ISA_') && !NOT_KEY_ENV.has(name)) || KEY_ENV.includes(name)) parts.push(`${name}=${env[name]}`);
  }
  for (const name of KEY_ENV) if (!(name in env)) parts.push(`${name}!`);
  return parts.join('\0');
}

/**
 * Two FNV-1a 32-bit hashes with different seeds: only picks the file name (the entry stores the
 * whole key material and is compared exactly), and costs microseconds where the first
 * createHash() of a process costs milliseconds.
 */
function fnv(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** The file-name key of a key material (see keyMaterial). */
export const keyOf = fnv;

export function cacheKey(env: NodeJS.ProcessEnv, cwd: string, uid: number, cpuinfoPath: string | undefined): string {
  return keyOf(keyMaterial(env, cwd, uid, cpuinfoPath));
}

interface CacheEntry {
  format: number;
  key: string;
  material: string;
  self: string;
  resolution: Resolution;
}

export function cachePath(dir: string, key: string): string {
  return join(dir, `settings-${key}.json`);
}

/** The cached resolution if it is still exactly what resolving would give; undefined otherwise. */
export function readCache(dir: string, key: string, material: string, uid: number): Resolution | undefined {
  const path = cachePath(dir, key);
  let fd: number | undefined;
  try {
    // O_NOFOLLOW|O_NONBLOCK: a symlink or FIFO planted at the cache path is refused, never followed or waited on.
    fd = openForRead(path, { noFollow: true });
    const st = fstatFd(fd);
    // The cache decides which compiler runs: only our own, private file counts.
    if (!isRegularFile(st) || st.size > MAX_CACHE_BYTES || (uid >= 0 && st.uid !== uid) || (st.mode & 0o022) !== 0) return undefined;
    const entry = JSON.parse(readWholeFd(fd, st.size).toString('utf8')) as CacheEntry;
    if (entry?.format !== CACHE_FORMAT || entry.key !== key || entry.material !== material || !entry.resolution?.probes) return undefined;
    if (entry.self !== signature(self())) return undefined;
    const probes = entry.resolution.probes;
    for (const p in probes) if (signature(p) !== probes[p]) return undefined;
    return entry.resolution;
  } catch {
    return undefined; // missing, corrupt, torn by a crash: resolve again and rewrite
  } finally {
    if (fd !== undefined) closeFd(fd);
  }
}

let tmpCounter = 0;

/** Best effort: a read-only or full cache directory only costs speed, never the build. */
export function writeCache(dir: string, key: string, material: string, resolution: Resolution): boolean {
  const path = cachePath(dir, key);
  // pid + counter + time: unique per writer without touching crypto
  const tmp = `${path}.${process.pid}.${++tmpCounter}.${Date.now()}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const entry: CacheEntry = { format: CACHE_FORMAT, key, material, self: signature(self()), resolution };
    writeFileSync(tmp, JSON.stringify(entry), { mode: 0o600, flag: 'wx' });
    renameSync(tmp, path);
    return true;
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      /* nothing left to do */
    }
    return false;
  }
}

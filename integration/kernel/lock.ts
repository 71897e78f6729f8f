// One harness at a time per cache dir: two runs would clean each other's host tools mid-build.
// The lock file holds the owner's pid; a lock whose owner is gone is taken over.
import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE } from './setup.js';

export const LOCK = join(CACHE, '.lock');

export class CacheBusy extends Error {
  constructor(readonly owner: string) {
    super(`another kernel e2e run (${owner}) is using ${CACHE}`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryLock(): string | undefined {
  mkdirSync(CACHE, { recursive: true });
  try {
    const fd = openSync(LOCK, 'wx');
    writeSync(fd, JSON.stringify({ pid: process.pid, started: new Date().toISOString() }));
    closeSync(fd);
    return undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  let owner: { pid?: number; started?: string } = {};
  try {
    owner = JSON.parse(readFileSync(LOCK, 'utf8')) as typeof owner;
  } catch {
    /* being written, or garbage: treated as stale below when no pid */
  }
  if (typeof owner.pid === 'number' && owner.pid !== process.pid && alive(owner.pid)) {
    return `pid ${owner.pid}, started ${owner.started ?? '?'}`;
  }
  rmSync(LOCK, { force: true });
  return tryLock();
}

/** Waits up to waitMs for the cache, then throws CacheBusy. */
export async function acquireCache(waitMs: number, progress: (l: string) => void): Promise<() => void> {
  const until = Date.now() + waitMs;
  let said = false;
  for (;;) {
    const owner = tryLock();
    if (!owner) return () => rmSync(LOCK, { force: true });
    if (Date.now() >= until) throw new CacheBusy(owner);
    if (!said) progress(`waiting for ${CACHE}: held by ${owner}`);
    said = true;
    await new Promise((r) => setTimeout(r, 5000));
  }
}

// Shared fixtures for the config tests: scratch trees outside $HOME (under /var/tmp, like kernel
// trees in build chroots) and an environment that never reads the real global config or cache.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import type { ShimError } from '../../src/exit-codes.js';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

export function scratch(prefix = 'isa-config-'): string {
  const dir = mkdtempSync(join('/var/tmp', prefix));
  roots.push(dir);
  return dir;
}

export function write(path: string, text: string, mode?: number): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, mode === undefined ? undefined : { mode });
  return path;
}

/** A clean environment: no ISA_* from the outer shell, no global config, no cache unless asked. */
export function baseEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: '/nonexistent-home', ISA_GLOBAL_CONFIG_DIRS: '', ISA_NO_CACHE: '1' };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Runs fn, expecting a ShimError; returns it. */
export function shimError(fn: () => unknown): ShimError {
  try {
    fn();
  } catch (e) {
    if ((e as Error).name === 'ShimError') return e as ShimError;
    throw e;
  }
  throw new Error('expected a ShimError, got none');
}

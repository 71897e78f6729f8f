// Where isa-shim is installed and which runtime runs it. The compiled fast executable (Bun) cannot
// load node_modules packages from disk, so the rare paths that need one (the iced-x86 code audit)
// run on Node.js from the same install: see runOnNode().
import { join } from 'node:path';

let installDir: string | undefined;

export function setInstallDir(dir: string): void {
  installDir = dir;
}

export function getInstallDir(): string | undefined {
  return installDir;
}

/** Runs `isa-shim` internals on Node.js from this install; returns stdout (throws on failure). */
export async function runOnNode(selector: string, args: readonly string[]): Promise<string> {
  if (!installDir) throw new Error('install directory unknown');
  // Imported here: loading node:child_process costs the compiled runtime milliseconds per call.
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync('node', [join(installDir, 'dist', 'entry.mjs'), `--isa-shim=${selector}`, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, ISA_RUNTIME: 'node' },
  });
  if (r.error) throw new Error(`cannot run node for ${selector}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`node ${selector} failed: ${r.stderr.trim().split('\n')[0] ?? r.status}`);
  return r.stdout;
}

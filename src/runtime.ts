// Where isa-shim is installed and which runtime runs it. The compiled fast executable (Bun) cannot
// load node_modules packages from disk, so the rare paths that need one (the iced-x86 code audit)
// run on Node.js from the same install: see runOnNode().
import { join } from 'node:path';
import { EXIT, ShimError } from './exit-codes.js';
import { endLike, runTool } from './exec/run.js';

let installDir: string | undefined;

export function setInstallDir(dir: string): void {
  installDir = dir;
}

export function getInstallDir(): string | undefined {
  return installDir;
}

/** The same call on Node.js from this install: `node dist/entry.mjs --isa-shim=<selector> ARGS`. */
export function nodeCall(
  selector: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
  if (!installDir) throw new ShimError('cannot find the Node.js entry point of this install', EXIT.INTERNAL);
  return {
    file: 'node',
    args: [join(installDir, 'dist', 'entry.mjs'), `--isa-shim=${selector}`, ...args],
    env: { ...env, ISA_RUNTIME: 'node' },
  };
}

/** Hands this whole call to Node.js (stdio, status and signals as with any real tool) and ends like it. */
export async function execOnNode(selector: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<never> {
  const c = nodeCall(selector, args, env);
  endLike(await runTool(c.file, c.args, c.env));
}

/** Runs `isa-shim` internals on Node.js from this install; returns stdout (throws on failure). */
export async function runOnNode(selector: string, args: readonly string[]): Promise<string> {
  const c = nodeCall(selector, args);
  // Imported here: loading node:child_process costs the compiled runtime milliseconds per call.
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(c.file, c.args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: c.env });
  if (r.error) throw new Error(`cannot run node for ${selector}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`node ${selector} failed: ${r.stderr.trim().split('\n')[0] ?? r.status}`);
  return r.stdout;
}

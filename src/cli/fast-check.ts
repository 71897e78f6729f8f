// `isa-shim check` on the compiled runtime: the command people run over whole trees (/usr/lib, a
// headers package) starts in milliseconds instead of Node's ~100. It serves only what needs no
// Node.js package: settings from the cache and no code audit; anything else re-runs on Node.js.
import { join } from 'node:path';
import { cachedSettings } from '../config/cached.js';
import { endLike, runTool } from '../exec/run.js';
import { getInstallDir } from '../runtime.js';
import { failAndExit } from './fail.js';

async function onNode(argv: readonly string[]): Promise<never> {
  const dir = getInstallDir() ?? '.';
  endLike(await runTool('node', [join(dir, 'dist', 'entry.mjs'), '--isa-shim=cli', 'check', ...argv], { ...process.env, ISA_RUNTIME: 'node' }));
}

export async function fastCheck(argv: readonly string[]): Promise<void> {
  const debug = !!process.env.ISA_DEBUG && process.env.ISA_DEBUG !== '0';
  try {
    const needsNode = argv.some((a) => a === '--code' || a === '--help' || a === '-h');
    const s = needsNode ? undefined : cachedSettings({ env: process.env, cwd: process.cwd() });
    if (!s) return await onNode(argv);
    const { checkCommand } = await import('./commands/check.js');
    process.exitCode = await checkCommand(argv, { level: s.level.value, levelOrigin: s.level.origin, allow: s.allow.value });
  } catch (err) {
    failAndExit('isa-shim', err, debug);
  }
}

// `isa-shim check` on the compiled runtime: the command people run over whole trees (/usr/lib, a
// headers package) starts in milliseconds instead of Node's ~100. It serves only what needs no
// Node.js package: settings from the cache and no code audit; anything else re-runs on Node.js.
import { cachedSettings } from '../config/cached.js';
import { execOnNode } from '../runtime.js';
import { debugRequested, failAndExit } from './fail.js';

export async function fastCheck(argv: readonly string[]): Promise<void> {
  const debug = debugRequested(process.env);
  try {
    const needsNode = argv.some((a) => a === '--code' || a === '--help' || a === '-h');
    const s = needsNode ? undefined : cachedSettings({ env: process.env, cwd: process.cwd() });
    if (!s) return await execOnNode('cli', ['check', ...argv]);
    const { checkCommand } = await import('./commands/check.js');
    process.exitCode = await checkCommand(argv, { level: s.level.value, levelOrigin: s.level.origin, allow: s.allow.value });
  } catch (err) {
    failAndExit('isa-shim', err, debug);
  }
}

// Entry of the bundled wrappers (dist/wrapper.mjs): bin/isa-hostcc, bin/isa-hostcxx and bin/isa-hostld
// each call main() with their kind.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ToolKind } from '../exec/find-tool.js';
import { failAndExit } from './fail.js';
import { PROG, runWrapper, selfPathsFrom } from './wrapper.js';
import { hostLevel } from './host-level.js';

export async function main(kind: ToolKind): Promise<void> {
  const debug = !!process.env.ISA_DEBUG && process.env.ISA_DEBUG !== '0';
  try {
    const here = dirname(fileURLToPath(import.meta.url));
    const selfPaths = selfPathsFrom(join(here, '..', 'bin'), [process.argv[1] ?? '']);
    await runWrapper({
      kind,
      argv: process.argv.slice(2),
      env: process.env,
      cwd: process.cwd(),
      selfPaths,
      hostLevel,
    });
  } catch (err) {
    failAndExit(PROG[kind], err, debug);
  }
}

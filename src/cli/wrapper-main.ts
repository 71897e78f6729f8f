// isa-hostcc / isa-hostcxx / isa-hostld: the process edge around runWrapper.
import type { ToolKind } from '../exec/find-tool.js';
import { failAndExit } from './fail.js';
import { PROG, runWrapper, selfPathsFrom } from './wrapper.js';
import { hostLevel } from './host-level.js';

export async function main(kind: ToolKind, argv: readonly string[], binDir: string): Promise<void> {
  const debug = !!process.env.ISA_DEBUG && process.env.ISA_DEBUG !== '0';
  try {
    await runWrapper({
      kind,
      argv,
      env: process.env,
      cwd: process.cwd(),
      selfPaths: selfPathsFrom(binDir, [process.execPath.endsWith('isa-shim-fast') ? process.execPath : '']),
      hostLevel,
    });
  } catch (err) {
    failAndExit(PROG[kind], err, debug);
  }
}

// The seam between a finished link and make: what the wrappers do with a linked output.
// The verification issue fills this in (note check, code audit, fix/error/warn policy).
import type { Settings } from '../settings.js';
import type { Step } from '../args/classify.js';

export interface LinkedOutput {
  readonly output: string;
  readonly step: Step;
  readonly settings: Settings;
  /** The final argv given to the real tool (after rewriting), for naming the inputs that raised it. */
  readonly args: readonly string[];
  readonly tool: { readonly file: string; readonly prefixArgs: readonly string[] };
  readonly prog: string;
  readonly cwd: string;
}

export interface VerifyOutcome {
  /** 0 to hand the output to make; otherwise the wrapper's exit status. */
  readonly exitCode: number;
  /** One line for stderr, when something must be said. */
  readonly message?: string;
  /** For ISA_DEBUG / ISA_LOG. */
  readonly summary?: string;
}

export async function verifyLinkedOutput(_out: LinkedOutput): Promise<VerifyOutcome> {
  return { exitCode: 0, summary: 'not verified (verification not built yet)' };
}

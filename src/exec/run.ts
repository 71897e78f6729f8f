// Runs the real tool with stdin, stdout and stderr inherited and its exit status passed through.
// Signals that reach the wrapper are forwarded; a child killed by a signal makes the wrapper end by
// the same signal, so make sees exactly what it would have seen without us.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { EXIT, ShimError } from '../exit-codes.js';

export type ToolOutcome =
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'signaled'; readonly signal: NodeJS.Signals };

const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

export function runTool(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ToolOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: 'inherit', env });
    const handlers = new Map<NodeJS.Signals, () => void>();
    for (const sig of FORWARDED) {
      const h = (): void => {
        try {
          child.kill(sig);
        } catch {
          // already gone
        }
      };
      handlers.set(sig, h);
      process.on(sig, h);
    }
    const cleanup = (): void => {
      for (const [sig, h] of handlers) process.off(sig, h);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      cleanup();
      if (err.code === 'ENOENT') reject(new ShimError(`${file}: not found`, EXIT.NOT_FOUND));
      else if (err.code === 'EACCES' || err.code === 'ENOEXEC') reject(new ShimError(`${file}: not executable (${err.code})`, EXIT.NOT_EXECUTABLE));
      else reject(new ShimError(`${file}: cannot run (${err.code ?? err.message})`, EXIT.NOT_EXECUTABLE));
    });
    child.on('exit', (code, signal) => {
      cleanup();
      if (signal) resolve({ kind: 'signaled', signal });
      else resolve({ kind: 'exited', code: code ?? 0 });
    });
  });
}

/** Ends this process the way the child ended: same exit code, or killed by the same signal. */
export function endLike(outcome: ToolOutcome): never {
  if (outcome.kind === 'signaled') {
    for (const sig of FORWARDED) process.removeAllListeners(sig);
    process.kill(process.pid, outcome.signal);
    // Only reached if the signal's default action did not end us: exit as a shell reports it.
    process.exit(128 + (constants.signals[outcome.signal] ?? 1));
  }
  process.exit(outcome.code);
}

// Runs the real tool with stdin, stdout and stderr inherited and its exit status passed through.
// Signals that reach the wrapper are forwarded; a child killed by a signal makes the wrapper end by
// the same signal, so make sees exactly what it would have seen without us.
//
// On the compiled (Bun) runtime the tool is started with Bun.spawn: Bun's node:child_process layer
// costs ~20 ms to load, more than the rest of a wrapped call. Node.js uses child_process.
import { constants } from 'node:os';
import { EXIT, ShimError } from '../exit-codes.js';

export type ToolOutcome =
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'signaled'; readonly signal: NodeJS.Signals };

const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

interface Child {
  kill(sig: NodeJS.Signals): void;
}

function forwardSignals(child: Child): () => void {
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
  releaseHeld((sig) => child.kill(sig));
  return () => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };
}

function spawnError(file: string, code: string | undefined, message: string): ShimError {
  if (code === 'ENOENT') return new ShimError(`${file}: not found`, EXIT.NOT_FOUND);
  if (code === 'EACCES' || code === 'ENOEXEC') return new ShimError(`${file}: not executable (${code})`, EXIT.NOT_EXECUTABLE);
  return new ShimError(`${file}: cannot run (${code ?? message})`, EXIT.NOT_EXECUTABLE);
}

declare const Bun: {
  spawn(cmd: string[], opts: { stdio: ['inherit', 'inherit', 'inherit']; env: NodeJS.ProcessEnv }): {
    exited: Promise<number>;
    signalCode: NodeJS.Signals | null;
    kill(sig: NodeJS.Signals): void;
  };
} | undefined;

async function runWithBun(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ToolOutcome> {
  let child;
  try {
    child = Bun!.spawn([file, ...args], { stdio: ['inherit', 'inherit', 'inherit'], env });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw spawnError(file, e.code, e.message);
  }
  const stop = forwardSignals(child);
  const code = await child.exited;
  stop();
  return child.signalCode ? { kind: 'signaled', signal: child.signalCode } : { kind: 'exited', code };
}

async function runWithNode(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ToolOutcome> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: 'inherit', env });
    const stop = forwardSignals(child);
    child.on('error', (err: NodeJS.ErrnoException) => {
      stop();
      reject(spawnError(file, err.code, err.message));
    });
    child.on('exit', (code, signal) => {
      stop();
      if (signal) resolve({ kind: 'signaled', signal });
      else resolve({ kind: 'exited', code: code ?? 0 });
    });
  });
}

// Between the call and the child's forwarding handlers (an await, the spawn itself) a signal would
// otherwise take its default action: the wrapper dies, the child runs on orphaned and the temporary
// response file stays. Signals are held from the start of runTool and replayed to the child.
let held: { readonly sigs: NodeJS.Signals[]; readonly stop: () => void } | undefined;

function holdSignals(): void {
  const sigs: NodeJS.Signals[] = [];
  const h = (sig: NodeJS.Signals): void => void sigs.push(sig);
  for (const sig of FORWARDED) process.on(sig, h);
  held = { sigs, stop: () => FORWARDED.forEach((sig) => process.off(sig, h)) };
}

function releaseHeld(to: (sig: NodeJS.Signals) => void): void {
  const h = held;
  held = undefined;
  if (!h) return;
  h.stop();
  for (const sig of h.sigs) {
    try {
      to(sig);
    } catch {
      // already gone
    }
  }
}

export function runTool(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ToolOutcome> {
  holdSignals();
  const run = typeof Bun !== 'undefined' ? runWithBun(file, args, env) : runWithNode(file, args, env);
  return run.finally(() => releaseHeld(() => undefined));
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

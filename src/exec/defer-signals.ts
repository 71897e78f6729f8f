// Holds off SIGINT/SIGTERM/SIGHUP/SIGQUIT while a step that must not be cut short runs (the
// verify/repair of a linked output writes a temporary file and renames it over the output): a
// signal that arrives meanwhile is remembered, and once the step is done (renamed or cleaned up)
// the process ends by that same signal, exactly as it would have without the delay.
const DEFERRED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

export async function withSignalsDeferred<T>(step: () => Promise<T>): Promise<T> {
  let got: NodeJS.Signals | undefined;
  const handlers = DEFERRED.map((sig) => {
    const h = (): void => {
      got ??= sig;
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  let result: T;
  try {
    result = await step();
  } finally {
    // A signal that came during synchronous work is still in the event loop's queue: let it in.
    await tick();
    await tick();
    for (const [sig, h] of handlers) process.off(sig, h);
    if (got) {
      for (const sig of DEFERRED) process.removeAllListeners(sig);
      process.kill(process.pid, got);
    }
  }
  return result;
}

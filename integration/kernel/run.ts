// Process running for the kernel harness: every command's output goes to a log file in the
// cache dir (never to the terminal), and the caller gets the status, timing and captured text.
import { spawn } from 'node:child_process';
import { appendFileSync, openSync, closeSync, writeSync } from 'node:fs';

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  readonly timedOut: boolean;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Appends the command line, stdout and stderr here. */
  readonly log?: string;
  readonly timeoutMs?: number;
  readonly input?: string | Buffer;
  /** Captured text is capped (make writes megabytes); the log has everything. */
  readonly captureLimit?: number;
}

/** Quotes a command for logs and reports (POSIX shell style). */
export function shellQuote(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new Error('run: empty command');
  const limit = opts.captureLimit ?? 1 << 20;
  const logFd = opts.log ? openSync(opts.log, 'a') : undefined;
  if (logFd !== undefined) {
    writeSync(logFd, `\n$ ${opts.cwd ? `(cd ${opts.cwd} && ` : ''}${shellQuote(argv)}${opts.cwd ? ')' : ''}\n`);
  }
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true, // own process group, so a timeout can end make and everything it started
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const take = (which: 'out' | 'err') => (chunk: Buffer) => {
      if (logFd !== undefined) writeSync(logFd, chunk);
      if (which === 'out') {
        if (stdout.length < limit) stdout += chunk.toString('utf8');
      } else if (stderr.length < limit) stderr += chunk.toString('utf8');
    };
    child.stdout?.on('data', take('out'));
    child.stderr?.on('data', take('err'));
    const timer =
      opts.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            try {
              if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
            } catch {
              /* already gone */
            }
          }, opts.timeoutMs)
        : undefined;
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      if (logFd !== undefined) closeSync(logFd);
      reject(err);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const ms = Date.now() - started;
      if (logFd !== undefined) {
        writeSync(logFd, `[exit ${code ?? signal}${timedOut ? ', timed out' : ''} after ${ms} ms]\n`);
        closeSync(logFd);
      }
      resolve({ code, signal, stdout, stderr, ms, timedOut });
    });
    if (opts.input !== undefined && child.stdin) {
      child.stdin.on('error', () => {
        /* the tool may exit before reading all its input */
      });
      child.stdin.end(opts.input);
    }
  });
}

/** Runs and throws with the first error line when the command fails. */
export async function runOk(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await run(argv, opts);
  if (r.code !== 0) {
    const first = firstErrorLine(`${r.stderr}\n${r.stdout}`) ?? `exit ${r.code ?? r.signal}`;
    throw new Error(`${shellQuote(argv)} failed: ${first}${opts.log ? ` (log: ${opts.log})` : ''}`);
  }
  return r;
}

export function appendLog(path: string, text: string): void {
  appendFileSync(path, text.endsWith('\n') ? text : `${text}\n`);
}

const ERROR_PATTERNS: readonly RegExp[] = [
  /CPU ISA level is lower than required/,
  /uncaught target signal/,
  /Illegal instruction/,
  /cannot load plugin/,
  /\berror\b/i,
  /undefined reference/,
  /No such file or directory/,
  /Segmentation fault/,
];

/** The first line of a log that looks like the cause of a failure (not make's own summary lines). */
export function firstErrorLine(text: string): string | undefined {
  const lines = text.split('\n');
  for (const line of lines) {
    const t = line.trim();
    if (!t || /^make(\[\d+\])?: /.test(t)) continue;
    if (ERROR_PATTERNS.some((re) => re.test(t))) return t.length > 300 ? `${t.slice(0, 300)}...` : t;
  }
  const makeLine = lines.find((l) => /^make(\[\d+\])?: \*\*\*/.test(l.trim()));
  return makeLine?.trim();
}

/** The make target whose recipe failed first: `make[2]: *** [Makefile.host:112: scripts/basic/fixdep] Error 1`. */
export function failedMakeTarget(text: string): string | undefined {
  const m = /^make(?:\[\d+\])?: \*\*\* \[(?:[^\]:]*:\d+: )?([^\]]+)\] (?:Error|Segmentation|Illegal)/m.exec(text);
  return m?.[1];
}

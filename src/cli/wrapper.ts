// isa-hostcc, isa-hostcxx and isa-hostld: resolve settings, rewrite the call, run the real tool,
// verify what it linked. Silent unless ISA_DEBUG is set or something fails, because Kconfig and
// autoconf probes parse the compiler's output.
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { realPath } from '../sys/fs.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  expandResponseFiles,
  formatResponseText,
  LINK_STEPS,
  ResponseFileError,
  rewriteDriverArgs,
  rewriteLinkerArgs,
  type Rewrite,
  type Step,
} from '../args/index.js';
import { EXIT, ShimError } from '../exit-codes.js';
import { findTool, type ToolKind } from '../exec/find-tool.js';
import { endLike, runTool, type ToolOutcome } from '../exec/run.js';
import { levelName, type Level } from '../level.js';
import { cachedSettings } from '../config/cached.js';
import { execOnNode } from '../runtime.js';
import type { Settings } from '../settings.js';

const DEPTH_VAR = 'ISA_SHIM_DEPTH';
/** isa-hostcc -> gcc -> collect2 -> isa-hostld is a legitimate depth of 2; a loop goes on forever. */
const MAX_DEPTH = 4;

export const PROG: Readonly<Record<ToolKind, string>> = { cc: 'isa-hostcc', cxx: 'isa-hostcxx', ld: 'isa-hostld' };

export interface WrapperEnv {
  readonly kind: ToolKind;
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Real paths of isa-shim's own executables, never to be run as the real tool. */
  readonly selfPaths: ReadonlySet<string>;
  readonly hostLevel: () => Level;
}

/** Real paths of our executables: every wrapper name and isa-shim in each of `dirs`, and `extra`. */
export function selfPathsFrom(dirs: readonly string[], extra: readonly string[]): Set<string> {
  const out = new Set<string>();
  const names = [...Object.values(PROG), 'isa-shim'];
  for (const p of [...dirs.flatMap((d) => names.map((n) => join(d, n))), ...extra]) {
    try {
      out.add(realPath(p));
    } catch {
      // not installed in this layout
    }
  }
  return out;
}

/** Response files whose bytes are not UTF-8: rewriting them would hand on U+FFFD instead of the bytes. */
const nonUtf8Responses: string[] = [];

function readResponse(path: string): string | undefined {
  let bytes;
  try {
    bytes = readFileSync(path);
  } catch {
    return undefined;
  }
  const text = bytes.toString('utf8');
  if (text.includes('\uFFFD') && !Buffer.from(text, 'utf8').equals(bytes)) nonUtf8Responses.push(path);
  return text;
}

function quoteForLog(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

function formatRewrites(rewrites: readonly Rewrite[]): string {
  return rewrites
    .map((r) => `${r.from.length ? r.from.join(' ') : '(added)'} -> ${r.to.length ? r.to.join(' ') : '(removed)'}: ${r.reason}`)
    .join('; ');
}

interface Plan {
  readonly step: Step;
  readonly output: string | undefined;
  readonly finalArgs: readonly string[];
  readonly rewrites: readonly Rewrite[];
  readonly usedResponseFile: boolean;
}

function plan(kind: ToolKind, argv: readonly string[], level: Level, hostLevel: () => Level): Plan {
  let expanded;
  try {
    expanded = expandResponseFiles(argv, readResponse);
  } catch (err) {
    if (err instanceof ResponseFileError) throw new ShimError(err.message, EXIT.BAD_INPUT);
    throw err;
  }
  const ctx = { level, hostLevel };
  const r = kind === 'ld' ? rewriteLinkerArgs(expanded.args, ctx) : rewriteDriverArgs(expanded.args, ctx);
  return {
    step: r.info.step,
    output: r.info.output,
    finalArgs: r.args,
    rewrites: r.rewrites,
    usedResponseFile: expanded.usedResponseFile,
  };
}

declare const __ISA_COMPILED__: boolean;

/**
 * ISA_PROFILE=1: one stderr line per call with the milliseconds spent in each phase since the
 * process started (start = runtime start-up and module load). What bench/ reads to attribute cost.
 */
function phaseClock(env: NodeJS.ProcessEnv): ((label: string) => void) & { report(prog: string): void } {
  const on = !!env.ISA_PROFILE && env.ISA_PROFILE !== '0';
  const marks: Array<[string, number]> = [];
  const mark = ((label: string): void => {
    if (on) marks.push([label, performance.now()]);
  }) as ((label: string) => void) & { report(prog: string): void };
  mark.report = (prog: string): void => {
    if (!on || marks.length === 0) return;
    let prev = 0;
    const parts = marks.map(([l, t]) => {
      const d = t - prev;
      prev = t;
      return `${l}=${d.toFixed(2)}`;
    });
    process.stderr.write(`${prog}: profile ms ${parts.join(' ')}\n`);
  };
  return mark;
}

export async function runWrapper(w: WrapperEnv): Promise<never> {
  const P = phaseClock(w.env);
  P('start');
  const prog = PROG[w.kind];
  const depth = Number(w.env[DEPTH_VAR] ?? '0') || 0;
  if (depth >= MAX_DEPTH) {
    throw new ShimError(
      `called itself ${depth} times (${DEPTH_VAR}=${depth}): the real tool resolves back to isa-shim; set ${
        w.kind === 'ld' ? 'ISA_HOSTLD' : w.kind === 'cxx' ? 'ISA_HOSTCXX' : 'ISA_HOSTCC'
      } to the real one`,
      EXIT.RECURSION,
    );
  }
  let settings: Settings;
  if (__ISA_COMPILED__) {
    // The compiled runtime answers only from the settings cache: a miss (first call, changed
    // config) needs the config parsers, so that one call runs on Node.js, which refills the cache.
    // ISA_RUNTIME=node reaches here when the executable is called by a wrapper's name (dist/bin/).
    const cached = w.env['ISA_RUNTIME'] === 'node' ? undefined : cachedSettings({ env: w.env, cwd: w.cwd });
    if (!cached) return execOnNode(w.kind, w.argv, w.env);
    settings = cached;
  } else {
    const { resolveSettings } = await import('../config/index.js');
    settings = resolveSettings({ env: w.env, cwd: w.cwd });
  }
  P('settings');
  const level = settings.level.value;
  const p = plan(w.kind, w.argv, level, w.hostLevel);
  P('plan');
  const configured = settings[w.kind];
  const tool = findTool(
    w.kind,
    configured.value ? { words: configured.value, origin: configured.origin } : undefined,
    w.selfPaths,
    w.env.PATH,
  );

  P('find-tool');
  // Nothing changed: hand on the original argv, response files and all, byte for byte.
  const changed = p.rewrites.length > 0;
  let rspPath: string | undefined;
  let toolArgs: readonly string[];
  if (!changed) toolArgs = w.argv;
  else if (p.usedResponseFile) {
    if (nonUtf8Responses.length > 0) {
      throw new ShimError(`response file ${nonUtf8Responses[0]} is not valid UTF-8; isa-shim cannot rewrite it without changing its bytes`, EXIT.BAD_INPUT);
    }
    rspPath = join(tmpdir(), `isa-shim-${process.pid}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.rsp`);
    writeFileSync(rspPath, formatResponseText(p.finalArgs), { mode: 0o600 });
    toolArgs = [`@${rspPath}`];
  } else toolArgs = p.finalArgs;
  const fullArgs = [...tool.prefixArgs, ...toolArgs];

  if (settings.debug.value) {
    process.stderr.write(
      `${prog}: ${p.step} at ${levelName(level)} (${settings.level.origin}): ${w.argv.map(quoteForLog).join(' ')} => ${[
        tool.file,
        ...tool.prefixArgs,
        ...p.finalArgs,
      ]
        .map(quoteForLog)
        .join(' ')}${changed ? ` [${formatRewrites(p.rewrites)}]` : ''}\n`,
    );
  }

  const childEnv = { ...w.env, [DEPTH_VAR]: String(depth + 1) };
  let outcome: ToolOutcome;
  P('spawn');
  try {
    outcome = await runTool(tool.file, fullArgs, childEnv);
  } finally {
    if (rspPath) rmSync(rspPath, { force: true });
  }

  P('tool');
  let verifySummary: string | undefined;
  if (outcome.kind === 'exited' && outcome.code === 0 && LINK_STEPS.has(p.step) && p.output !== undefined) {
    // Loaded only after a link: compiles, preprocesses and probes never evaluate the ELF reader.
    const { verifyLinkedOutput } = await import('../verify/index.js');
    const output = p.output;
    const v = await verifyLinkedOutput({
      output,
      step: p.step,
      kind: w.kind,
      settings,
      args: p.finalArgs,
      tool,
      prog,
      cwd: w.cwd,
    });
    verifySummary = v.summary;
    if (v.message) process.stderr.write(`${prog}: ${v.message}\n`);
    if (v.exitCode !== 0) outcome = { kind: 'exited', code: v.exitCode };
  }

  if (verifySummary !== undefined) P('verify');
  P.report(prog);
  const log = settings.log.value;
  if (log) {
    const line = JSON.stringify({
      time: new Date().toISOString(),
      prog,
      // Which runtime served the call: the compiled executable answers from the settings cache, a
      // miss (or ISA_RUNTIME=node) runs on Node.js.
      runtime: __ISA_COMPILED__ ? 'compiled' : 'node',
      pid: process.pid,
      cwd: w.cwd,
      step: p.step,
      level: levelName(level),
      levelOrigin: settings.level.origin,
      tool: tool.file,
      argv: w.argv,
      final: [...tool.prefixArgs, ...p.finalArgs],
      rewrites: p.rewrites,
      output: p.output,
      verify: verifySummary,
      status: outcome.kind === 'exited' ? outcome.code : outcome.signal,
    });
    try {
      // One write of one whole line: O_APPEND keeps lines from `make -j` whole.
      appendFileSync(log, line + '\n');
    } catch (err) {
      process.stderr.write(`${prog}: cannot write log ${log}: ${(err as NodeJS.ErrnoException).code ?? err}\n`);
    }
  }
  endLike(outcome);
}

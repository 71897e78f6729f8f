// The kernel end-to-end harness: for each leaky variant, build the kernel's host tools with plain
// compilers ("before") and through the shim ("after"), judge every host ELF (note, code, a real
// job under qemu Nehalem), then build an out-of-tree module DKMS-style with all tools under qemu.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNote, scanCode, type CodeScan, type NoteInfo } from './inspect.js';
import { prepareJobInputs, runJob, type JobInputs, type JobOutcome } from './jobs.js';
import { buildModuleUnderNehalem, ensureReferenceModule, type ModuleOutcome } from './module.js';
import { acquireCache } from './lock.js';
import { renderReport } from './report.js';
import { failedMakeTarget, firstErrorLine, run } from './run.js';
import {
  CACHE, JOBS, LOGS, REPORT, REPORT_JSON, SHIM, SRCTREE, WORK, objdirOf, selectedModes, selectedVariants, toolsFor,
  type Family, type Mode, type Variant,
} from './setup.js';
import { cleanHostTools, ensureConfigured, ensureSource, ensureStampedCrt, listHostElves } from './tree.js';

export interface ToolResult {
  readonly id: string;
  readonly path: string;
  readonly present: boolean;
  readonly note?: NoteInfo;
  readonly code?: CodeScan;
  readonly job?: JobOutcome;
  readonly error?: string;
}

export interface ModeResult {
  readonly mode: Mode;
  readonly buildOk: boolean;
  readonly buildMs: number;
  /** First error line and failing make target when the build failed. */
  readonly buildError?: string;
  readonly buildLog: string;
  readonly command: string;
  readonly tools: readonly ToolResult[];
  /** Host ELFs found that the tool table does not know (reported, judged by note and code only). */
  readonly extras: readonly ToolResult[];
  readonly jobsMs: number;
  readonly module?: ModuleOutcome;
  /** Wrapped calls logged by ISA_LOG (after mode). */
  readonly shimCalls?: number;
  /** The levels the shim used, with where each came from (after mode). */
  readonly shimLevels?: readonly string[];
  /** Verification outcomes of linked outputs by their first word (PASS, FIXED, ...), with counts. */
  readonly shimVerify?: Readonly<Record<string, number>>;
  readonly shimLog?: string;
}

export interface VariantResult {
  readonly variant: Variant;
  readonly modes: Partial<Record<Mode, ModeResult>>;
}

export interface HarnessResult {
  readonly variants: readonly VariantResult[];
  readonly setup: { unpackMs: number; unpacked: boolean; configure: Record<string, { configured: boolean; ms: number }> };
  readonly totalMs: number;
  readonly report: string;
  readonly reportPath: string;
  readonly shimProblem?: string;
}

export type Progress = (line: string) => void;

function cleanEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('ISA_') || /^(MAKEFLAGS|MFLAGS|MAKELEVEL|MAKEOVERRIDES|KBUILD_\w+|HOSTCC|HOSTCXX|HOSTLD|CC|LLVM)$/.test(k)) continue;
    env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

/** Checks that the shim wrappers are built and answer; returns a problem or undefined. */
export async function shimProblem(): Promise<string | undefined> {
  for (const p of Object.values(SHIM)) {
    if (!existsSync(p)) return `${p} is missing`;
  }
  const r = await run([SHIM.cc, '--version'], { env: cleanEnv({}), timeoutMs: 60_000 });
  if (r.code !== 0) return `${SHIM.cc} --version failed (exit ${r.code ?? r.signal}): ${(r.stderr || r.stdout).split('\n')[0]} — run npm run build`;
  return undefined;
}

async function buildHostTools(variant: Variant, mode: Mode, log: string, shimLog: string, crtDir: string) {
  const objdir = objdirOf(variant.family);
  const { make, env } = variant.build(mode, { stampedCrtDir: crtDir, shimLog });
  const base = ['make', '-C', SRCTREE, `O=${objdir}`, `-j${JOBS}`, ...make];
  const runEnv = cleanEnv(env);
  const command = `${Object.entries(env).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}='${v}'`).join(' ')} ${base.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')} modules_prepare`.trim();
  const started = Date.now();
  // olddefconfig rebuilds conf (and fixdep) with this variant's compilers; the .config does not change.
  let r = await run([...base, 'olddefconfig'], { env: runEnv, log, timeoutMs: 900_000 });
  if (r.code === 0) r = await run([...base, 'modules_prepare'], { env: runEnv, log, timeoutMs: 1_200_000 });
  const ms = Date.now() - started;
  if (r.code === 0) return { ok: true, ms, command };
  const text = `${r.stderr}\n${r.stdout}`;
  const first = firstErrorLine(r.stderr) ?? firstErrorLine(text) ?? `make exit ${r.code ?? r.signal}`;
  const target = failedMakeTarget(text);
  return { ok: false, ms, command, error: `${first}${target ? ` [make target ${target}]` : ''}${r.timedOut ? ' (timed out)' : ''}` };
}

async function judgeTools(variant: Variant, mode: Mode, inputs: JobInputs, refModule: string | undefined, log: string) {
  const objdir = objdirOf(variant.family);
  const tools: ToolResult[] = [];
  const started = Date.now();
  for (const t of toolsFor(variant.family)) {
    const path = join(objdir, t.path);
    if (!existsSync(path)) {
      tools.push({ id: t.id, path: t.path, present: false });
      continue;
    }
    try {
      const note = await readNote(path);
      const code = await scanCode(path);
      const job = await runJob(t.id, {
        family: variant.family,
        inputs,
        dir: join(WORK, 'jobs', `${variant.id}-${mode}`, t.id.replace(/\//g, '_')),
        tool: path,
        log,
        refModule,
      });
      tools.push({ id: t.id, path: t.path, present: true, note, code, job });
    } catch (e) {
      tools.push({ id: t.id, path: t.path, present: true, error: (e as Error).message });
    }
  }
  const known = new Set(toolsFor(variant.family).map((t) => t.path));
  const extras: ToolResult[] = [];
  for (const rel of listHostElves(variant.family)) {
    if (known.has(rel)) continue;
    const path = join(objdir, rel);
    try {
      extras.push({ id: rel, path: rel, present: true, note: await readNote(path), code: await scanCode(path) });
    } catch (e) {
      extras.push({ id: rel, path: rel, present: true, error: (e as Error).message });
    }
  }
  return { tools, extras, jobsMs: Date.now() - started };
}

/** Summarises the shim's ISA_LOG: number of calls, levels used (with origin), verification outcomes. */
export function summariseShimLog(path: string): { calls: number; levels: string[]; verify: Record<string, number> } | undefined {
  if (!existsSync(path)) return undefined;
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  const levels = new Set<string>();
  const verify: Record<string, number> = {};
  for (const line of lines) {
    let j: Record<string, unknown>;
    try {
      j = JSON.parse(line) as Record<string, unknown>;
    } catch {
      verify['unparsable log line'] = (verify['unparsable log line'] ?? 0) + 1;
      continue;
    }
    if (typeof j['level'] === 'string') levels.add(`${j['level']}${typeof j['levelOrigin'] === 'string' ? ` (${j['levelOrigin']})` : ''}`);
    if (typeof j['verify'] === 'string') {
      const k = /^[A-Za-z]+/.exec(j['verify'])?.[0] ?? j['verify'];
      verify[k] = (verify[k] ?? 0) + 1;
    }
  }
  return { calls: lines.length, levels: [...levels], verify };
}

export async function runVariantMode(
  variant: Variant, mode: Mode, inputs: JobInputs, crtDir: string, progress: Progress,
): Promise<ModeResult> {
  const tag = `${variant.n}-${variant.id}-${mode}`;
  const log = join(LOGS, `${tag}.log`);
  const shimLog = join(LOGS, `${tag}.shim.jsonl`);
  rmSync(log, { force: true });
  rmSync(shimLog, { force: true });
  const removed = cleanHostTools(variant.family);
  progress(`[${tag}] removed ${removed} host-tool outputs; building (log: ${log})`);
  const b = await buildHostTools(variant, mode, log, shimLog, crtDir);
  progress(`[${tag}] build ${b.ok ? 'ok' : `FAILED: ${b.error}`} in ${(b.ms / 1000).toFixed(1)} s`);
  const refModule = await ensureReferenceModule(variant.family, join(WORK, `reference-module-${variant.family}`), join(LOGS, `reference-module-${variant.family}.log`));
  const { tools, extras, jobsMs } = await judgeTools(variant, mode, inputs, refModule, log);
  const bad = tools.filter((t) => t.present && !t.job?.ok).map((t) => t.id);
  progress(`[${tag}] ${tools.filter((t) => t.present).length} tools judged in ${(jobsMs / 1000).toFixed(1)} s; failing on Nehalem: ${bad.join(', ') || 'none'}`);
  let module: ModuleOutcome | undefined;
  if (b.ok || tools.some((t) => t.present)) {
    module = await buildModuleUnderNehalem({
      family: variant.family,
      dir: join(WORK, 'modules', tag),
      log: join(LOGS, `${tag}.module.log`),
      cc1Wrapper: inputs.cc1Wrapper,
      key: inputs.key,
    });
    progress(`[${tag}] module build under Nehalem: ${module.ok ? 'ok' : `FAILED: ${module.detail}`} (${(module.ms / 1000).toFixed(1)} s)`);
  }
  const shim = mode === 'after' ? summariseShimLog(shimLog) : undefined;
  return {
    mode,
    buildOk: b.ok,
    buildMs: b.ms,
    buildError: b.error,
    buildLog: log,
    command: b.command,
    tools,
    extras,
    jobsMs,
    module,
    shimCalls: shim?.calls,
    shimLevels: shim?.levels,
    shimVerify: shim?.verify,
    shimLog: mode === 'after' ? shimLog : undefined,
  };
}

/** Commands the harness runs besides make and the compilers of each variant. */
const NEEDED_COMMANDS = ['make', 'tar', 'xz', 'gcc', 'g++', 'clang', 'ld.lld', 'llvm-ar', 'readelf', 'objdump', 'pahole',
  'openssl', 'qemu-x86_64', 'flex', 'bison', 'bc'];

async function missingCommands(): Promise<string[]> {
  const out: string[] = [];
  for (const c of NEEDED_COMMANDS) {
    const r = await run(['sh', '-c', `command -v ${c}`]);
    if (r.code !== 0) out.push(c);
  }
  return out;
}

export async function runHarness(progress: Progress = (l) => console.log(l)): Promise<HarnessResult> {
  const missing = await missingCommands();
  if (missing.length) throw new Error(`kernel e2e needs these commands: ${missing.join(' ')}`);
  const release = await acquireCache(Number(process.env['ISA_E2E_LOCK_WAIT_MS'] ?? 25 * 60_000), progress);
  try {
    return await runHarnessLocked(progress);
  } finally {
    release();
  }
}

async function runHarnessLocked(progress: Progress): Promise<HarnessResult> {
  const started = Date.now();
  mkdirSync(LOGS, { recursive: true });
  mkdirSync(WORK, { recursive: true });
  const setupLog = join(LOGS, 'setup.log');
  rmSync(setupLog, { force: true });
  const variants = selectedVariants();
  const modes = selectedModes();
  progress(`kernel e2e: cache ${CACHE}; variants ${variants.map((v) => v.n).join(',')}; modes ${modes.join(',')}`);

  const src = await ensureSource(setupLog);
  progress(`source: ${src.unpacked ? 'unpacked' : 'reused'} ${SRCTREE} (${(src.ms / 1000).toFixed(1)} s)`);
  const configure: Record<string, { configured: boolean; ms: number }> = {};
  const families = [...new Set(variants.map((v) => v.family))] as Family[];
  for (const f of families) {
    configure[f] = await ensureConfigured(f, setupLog);
    progress(`objdir ${objdirOf(f)}: ${configure[f]?.configured ? 'configured' : 'reused'} (${((configure[f]?.ms ?? 0) / 1000).toFixed(1)} s)`);
  }
  const crtDir = join(WORK, 'stamped-crt');
  await ensureStampedCrt(crtDir, setupLog);
  const inputs = await prepareJobInputs(setupLog);
  const problem = modes.includes('after') ? await shimProblem() : undefined;
  if (problem) progress(`shim unavailable: ${problem}`);

  const results: VariantResult[] = [];
  // Group by family so each object dir is used by consecutive builds.
  for (const f of families) {
    for (const v of variants.filter((x) => x.family === f)) {
      const vr: VariantResult = { variant: v, modes: {} };
      results.push(vr);
      for (const m of modes) {
        if (m === 'after' && problem) continue;
        (vr.modes as Record<Mode, ModeResult>)[m] = await runVariantMode(v, m, inputs, crtDir, progress);
      }
    }
  }
  results.sort((a, b) => a.variant.n - b.variant.n);
  const totalMs = Date.now() - started;
  const report = renderReport(results, { totalMs, shimProblem: problem, setup: { src, configure } });
  writeFileSync(REPORT, report);
  writeFileSync(REPORT_JSON, JSON.stringify(results, (k, v) => (k === 'variant' ? { n: v.n, id: v.id, title: v.title, family: v.family, level: v.level } : v), 2));
  return {
    variants: results,
    setup: { unpackMs: src.ms, unpacked: src.unpacked, configure },
    totalMs,
    report,
    reportPath: REPORT,
    shimProblem: problem,
  };
}

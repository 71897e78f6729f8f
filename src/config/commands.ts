// The configuration commands of `isa-shim`: config, detect, env, doctor. Pure-ish functions the
// CLI wires up: each takes its inputs and returns what to print and the exit status.
import { basename, join, resolve } from 'node:path';
import { EXIT, ShimError } from '../exit-codes.js';
import { levelName, type Level } from '../level.js';
import type { Settings, SettingsContext } from '../settings.js';
import { detectHostLevel, type HostLevel } from '../detect/host.js';
import { detectKernelLevel } from '../detect/kernel.js';
import { cacheDir, cacheKey, cachePath } from './cache.js';
import { doctorChecks, type Check, type Runner } from './doctor.js';
import { searchRoots } from './files.js';
import { resolveSettingsDetailed, type ResolveOptions } from './index.js';
import { currentUid } from './trust.js';

export interface CommandResult {
  readonly stdout: string;
  readonly exitCode: number;
}

type Ctx = SettingsContext & Partial<ResolveOptions>;
const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

function showValue(key: keyof Settings, value: unknown): string {
  if (value === undefined) return key === 'cc' || key === 'cxx' || key === 'ld' ? '(search PATH)' : '(none)';
  if (key === 'level') return levelName(value as Level);
  if (Array.isArray(value)) return key === 'allow' ? (value.length ? value.join(', ') : '(none)') : value.join(' ');
  return String(value);
}

/** The search order as directories/stems with their kind, for humans and --json. */
export function explainSearch(ctx: SettingsContext): Array<{ kind: string; where: string }> {
  const env = ctx.env;
  if (env['ISA_NO_CONFIG'] && env['ISA_NO_CONFIG'] !== '0') return [{ kind: 'none', where: 'ISA_NO_CONFIG is set: no file is read' }];
  if (env['ISA_CONFIG']) return [{ kind: 'ISA_CONFIG', where: env['ISA_CONFIG'] }];
  return searchRoots(env, ctx.cwd).map((r) => {
    const first = r.files[0] ?? '';
    return r.kind === 'global'
      ? { kind: r.kind, where: `${first}{,.json,.yaml,.yml,.js,.cjs,.mjs}` }
      : { kind: r.kind, where: join(first, '..') };
  });
}

const SETTING_KEYS: ReadonlyArray<keyof Settings> = ['level', 'levelRequest', 'cc', 'cxx', 'ld', 'onViolation', 'audit', 'allow', 'log', 'debug'];

/** `isa-shim config [--json]`: the effective settings, the origin of each, the file and the search order. */
export function configCommand(ctx: Ctx, opts: { json?: boolean } = {}): CommandResult {
  const r = resolveSettingsDetailed({ ...ctx, warn: ctx.warn ?? (() => {}) });
  const uid = ctx.uid ?? currentUid();
  const dir = ctx.cache === false ? undefined : cacheDir(ctx.env);
  const cacheFile = dir ? cachePath(dir, cacheKey(ctx.env, ctx.cwd, uid, ctx.cpuinfoPath)) : undefined;
  const search = explainSearch(ctx);
  if (opts.json) {
    return {
      stdout: json({
        settings: r.settings, file: r.file ?? null, fileKind: r.fileKind ?? null, refused: r.refused,
        warnings: r.warnings, kernel: r.kernel ?? null, cache: r.cache, cacheFile: cacheFile ?? null, search,
      }),
      exitCode: EXIT.OK,
    };
  }
  const rows = SETTING_KEYS.map((k) => {
    const s = r.settings[k];
    const label = k === 'levelRequest' ? '  requested' : k;
    return [label, showValue(k === 'levelRequest' && typeof s.value !== 'number' ? 'onViolation' : k, s.value), s.origin];
  });
  const w0 = Math.max(...rows.map((x) => x[0]!.length));
  const w1 = Math.max(...rows.map((x) => x[1]!.length));
  const lines = rows.map(([a, b, c]) => `${a!.padEnd(w0)}  ${b!.padEnd(w1)}  ${c}`);
  lines.push('');
  lines.push(`config file: ${r.file ? `${r.file} (${r.fileKind})` : 'none found'}`);
  for (const w of r.warnings) lines.push(`warning: ${w.replace(/^isa-shim: /, '')}`);
  if (r.kernel) lines.push(`kernel: ${r.kernel.detail} in ${r.kernel.file}`);
  lines.push(`cache: ${r.cache}${cacheFile ? ` (${cacheFile})` : ''}`);
  lines.push('search order (first file found wins; ISA_* variables override it):');
  for (const s of search) lines.push(`  ${s.kind.padEnd(10)} ${s.where}`);
  return { stdout: `${lines.join('\n')}\n`, exitCode: EXIT.OK };
}

/** `isa-shim detect [--json]`: host level and the flags behind it, kernel level and symbol, effective level. */
export function detectCommand(ctx: Ctx, opts: { json?: boolean } = {}): CommandResult {
  const host: HostLevel = detectHostLevel(ctx.cpuinfoPath);
  const kernel = detectKernelLevel(ctx.env, ctx.cwd);
  let effective: { value: Level; origin: string } | { error: string };
  let exitCode: number = EXIT.OK;
  try {
    const s = resolveSettingsDetailed({ ...ctx, warn: ctx.warn ?? (() => {}) }).settings;
    effective = { value: s.level.value, origin: s.level.origin };
  } catch (e) {
    if (!(e instanceof ShimError)) throw e;
    effective = { error: e.message };
    exitCode = e.code;
  }
  if (opts.json) {
    return {
      stdout: json({
        host: { level: host.level, name: levelName(host.level), source: host.source, levels: host.levels },
        kernel: kernel.result ?? null,
        kernelProbed: kernel.probed,
        effective,
      }),
      exitCode,
    };
  }
  const lines: string[] = [];
  lines.push(`host:      ${levelName(host.level)} (from ${host.source})`);
  for (const l of host.levels) {
    const mark = l.level <= host.level ? 'yes' : 'no ';
    lines.push(`  ${mark} ${levelName(l.level).padEnd(10)} ${l.present.join(' ')}${l.missing.length ? `  missing: ${l.missing.join(' ')}` : ''}`);
  }
  if (kernel.result) {
    const k = kernel.result;
    lines.push(`kernel:    ${k.level === 'host' ? `host (${levelName(host.level)})` : levelName(k.level)} from ${k.symbol} in ${k.file}`);
    lines.push(`  ${k.detail}`);
  } else {
    lines.push(`kernel:    no kernel configuration found (looked at ${kernel.probed.join(', ')})`);
  }
  if ('error' in effective) lines.push(`effective: error: ${effective.error}`);
  else lines.push(`effective: ${levelName(effective.value)} (${effective.origin})`);
  return { stdout: `${lines.join('\n')}\n`, exitCode };
}

export type Shell = 'sh' | 'fish' | 'make';
export const SHELLS: readonly Shell[] = ['sh', 'fish', 'make'];

function shQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * `isa-shim env [--shell sh|fish|make]`: HOSTCC/HOSTCXX/HOSTLD pointing at the wrappers in
 * `binDir` (the package's bin/, which the CLI resolves from its own location).
 */
export function envCommand(binDir: string, opts: { shell?: string; json?: boolean } = {}): CommandResult {
  const shell = (opts.shell ?? 'sh') as Shell;
  if (!SHELLS.includes(shell)) {
    throw new ShimError(`--shell ${JSON.stringify(opts.shell)}: expected one of ${SHELLS.join(', ')}`, EXIT.BAD_INPUT);
  }
  const vars: Array<[string, string]> = [
    ['HOSTCC', join(binDir, 'isa-hostcc')],
    ['HOSTCXX', join(binDir, 'isa-hostcxx')],
    ['HOSTLD', join(binDir, 'isa-hostld')],
  ];
  if (opts.json) return { stdout: json(Object.fromEntries(vars)), exitCode: EXIT.OK };
  let out: string;
  if (shell === 'make') out = `${vars.map(([k, v]) => `${k}=${shQuote(v)}`).join(' ')}\n`;
  else if (shell === 'fish') out = vars.map(([k, v]) => `set -gx ${k} ${shQuote(v)};\n`).join('');
  else out = vars.map(([k, v]) => `export ${k}=${shQuote(v)};\n`).join('');
  return { stdout: out, exitCode: EXIT.OK };
}

/** `isa-shim doctor [--json]`: toolchain versions and capabilities; exit 1 when a check fails. */
export function doctorCommand(ctx: Ctx, opts: { json?: boolean; run?: Runner } = {}): CommandResult {
  const s = resolveSettingsDetailed({ ...ctx, warn: ctx.warn ?? (() => {}) }).settings;
  const host = detectHostLevel(ctx.cpuinfoPath);
  const tool = (cmd: readonly string[] | undefined, dflt: string): string => (cmd && cmd.length ? cmd[cmd.length - 1]! : dflt);
  const checks: Check[] = doctorChecks({
    level: s.level.value,
    levelOrigin: s.level.origin,
    hostLevel: host.level,
    cc: tool(s.cc.value, 'gcc'),
    ld: tool(s.ld.value, 'ld'),
    ...(opts.run ? { run: opts.run } : {}),
  });
  const failed = checks.some((c) => c.status === 'FAIL');
  const exitCode = failed ? EXIT.FAIL : EXIT.OK;
  if (opts.json) return { stdout: json({ ok: !failed, checks }), exitCode };
  const w = Math.max(...checks.map((c) => c.name.length));
  return { stdout: checks.map((c) => `${c.status.padEnd(4)} ${c.name.padEnd(w)}  ${c.message}\n`).join(''), exitCode };
}

/** For the CLI: the bin/ directory next to a module at `<pkg>/dist/x.mjs` or `<pkg>/src/config/x.ts`. */
export function defaultBinDir(moduleDir: string): string {
  let d = moduleDir;
  for (let i = 0; i < 4; i++) {
    if (basename(d) === 'dist' || basename(d) === 'src') return resolve(d, '..', 'bin');
    d = join(d, '..');
  }
  return resolve(moduleDir, '..', 'bin');
}

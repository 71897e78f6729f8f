// From environment, config file and defaults to Settings, each value with its origin. No cache
// here (see cache.ts): this is the slow, complete path.
import { dirname, resolve as resolvePath } from 'node:path';
import type { Level } from '../level.js';
import { levelName } from '../level.js';
import type { Settings, SettingsContext, Sourced, LevelRequest } from '../settings.js';
import { detectHostLevel } from '../detect/host.js';
import { detectKernelLevel, type KernelLevel } from '../detect/kernel.js';
import { readEnvLayer } from './env.js';
import {
  DEFAULT_JS_TIMEOUT_MS, isJsFile, loadFile, searchRoots, statCandidate, type SearchKind,
} from './files.js';
import { Probes } from './probe.js';
import { PRIVILEGED_KEYS, badInput, validateConfig, type ConfigKey, type ConfigValues } from './schema.js';
import { currentUid, trustOf } from './trust.js';

/** Options beyond the shared SettingsContext; all optional, for tests and commands. */
export interface ResolveOptions extends SettingsContext {
  /** uid the trust rule compares owners with (default: process.getuid()). */
  readonly uid?: number;
  /** Where host CPU flags come from (default /proc/cpuinfo). */
  readonly cpuinfoPath?: string;
  /** Receives refusal notices (default: stderr, once per process and message). */
  readonly warn?: (line: string) => void;
  /** false: neither read nor write the settings cache. Default: on unless ISA_NO_CACHE=1. */
  readonly cache?: boolean;
}

/** Everything the resolution found out; what `isa-shim config` prints and what the cache stores. */
export interface Resolution {
  readonly settings: Settings;
  /** The config file whose values apply, if any. */
  readonly file?: string;
  readonly fileKind?: SearchKind | 'ISA_CONFIG';
  /** Keys the file set that were refused by the trust rule, and why. */
  readonly refused: readonly string[];
  readonly warnings: readonly string[];
  /** The kernel configuration read for `kernel`/`auto` (undefined when not needed or not found). */
  readonly kernel?: KernelLevel;
  /** Every path looked at, with its stat signature taken before it was read. */
  readonly probes: Readonly<Record<string, string>>;
}

interface FileLayer {
  values: ConfigValues;
  file: string;
  kind: SearchKind | 'ISA_CONFIG';
  refused: string[];
}

function jsTimeout(env: NodeJS.ProcessEnv): number {
  const raw = env['ISA_CONFIG_TIMEOUT_MS'];
  if (raw === undefined || raw === '') return DEFAULT_JS_TIMEOUT_MS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    throw badInput(`environment variable ISA_CONFIG_TIMEOUT_MS has value "${raw}"; expected a positive number of milliseconds`);
  }
  return n;
}

/** Loads one file: stat, trust, parse, validate, then drop the privileged keys of an untrusted file. */
function loadLayer(
  path: string, kind: SearchKind | 'ISA_CONFIG', opts: ResolveOptions, probes: Probes, warnings: string[],
): FileLayer | undefined {
  probes.record(path);
  const st = statCandidate(path);
  if (!st) {
    if (kind === 'ISA_CONFIG') throw badInput(`environment variable ISA_CONFIG names ${path}, which does not exist`);
    return undefined;
  }
  const uid = opts.uid ?? currentUid();
  const verdict = trustOf(st, uid);
  // Running a JavaScript config is choosing a program: an untrusted one is never executed.
  if (!verdict.trusted && isJsFile(path)) {
    throw badInput(`${path}: refusing to run this JavaScript config: it is ${verdict.reason}; fix its owner or mode, or use a YAML/JSON .isarc`);
  }
  const { found, raw } = loadFile(path, opts.env, jsTimeout(opts.env));
  // Empty files and package.json without "isa" do not count, as with cosmiconfig: search on.
  if (!found || raw === null || raw === undefined) {
    if (kind === 'ISA_CONFIG') return { values: {}, file: path, kind, refused: [] };
    return undefined;
  }
  const values = validateConfig(raw, path);
  const refused: string[] = [];
  if (!verdict.trusted) {
    for (const key of PRIVILEGED_KEYS) {
      if (values[key] !== undefined) {
        refused.push(key);
        delete values[key];
      }
    }
    if (refused.length > 0) {
      warnings.push(
        `isa-shim: ignoring ${refused.join(', ')} in ${path}: the file is ${verdict.reason}; only a file owned by you or root ` +
          `and not group- or world-writable may choose programs or log paths (its other keys apply)`,
      );
    }
  }
  return { values, file: path, kind, refused };
}

function findFile(opts: ResolveOptions, probes: Probes, warnings: string[]): FileLayer | undefined {
  const { env, cwd } = opts;
  const noConfig = env['ISA_NO_CONFIG'];
  if (noConfig !== undefined && noConfig !== '' && noConfig !== '0') return undefined;
  const exact = env['ISA_CONFIG'];
  if (exact) return loadLayer(resolvePath(cwd, exact), 'ISA_CONFIG', opts, probes, warnings);
  for (const root of searchRoots(env, cwd)) {
    for (const path of root.files) {
      const layer = loadLayer(path, root.kind, opts, probes, warnings);
      if (layer) return layer;
    }
  }
  return undefined;
}

function levelFrom(
  request: Sourced<LevelRequest>, opts: ResolveOptions, probes: Probes,
): { level: Sourced<Level>; kernel?: KernelLevel } {
  const req = request.value;
  if (typeof req === 'number') return { level: { value: req, origin: request.origin } };
  const host = (why: string): Sourced<Level> => {
    const h = detectHostLevel(opts.cpuinfoPath);
    return { value: h.level, origin: `host ${h.source} (${why})` };
  };
  if (req === 'host') return { level: host(`level host from ${request.origin}`) };
  const { result } = detectKernelLevel(opts.env, opts.cwd, (p) => probes.record(p));
  if (!result) {
    return { level: { value: 1, origin: `${req}: no kernel configuration found, ${levelName(1)} (level ${req} from ${request.origin})` } };
  }
  if (result.level === 'host') {
    return { level: host(`kernel ${result.symbol} in ${result.file} builds with -march=native`), kernel: result };
  }
  return { level: { value: result.level, origin: `kernel ${result.symbol} in ${result.file}` }, kernel: result };
}

/** The complete, uncached resolution. Throws ShimError(exit 2) on bad input. */
export function resolveUncached(opts: ResolveOptions): Resolution {
  const probes = new Probes();
  const warnings: string[] = [];
  const envLayer = readEnvLayer(opts.env);
  const fileLayer = findFile(opts, probes, warnings);

  function pick<K extends ConfigKey>(key: K, fallback: ConfigValues[K]): Sourced<ConfigValues[K]> {
    if (envLayer.values[key] !== undefined) return { value: envLayer.values[key], origin: envLayer.origins[key]! };
    if (envLayer.cleared.has(key)) return { value: undefined, origin: envLayer.origins[key]! };
    if (fileLayer && fileLayer.values[key] !== undefined) {
      return { value: fileLayer.values[key], origin: `${fileLayer.file} (key ${key})` };
    }
    return { value: fallback, origin: 'default' };
  }

  const levelRequest = pick('level', 'auto') as Sourced<LevelRequest>;
  const { level, kernel } = levelFrom(levelRequest, opts, probes);
  const log = pick('log', undefined);
  // A relative log path means the same file wherever kbuild runs the wrapper from: resolve it
  // against the config file's directory (or the working directory for ISA_LOG).
  let logValue = log.value;
  if (logValue !== undefined) {
    const base = log.origin.startsWith('env ') || !fileLayer ? opts.cwd : dirname(fileLayer.file);
    logValue = resolvePath(base, logValue);
  }
  const settings: Settings = {
    level,
    levelRequest,
    cc: pick('cc', undefined),
    cxx: pick('cxx', undefined),
    ld: pick('ld', undefined),
    onViolation: pick('onViolation', 'fix') as Settings['onViolation'],
    audit: pick('audit', 'on-violation') as Settings['audit'],
    allow: pick('allow', []) as Settings['allow'],
    log: { value: logValue, origin: log.origin },
    debug: pick('debug', false) as Settings['debug'],
  };
  return {
    settings,
    ...(fileLayer ? { file: fileLayer.file, fileKind: fileLayer.kind } : {}),
    refused: fileLayer?.refused ?? [],
    warnings,
    ...(kernel ? { kernel } : {}),
    probes: Object.fromEntries(probes.entries),
  };
}

// Finding and reading config files. We do our own search instead of cosmiconfig's: we must stat
// every candidate before opening it (a FIFO named .isarc would hang the build), search places
// cosmiconfig does not know (srctree, the external module dir, /etc/isarc), record each probe for
// the settings cache, and time-box JavaScript configs. The parsers are loaded only when a file
// is actually read, so a cache hit never pays for them.
import { readWholeFd } from '../read-fd.js';
import { spawnSync } from 'node:child_process';
import { closeSync, constants, fstatSync, lstatSync, openSync, statSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { badInput } from './schema.js';

export const MODULE = 'isa';
export const MAX_CONFIG_BYTES = 1024 * 1024;
export const DEFAULT_JS_TIMEOUT_MS = 3000;

/** The names searched in each directory, in order (cosmiconfig's list for module `isa`, minus TypeScript). */
export const SEARCH_PLACES: readonly string[] = [
  'package.json',
  `.${MODULE}rc`, `.${MODULE}rc.json`, `.${MODULE}rc.yaml`, `.${MODULE}rc.yml`,
  `.${MODULE}rc.js`, `.${MODULE}rc.cjs`, `.${MODULE}rc.mjs`,
  `.config/${MODULE}rc`, `.config/${MODULE}rc.json`, `.config/${MODULE}rc.yaml`, `.config/${MODULE}rc.yml`,
  `.config/${MODULE}rc.js`, `.config/${MODULE}rc.cjs`, `.config/${MODULE}rc.mjs`,
  `${MODULE}.config.js`, `${MODULE}.config.cjs`, `${MODULE}.config.mjs`,
];

/** Extensions tried after a global "stem" such as ~/.config/isa/config or /etc/isarc. */
export const GLOBAL_EXTENSIONS: readonly string[] = ['', '.json', '.yaml', '.yml', '.js', '.cjs', '.mjs'];

export type SearchKind = 'cwd' | 'srctree' | 'extmod' | 'global';

export interface SearchRoot {
  readonly kind: SearchKind;
  /** Files to try, in order. */
  readonly files: readonly string[];
}

function parentsOf(dir: string): string[] {
  const out: string[] = [];
  let d = resolve(dir);
  for (;;) {
    out.push(d);
    const up = dirname(d);
    if (up === d) return out;
    d = up;
  }
}

/**
 * Global config stems. `ISA_GLOBAL_CONFIG_DIRS` (colon-separated directories, each searched as
 * `<dir>/config*`; empty = no global config) replaces the defaults `$XDG_CONFIG_HOME/isa/config*`
 * and `/etc/isarc*`, so tests and sandboxes never read the real ones.
 */
export function globalStems(env: NodeJS.ProcessEnv): string[] {
  const override = env['ISA_GLOBAL_CONFIG_DIRS'];
  if (override !== undefined) return override.split(':').filter(Boolean).map((d) => join(resolve(d), 'config'));
  const xdg = env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config');
  return [join(xdg, MODULE, 'config'), '/etc/isarc'];
}

/** The external-module dir of a DKMS / `make M=` build, if any (relative values: against cwd, then srctree). */
export function extmodDir(env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  const value = env['KBUILD_EXTMOD'] || env['M'];
  if (!value) return undefined;
  const bases = [cwd];
  if (env['srctree']) bases.push(resolve(cwd, env['srctree']));
  for (const base of bases) {
    const dir = resolve(base, value);
    if (statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return dir;
  }
  return resolve(cwd, value);
}

/** Every place a config file may be, in search order. */
export function searchRoots(env: NodeJS.ProcessEnv, cwd: string): SearchRoot[] {
  const roots: SearchRoot[] = [];
  const seen = new Set<string>();
  const addDir = (kind: SearchKind, dir: string): void => {
    if (seen.has(dir)) return;
    seen.add(dir);
    roots.push({ kind, files: SEARCH_PLACES.map((p) => join(dir, p)) });
  };
  for (const d of parentsOf(cwd)) addDir('cwd', d);
  if (env['srctree']) addDir('srctree', resolve(cwd, env['srctree']));
  const ext = extmodDir(env, cwd);
  if (ext) addDir('extmod', ext);
  for (const stem of globalStems(env)) {
    roots.push({ kind: 'global', files: GLOBAL_EXTENSIONS.map((e) => stem + e) });
  }
  return roots;
}

function describeType(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/**
 * stat() of a candidate: undefined when nothing is there. Anything there that we cannot use as a
 * config file is an error, not a silent skip: the user put something with that name there.
 */
export function statCandidate(path: string): Stats | undefined {
  let st: Stats | undefined;
  try {
    st = statSync(path, { throwIfNoEntry: false });
  } catch (e) {
    // A kernel tree's `.config` is a file, so `.config/isarc` is ENOTDIR: simply not there.
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw badInput(`${path}: cannot use this config file: ${errText(e)}`);
  }
  if (!st) {
    const link = lstatSync(path, { throwIfNoEntry: false });
    if (link?.isSymbolicLink()) throw badInput(`${path}: cannot use this config file: it is a broken symbolic link`);
    return undefined;
  }
  if (!st.isFile()) throw badInput(`${path}: cannot use this config file: it is ${describeType(st)}, expected a regular file`);
  if (st.size > MAX_CONFIG_BYTES) {
    throw badInput(`${path}: cannot use this config file: it is ${st.size} bytes, more than the 1 MiB a config file may have`);
  }
  return st;
}

export function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'EACCES' || err?.code === 'EPERM') return 'permission denied';
  if (err?.code === 'ELOOP') return 'too many levels of symbolic links';
  if (err?.code) return `${err.code} ${(err.message ?? '').replace(/^[A-Z]+: /, '').split(',')[0]}`;
  return (err as Error)?.message ?? String(e);
}

/** Reads a regular file without blocking, checking again on the open descriptor (no stat/open race). */
export function readSmallFile(path: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    if (!st.isFile()) throw badInput(`${path}: cannot use this config file: it is ${describeType(st)}, expected a regular file`);
    if (st.size > MAX_CONFIG_BYTES) throw badInput(`${path}: cannot use this config file: more than 1 MiB`);
    return readWholeFd(fd, st.size).toString('utf8');
  } catch (e) {
    if ((e as Error).name === 'ShimError') throw e;
    throw badInput(`${path}: cannot read this config file: ${errText(e)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

// createRequire: the parsers are CommonJS and must load synchronously, and only on a cache miss.
const lazyRequire = createRequire(import.meta.url);

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

export function parseYaml(text: string, path: string): unknown {
  const YAML = lazyRequire('yaml') as typeof import('yaml');
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0];
    throw badInput(`${path}: cannot parse YAML${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${oneLine(err.message.split('\n')[0] ?? err.message)}`);
  }
  return doc.toJS();
}

export function parseJson(text: string, path: string): unknown {
  // cosmiconfig's JSON loader (parse-json) names the line and column of the first error.
  const { defaultLoadersSync } = lazyRequire('cosmiconfig') as typeof import('cosmiconfig');
  try {
    return defaultLoadersSync['.json'](path, text);
  } catch (e) {
    const msg = oneLine(String((e as Error).message ?? e)).replace(/^JSON Error in [^:]+:\s*/, '');
    throw badInput(`${path}: cannot parse JSON: ${msg.slice(0, 200)}`);
  }
}

/**
 * Loads a JavaScript config in a child node process with a time limit. A config that loops or
 * awaits forever would otherwise hang every compile of the build (cosmiconfigSync has no timeout,
 * and a sync call cannot race a timer); a child also keeps the config's side effects and globals
 * out of the wrapper. Costs one node start-up, only on a cache miss.
 */
export function loadJsConfig(path: string, env: NodeJS.ProcessEnv, timeoutMs: number): unknown {
  const script = `
    const { pathToFileURL } = await import('node:url');
    try {
      const mod = await import(pathToFileURL(process.argv[1]).href);
      let value = mod.default !== undefined ? mod.default : mod;
      value = await value;
      process.stdout.write(JSON.stringify(value === undefined ? null : value));
    } catch (e) {
      process.stderr.write(String(e && e.message !== undefined ? e.message : e).split('\\n')[0]);
      process.exit(3);
    }`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, path], {
    env: { ...env, NODE_OPTIONS: '' },
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: MAX_CONFIG_BYTES * 2,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') {
    throw badInput(`${path}: the JavaScript config did not finish within ${timeoutMs} ms (set ISA_CONFIG_TIMEOUT_MS to allow longer)`);
  }
  if (r.error) throw badInput(`${path}: cannot run the JavaScript config: ${errText(r.error)}`);
  if (r.status !== 0) {
    const why = oneLine(r.stderr || '').slice(0, 200) || `exit status ${r.status ?? r.signal}`;
    throw badInput(`${path}: the JavaScript config failed: ${why}`);
  }
  try {
    return JSON.parse(r.stdout || 'null');
  } catch {
    throw badInput(`${path}: the JavaScript config exported something that is not plain data`);
  }
}

export function isJsFile(path: string): boolean {
  return ['.js', '.cjs', '.mjs'].includes(extname(path));
}

/**
 * Parses a file by its name: package.json (key `isa`), .json, .yaml/.yml, JavaScript, and
 * extension-less rc files (YAML, which also reads JSON). Returns undefined for a package.json
 * without an `isa` key, so the search goes on, as cosmiconfig does.
 */
export function loadFile(path: string, env: NodeJS.ProcessEnv, timeoutMs: number): { found: boolean; raw: unknown } {
  if (isJsFile(path)) return { found: true, raw: loadJsConfig(path, env, timeoutMs) };
  const text = readSmallFile(path);
  if (basename(path) === 'package.json') {
    // Someone else's package.json that does not parse is not our business unless it mentions us.
    let pkg: unknown;
    try {
      pkg = JSON.parse(text);
    } catch {
      if (!/"isa"\s*:/.test(text)) return { found: false, raw: undefined };
      return { found: true, raw: parseJson(text, path) };
    }
    if (pkg && typeof pkg === 'object' && Object.hasOwn(pkg, MODULE)) return { found: true, raw: (pkg as Record<string, unknown>)[MODULE] };
    return { found: false, raw: undefined };
  }
  const ext = extname(path);
  const raw = ext === '.json' ? parseJson(text, path) : parseYaml(text, path);
  return { found: true, raw };
}

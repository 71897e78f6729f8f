// Bundles the code into dist/entry.mjs (one file to load, not hundreds), then, where the baseline
// Bun runtime is installed (optional dependency @oven/bun-linux-x64-baseline, built for CPUs without
// AVX2), compiles the same bundle into dist/isa-shim-fast: a single executable that starts in a few
// milliseconds instead of Node's ~60. The bin/ launchers prefer it. See docs/performance.md.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { getSystemErrorMap } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// Loaded lazily at run time from node_modules, never on a wrapped call's hot path.
const external = ['cosmiconfig', 'yaml', 'iced-x86', 'fast-check'];

rmSync(join(root, 'dist'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { entry: 'src/cli/entry.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  splitting: true,
  external,
  define: { __ISA_SHIM_VERSION__: JSON.stringify(pkg.version), __ISA_COMPILED__: 'false' },
  banner: { js: "import { createRequire as __isaCreateRequire } from 'node:module'; const require = __isaCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

// The compiled flavour links src/sys/fs-ffi.ts wherever the code imports src/sys/fs.ts (fs-ffi
// itself keeps the real one as its fallback): the hot path's system calls go through libc.
const ffiFileSystem = {
  name: 'ffi-file-system',
  setup(b) {
    b.onResolve({ filter: /(^|\/)sys\/fs\.js$|^\.\/fs\.js$/ }, (args) => {
      if (args.importer.endsWith(join('sys', 'fs-ffi.ts'))) return undefined;
      const target = join(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
      return target === join(root, 'src', 'sys', 'fs.ts') ? { path: join(root, 'src', 'sys', 'fs-ffi.ts') } : undefined;
    });
  },
};

// A bundled ESM import of a builtin loads it at start-up, used or not, and in Bun that is real work
// (node:fs alone ~2 ms). In the compiled flavour every builtin import becomes a stand-in module that
// loads the builtin on first use (process.getBuiltinModule): plain data (constants, separators) is
// copied from Node.js at build time (the values are the platform's), functions and objects forward.
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    const names = new Set(builtinModules.filter((m) => !m.startsWith('_')));
    b.onResolve({ filter: /^[a-z_/:]+$/ }, (args) => {
      const bare = args.path.replace(/^node:/, '');
      // node:path is a few string functions: a pure copy costs nothing to load (src/sys/posix-path.ts).
      if (bare === 'path' || bare === 'path/posix') return { path: join(root, 'src', 'sys', 'posix-path.ts') };
      return names.has(bare) ? { path: bare, namespace: 'lazy-builtin' } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, async (args) => {
      const mod = await import(`node:${args.path}`);
      const lines = [`let m; const g = () => (m ??= process.getBuiltinModule(${JSON.stringify(`node:${args.path}`)}));`];
      for (const [name, value] of Object.entries(mod)) {
        if (name === 'default' || !/^[A-Za-z_$][\w$]*$/.test(name)) continue;
        if (typeof value === 'function') {
          lines.push(`export function ${name}(...a) { return new.target ? Reflect.construct(g().${name}, a) : g().${name}(...a); }`);
        } else if (isPlainData(value)) {
          lines.push(`export const ${name} = ${JSON.stringify(value)};`);
        } else if (value && typeof value === 'object') {
          lines.push(`export const ${name} = new Proxy({}, { get: (_, k) => g().${name}[k] });`);
        }
      }
      lines.push('export default new Proxy({}, { get: (_, k) => g()[k] });');
      return { contents: lines.join('\n'), loader: 'js' };
    });
  },
};

function isPlainData(v) {
  if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) return true;
  if (typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) return false;
  return Object.values(v).every(isPlainData);
}

/** errno -> [code, message] exactly as Node.js words them, for src/sys/fs-ffi.ts's errors. */
function errnoTable() {
  return Object.fromEntries([...getSystemErrorMap()].map(([errno, [code, message]]) => [String(errno), [code, message]]));
}

function bunBinary() {
  if (process.env.ISA_NO_FAST === '1') return undefined;
  try {
    const req = createRequire(join(root, 'package.json'));
    const p = join(dirname(req.resolve('@oven/bun-linux-x64-baseline/package.json')), 'bin', 'bun');
    return existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

const bun = bunBinary();
if (bun) {
  // The compiled flavour is bundled by esbuild first (the plugins below need its plugin API), then
  // compiled by the baseline Bun runtime. No --target: compiling for the running runtime needs no download.
  const fastJs = join(root, 'dist', '.fast-entry.mjs');
  await build({
    absWorkingDir: root,
    entryPoints: ['src/cli/entry.ts'],
    outfile: fastJs,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: [...external, 'bun:ffi'],
    plugins: [ffiFileSystem, lazyBuiltins],
    define: {
      __ISA_SHIM_VERSION__: JSON.stringify(pkg.version),
      __ISA_COMPILED__: 'true',
      __ISA_ERRNO_JSON__: JSON.stringify(JSON.stringify(errnoTable())),
    },
    logLevel: 'warning',
  });
  // No .env or bunfig.toml autoloading: a .env file in a build directory would otherwise change the
  // wrapper's environment and the real compiler's (test/wrapper/toolchain.test.ts).
  // JIT tier-up 10x later than normal: a wrapped call lives ~10 ms, and JIT threads compiling code it
  // will not run again cost ~10 ms of CPU per call here (32 vs 42 ms task-clock for a small compile),
  // CPU a `make -j` build needs; long loops (check over a tree, 100k arguments) still reach the JIT,
  // about 5-7 % later than at the default. Measured in docs/performance.md.
  const r = spawnSync(bun, [
    'build', '--compile', '--minify', '--bytecode', '--no-compile-autoload-dotenv', '--no-compile-autoload-bunfig',
    '--compile-jit-policy=10', fastJs, '--outfile', 'dist/isa-shim-fast', '--external', 'iced-x86',
  ], {
    cwd: root,
    encoding: 'utf8',
  });
  rmSync(fastJs, { force: true });
  if (r.status !== 0) {
    process.stderr.write(`build: compiling dist/isa-shim-fast failed; the wrappers will run on Node.js\n${r.stdout}${r.stderr}`);
    rmSync(join(root, 'dist/isa-shim-fast'), { force: true });
  }
}

// dist/bin/: the wrappers without a launcher in between. With the compiled executable each is a
// symlink to it (it takes its role from the name it is called by, saving the sh launcher's ~1 ms per
// call, ~2.5 ms when the launcher itself is reached through a symlink); without it, copies of the
// bin/ launchers (which find ../dist from dist/bin just as well). isa-shim is always the launcher.
const distBin = join(root, 'dist', 'bin');
mkdirSync(distBin, { recursive: true });
const fastBuilt = existsSync(join(root, 'dist', 'isa-shim-fast'));
for (const name of ['isa-hostcc', 'isa-hostcxx', 'isa-hostld', 'isa-shim']) {
  const to = join(distBin, name);
  rmSync(to, { force: true });
  if (fastBuilt && name !== 'isa-shim') symlinkSync('../isa-shim-fast', to);
  else copyFileSync(join(root, 'bin', name), to);
}

// Bundles the code into dist/entry.mjs (one file to load, not hundreds), then, where the baseline
// Bun runtime is installed (optional dependency @oven/bun-linux-x64-baseline, built for CPUs without
// AVX2), compiles the same bundle into dist/isa-shim-fast: a single executable that starts in a few
// milliseconds instead of Node's ~60. The bin/ launchers prefer it. See docs/performance.md.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
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
  // No --target: compiling for the running (baseline) runtime needs no download.
  const r = spawnSync(
    bun,
    [
      'build', '--compile', '--minify', '--bytecode', 'src/cli/entry.ts', '--outfile', 'dist/isa-shim-fast',
      '--define', `__ISA_SHIM_VERSION__=${JSON.stringify(pkg.version)}`, '--define', '__ISA_COMPILED__=true',
      '--external', 'iced-x86',
    ],
    { cwd: root, encoding: 'utf8' },
  );
  if (r.status !== 0) {
    process.stderr.write(`build: compiling dist/isa-shim-fast failed; the wrappers will run on Node.js\n${r.stdout}${r.stderr}`);
    rmSync(join(root, 'dist/isa-shim-fast'), { force: true });
  }
}

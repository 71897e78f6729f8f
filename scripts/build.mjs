// Bundles each entry point into one file (dist/), so a wrapped call loads one module, not hundreds.
// Heavy, rarely needed packages (cosmiconfig, yaml, iced-x86) stay external and are imported lazily.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

await build({
  absWorkingDir: root,
  entryPoints: { wrapper: 'src/cli/wrapper-main.ts', 'isa-shim': 'src/cli/isa-shim.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  splitting: true,
  external: ['cosmiconfig', 'yaml', 'iced-x86', 'execa', 'which', 'fast-check'],
  define: { __ISA_SHIM_VERSION__: JSON.stringify(pkg.version) },
  banner: { js: "import { createRequire as __isaCreateRequire } from 'node:module'; const require = __isaCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

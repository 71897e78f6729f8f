// isa-shim explain [--level L] [--ld] -- ARGS...: the rewrite of one call, without running anything.
import { expandResponseFiles, rewriteDriverArgs, rewriteLinkerArgs } from '../../args/index.js';
import { readFileSync } from 'node:fs';
import { EXIT } from '../../exit-codes.js';
import { levelName } from '../../level.js';
import type { Settings } from '../../settings.js';
import { hostLevel } from '../host-level.js';
import { levelOption, parseOptions } from '../options.js';

export async function explainCommand(argv: readonly string[], settings: () => Settings): Promise<number> {
  const dd = argv.indexOf('--');
  const own = dd >= 0 ? argv.slice(0, dd) : [];
  const call = dd >= 0 ? argv.slice(dd + 1) : argv;
  const o = parseOptions('explain', own, { flags: ['--ld', '--json', '--help'], values: ['--level'], aliases: { '-h': '--help' } });
  if (o.flags.has('--help') || (dd < 0 && argv.includes('--help'))) {
    process.stdout.write('Usage: isa-shim explain [--level L] [--ld] [--json] -- ARGS...\n  Shows the step, the final arguments and each rewrite with its reason; runs nothing.\n');
    return EXIT.OK;
  }
  const level = levelOption('explain', o.values.get('--level')) ?? settings().level.value;
  const expanded = expandResponseFiles(call, (p) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  }).args;
  const ctx = { level, hostLevel };
  const r = o.flags.has('--ld') ? rewriteLinkerArgs(expanded, ctx) : rewriteDriverArgs(expanded, ctx);
  if (o.flags.has('--json')) {
    process.stdout.write(JSON.stringify({ level: levelName(level), step: r.info.step, output: r.info.output ?? null, args: r.args, rewrites: r.rewrites }, null, 2) + '\n');
    return EXIT.OK;
  }
  process.stdout.write(`step:   ${r.info.step}${r.info.output ? ` (output ${r.info.output})` : ''}\nlevel:  ${levelName(level)}\nfinal:  ${r.args.join(' ')}\n`);
  for (const w of r.rewrites) {
    process.stdout.write(`  ${w.from.length ? w.from.join(' ') : '(added)'} -> ${w.to.length ? w.to.join(' ') : '(removed)'}: ${w.reason}\n`);
  }
  if (r.rewrites.length === 0) process.stdout.write('  (nothing to rewrite)\n');
  return EXIT.OK;
}

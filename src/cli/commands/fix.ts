// isa-shim fix [--level L] [--force] PATH...: lower the x86 ISA needed note to the level, in place
// and atomically, only when the code audit proves the instructions are within it (or --force).
import { lowerIsaNeeded, RepairError, summarizeFile } from '../../elf/index.js';
import { EXIT, ShimError } from '../../exit-codes.js';
import { levelName, type Level } from '../../level.js';
import { judgeSummary } from '../../verify/judge.js';
import { levelOption, parseOptions } from '../options.js';
import { walkPaths } from '../walk.js';

export const FIX_HELP = `Usage: isa-shim fix [--level L] [--force] [--allow GLOB]... PATH...

Lowers the "x86 ISA needed" note of each ELF file above the level to the level, keeping every other
property (IBT, SHSTK, ISA used...) byte for byte; the file is replaced atomically with its mode and owner.
A file whose instructions are above the level is refused and left untouched (it would die with SIGILL
instead of being refused by the loader), unless --force.
Exit: 0 every file now within the level, 1 some file refused, 2 bad input, 4 a repair could not be written.
`;

export async function fixCommand(argv: readonly string[], defaults: { level: Level; allow: readonly string[] }): Promise<number> {
  const o = parseOptions('fix', argv, { flags: ['--force', '--help', '--quiet'], values: ['--level', '--allow'], aliases: { '-h': '--help', '-q': '--quiet' } });
  if (o.flags.has('--help')) {
    process.stdout.write(FIX_HELP);
    return EXIT.OK;
  }
  if (o.rest.length === 0) throw new ShimError('fix: name at least one file or directory; see isa-shim fix --help', EXIT.BAD_INPUT);
  const level = levelOption('fix', o.values.get('--level')) ?? defaults.level;
  const allow = [...defaults.allow, ...(o.all.get('--allow') ?? [])];
  const L = levelName(level);
  let status: number = EXIT.OK;
  for (const f of walkPaths(o.rest)) {
    const summary = (() => {
      try {
        return summarizeFile(f.path);
      } catch (err) {
        if (f.named) throw err;
        return { kind: 'not-elf' as const };
      }
    })();
    if (summary.kind !== 'elf') {
      if (f.named) throw new ShimError(`${f.path}: not an ELF file${summary.kind === 'archive' ? ' (archives are not repaired)' : ''}`, EXIT.BAD_INPUT);
      continue;
    }
    if (summary.neededLevel <= level) {
      if (f.named && !o.flags.has('--quiet')) process.stdout.write(`ok      ${f.path}: already within ${L}\n`);
      continue;
    }
    const j = await judgeSummary(f.path, summary, level, { code: 'always', allow });
    if (j.code?.verdict === 'fail' && !o.flags.has('--force')) {
      const fns = j.code.violations.slice(0, 3).map((v) => `${v.name} (${v.features.slice(0, 3).join(', ')})`).join(', ');
      process.stdout.write(`refused ${f.path}: its code needs more than ${L} in ${fns}; left unchanged (--force to lower the note anyway)\n`);
      status = Math.max(status, EXIT.FAIL);
      continue;
    }
    try {
      const r = lowerIsaNeeded(f.path, level);
      process.stdout.write(`fixed   ${f.path}: x86 ISA needed ${levelName(r.oldLevel as Level)} -> ${levelName(r.newLevel as Level)}${j.code?.verdict === 'fail' ? ' (forced: code above the level)' : ''}\n`);
    } catch (err) {
      if (!(err instanceof RepairError)) throw err;
      process.stderr.write(`isa-shim: ${err.message}\n`);
      status = EXIT.REPAIR_FAILED;
    }
  }
  return status;
}

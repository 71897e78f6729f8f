// isa-shim check [--level L] [--code] [--json] [-q] PATH...
import { ElfFormatError, ElfIoError, summarizeFile } from '../../elf/index.js';
import { EXIT, ShimError } from '../../exit-codes.js';
import { levelName, type Level } from '../../level.js';
import { judgeSummary, type Judgement, type Verdict } from '../../verify/judge.js';
import { levelOption, paint, parseOptions, useColor } from '../options.js';
import { walkPaths } from '../walk.js';
import { judgementJson } from './json.js';

export const CHECK_HELP = `Usage: isa-shim check [--level L] [--code] [--allow GLOB]... [--json] [-q] PATH...

Judges every ELF file (directories are walked; non-ELF files in them are skipped) against the level:
its x86 ISA needed note, and with --code its instructions. One line per file:
  PASS   within the level          FAIL   above it (the loader refuses it, or its code would SIGILL)
  MAYBE  no note, code not audited SKIP   not x86, not ELF, or malformed (inside a directory)

Options:
  --level L      x86-64|v1, x86-64-v2|v2, v3, v4 (default: the configured level, see isa-shim config)
  --code         also audit the instructions (iced-x86), attributed to functions
  --allow GLOB   function names whose code is CPU-checked (repeatable; adds to config 'allow')
  --json         one JSON document on stdout (schema in docs/json.md)
  -q, --quiet    print only FAIL lines
Exit: 0 all within the level, 1 some file above it, 2 a named file missing, unreadable, not ELF or malformed.
`;

const COLORS: Record<Verdict, number> = { PASS: 32, FAIL: 31, MAYBE: 33, SKIP: 90 };

export async function checkCommand(argv: readonly string[], defaults: { level: Level; levelOrigin: string; allow: readonly string[] }): Promise<number> {
  const o = parseOptions('check', argv, { flags: ['--code', '--json', '--quiet', '--help'], values: ['--level', '--allow'], aliases: { '-q': '--quiet', '-h': '--help' } });
  if (o.flags.has('--help')) {
    process.stdout.write(CHECK_HELP);
    return EXIT.OK;
  }
  if (o.rest.length === 0) throw new ShimError('check: name at least one file or directory; see isa-shim check --help', EXIT.BAD_INPUT);
  const level = levelOption('check', o.values.get('--level')) ?? defaults.level;
  const allow = [...defaults.allow, ...(o.all.get('--allow') ?? [])];
  const json = o.flags.has('--json');
  const quiet = o.flags.has('--quiet');
  const color = !json && useColor(process.stdout);
  const counts: Record<Verdict, number> = { PASS: 0, FAIL: 0, MAYBE: 0, SKIP: 0 };
  const results: Judgement[] = [];
  for (const f of walkPaths(o.rest)) {
    let j: Judgement;
    try {
      const summary = summarizeFile(f.path);
      if (summary.kind === 'not-elf' && f.named) throw new ShimError(`${f.path}: not an ELF file or ar archive`, EXIT.BAD_INPUT);
      if (summary.kind === 'not-elf') {
        counts.SKIP++;
        continue;
      }
      j = await judgeSummary(f.path, summary, level, { code: o.flags.has('--code') ? 'always' : 'never', allow });
    } catch (err) {
      if (f.named) throw err;
      if (!(err instanceof ElfFormatError || err instanceof ElfIoError)) throw err;
      j = { path: f.path, verdict: 'SKIP', reason: `unreadable or malformed: ${err.message}`, summary: { kind: 'not-elf' }, noteAbove: false };
    }
    counts[j.verdict]++;
    if (json) results.push(j);
    else if (!quiet || j.verdict === 'FAIL') {
      process.stdout.write(`${paint(color, COLORS[j.verdict], j.verdict.padEnd(5))} ${j.path}: ${j.reason}\n`);
      if (j.code && j.verdict === 'FAIL') {
        for (const fn of j.code.violations.slice(0, 10)) {
          process.stdout.write(`        ${fn.name}: ${fn.features.join(', ')} (${fn.count} instructions, first ${fn.example} at 0x${fn.firstAddress.toString(16)})\n`);
        }
      }
    }
  }
  if (json) {
    process.stdout.write(JSON.stringify({ level: levelName(level), levelOrigin: o.values.has('--level') ? '--level' : defaults.levelOrigin, counts, files: results.map(judgementJson) }, null, 2) + '\n');
  } else if (!quiet) {
    process.stdout.write(`${counts.PASS} pass, ${counts.FAIL} fail, ${counts.MAYBE} maybe, ${counts.SKIP} skipped at ${levelName(level)}\n`);
  }
  return counts.FAIL > 0 ? EXIT.FAIL : EXIT.OK;
}

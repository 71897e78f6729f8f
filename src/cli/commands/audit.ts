// isa-shim audit [--level L|--cpu host] [--json] [--code|--no-code] [-q] DIR...: the DKMS preflight.
// Walks kernel headers trees (following their directory symlinks: Debian's build/scripts and
// build/tools point into /usr/lib/linux-kbuild-*), judges every host ELF (executables and shared
// objects such as gcc plugins) by its x86 ISA needed note (the loader refuses it) and by its code
// (it would die with SIGILL), against this CPU's level by default, and says what to do.
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { detectHostLevel } from '../../detect/host.js';
import { ElfFormatError, ElfIoError, summarizeFile } from '../../elf/index.js';
import { EXIT, ShimError } from '../../exit-codes.js';
import { levelName, type Level } from '../../level.js';
import { judgeSummary, type Judgement, type Verdict } from '../../verify/judge.js';
import { levelOption, paint, parseOptions, useColor } from '../options.js';
import { judgementJson } from './json.js';

export const AUDIT_HELP = `Usage: isa-shim audit [--level L | --cpu host] [--code | --no-code] [--allow GLOB]... [--json] [-q] DIR...

DKMS preflight: walks kernel headers trees (/lib/modules/$(uname -r)/build, /usr/lib/linux-kbuild-*,
an unpacked headers package), following their directory symlinks, and judges every host ELF
(executables and shared objects such as gcc plugins) against a CPU level:
  by its x86 ISA needed note   above the level, the loader refuses it ("CPU ISA level is lower than required")
  by its code (default)        above the level, it starts and dies with SIGILL
One line per tool, a summary, and what to do: 'isa-shim fix' where the code is proven within the
level, else rebuild the tree's host tools through the shim (the exact make line is printed).

Options:
  --level L      judge against level L: x86-64|v1, x86-64-v2|v2, v3, v4
  --cpu host     judge against this CPU's level (the default; from /proc/cpuinfo, as glibc decides)
  --code         audit the instructions too (the default)
  --no-code      judge by the note only (tools without a note are MAYBE)
  --allow GLOB   function names whose code is CPU-checked (repeatable; adds to config 'allow')
  --json         one JSON document on stdout (schema in docs/json.md)
  -q, --quiet    print only FAIL and MAYBE lines and the advice
Progress goes to stderr only when stderr is a terminal.
Exit: 0 every host tool passes, 1 some tool fails or is not proven (MAYBE), 2 bad input.
`;

const COLORS: Record<Verdict, number> = { PASS: 32, FAIL: 31, MAYBE: 33, SKIP: 90 };

/** What happens when the tool is run on a CPU at the level, and what to do about it. */
export type Effect = 'runs' | 'refused-by-loader' | 'sigill' | 'unknown';
export type Action = 'none' | 'fix' | 'rebuild' | 'audit-code';

export interface AuditedTool {
  readonly judgement: Judgement;
  readonly root: string;
  /** The path under its root, as reached through the tree (symlinks kept). */
  readonly tool: string;
  readonly realPath: string;
  readonly effect: Effect;
  readonly action: Action;
}

export interface AuditContext {
  /** The configured allow list. */
  readonly allow: readonly string[];
  /** Where the wrappers live (for the printed make line). */
  readonly binDir: string;
  /** For tests: a /proc/cpuinfo stand-in. */
  readonly cpuinfoPath?: string;
}

interface Found {
  readonly root: string;
  readonly path: string;
  readonly real: string;
}

/** Every regular file under the roots, following directory symlinks, each real file once. */
function* walkTrees(roots: readonly string[], onDir: () => void): Generator<Found> {
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();
  function* dir(root: string, d: string): Generator<Found> {
    let real: string;
    try {
      real = realpathSync(d);
    } catch {
      return;
    }
    if (seenDirs.has(real)) return; // a link cycle, or a directory reached twice
    seenDirs.add(real);
    onDir();
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return; // unreadable: nothing in it can be judged
    }
    for (const n of names) {
      const p = join(d, n);
      let st;
      try {
        st = statSync(p); // follows symlinks: the headers tree's scripts/ and tools/ are links
      } catch {
        continue; // dangling link, vanished file
      }
      if (st.isDirectory()) yield* dir(root, p);
      else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        if (seenFiles.has(key)) continue;
        seenFiles.add(key);
        let rp = p;
        try {
          rp = realpathSync(p);
        } catch {
          // keep p
        }
        yield { root, path: p, real: rp };
      }
    }
  }
  for (const r of roots) {
    let st;
    try {
      st = statSync(r);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new ShimError(`audit: ${r}: ${code === 'ENOENT' ? 'no such file or directory' : `cannot read (${code})`}`, EXIT.BAD_INPUT);
    }
    if (!st.isDirectory()) throw new ShimError(`audit: ${r}: not a directory (use isa-shim check for single files)`, EXIT.BAD_INPUT);
    yield* dir(r, r);
  }
}

/**
 * ELF files of a kernel build tree that are not host programs: the kernel image, its vDSO and boot and
 * real-mode code. A self-built kernel's /lib/modules/$(uname -r)/build is the whole build tree.
 */
export function isKernelSide(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return (
    /^vmlinux(\.o|\.unstripped|\.a)?$/.test(name) ||
    /\.(ko|dbg|elf)$/.test(name) ||
    /^vdso.*\.so$/.test(name) ||
    /(^|\/)arch\/[^/]+\/(boot|realmode|entry\/vdso|kernel\/vsyscall)\//.test(path) ||
    /(^|\/)arch\/[^/]+\/.*\/vdso[^/]*\//.test(path)
  );
}

function classify(j: Judgement): { effect: Effect; action: Action } {
  if (j.verdict === 'PASS') return { effect: 'runs', action: 'none' };
  if (j.verdict === 'MAYBE') return { effect: 'unknown', action: 'audit-code' };
  if (j.code?.verdict === 'fail') return { effect: j.noteAbove ? 'refused-by-loader' : 'sigill', action: 'rebuild' };
  // Note above the level, code within it (proven) or not audited (fix audits it before it writes).
  return { effect: 'refused-by-loader', action: 'fix' };
}

const EFFECT_TEXT: Record<Effect, string> = {
  runs: '',
  'refused-by-loader': 'the loader refuses it ("CPU ISA level is lower than required")',
  sigill: 'it starts, then dies with SIGILL',
  unknown: 'not proven: its code was not audited',
};

function shq(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The make line that rebuilds a kernel tree's host tools through the wrappers. */
export function rebuildLine(tree: string, binDir: string, level: Level): string {
  return `make -C ${shq(tree)} HOSTCC=${shq(join(binDir, 'isa-hostcc'))} HOSTCXX=${shq(join(binDir, 'isa-hostcxx'))} HOSTLD=${shq(join(binDir, 'isa-hostld'))} ISA_LEVEL=${levelName(level)} modules_prepare`;
}

export async function auditCommand(argv: readonly string[], ctx: AuditContext): Promise<number> {
  const o = parseOptions('audit', argv, {
    flags: ['--code', '--no-code', '--json', '--quiet', '--help'],
    values: ['--level', '--cpu', '--allow'],
    aliases: { '-q': '--quiet', '-h': '--help' },
  });
  if (o.flags.has('--help')) {
    process.stdout.write(AUDIT_HELP);
    return EXIT.OK;
  }
  if (o.rest.length === 0) throw new ShimError('audit: name at least one kernel headers directory, e.g. /lib/modules/$(uname -r)/build; see isa-shim audit --help', EXIT.BAD_INPUT);
  if (o.flags.has('--code') && o.flags.has('--no-code')) throw new ShimError('audit: --code and --no-code contradict each other', EXIT.BAD_INPUT);
  const cpu = o.values.get('--cpu');
  if (cpu !== undefined && cpu !== 'host') throw new ShimError(`audit: --cpu ${cpu}: only 'host' (this CPU) is known; use --level for a level`, EXIT.BAD_INPUT);
  if (cpu !== undefined && o.values.has('--level')) throw new ShimError('audit: give --level or --cpu host, not both', EXIT.BAD_INPUT);
  let level = levelOption('audit', o.values.get('--level'));
  let levelOrigin = '--level';
  if (level === undefined) {
    const host = detectHostLevel(ctx.cpuinfoPath);
    level = host.level;
    levelOrigin = `this CPU, from ${host.source}`;
  }
  const L = levelName(level);
  const code = !o.flags.has('--no-code');
  const allow = [...ctx.allow, ...(o.all.get('--allow') ?? [])];
  const json = o.flags.has('--json');
  const quiet = o.flags.has('--quiet');
  const color = !json && useColor(process.stdout);
  const roots = o.rest.map((r) => r.replace(/(.)\/+$/, '$1'));

  const progress = !!process.stderr.isTTY;
  let files = 0;
  let dirs = 0;
  let lastDraw = 0;
  const draw = (force = false): void => {
    if (!progress) return;
    const now = Date.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    process.stderr.write(`\r\u001b[Kaudit: ${dirs} directories, ${files} files, ${tools.length} host tools judged`);
  };

  const counts: Record<Verdict, number> = { PASS: 0, FAIL: 0, MAYBE: 0, SKIP: 0 };
  const skipped: Record<string, number> = {};
  const skip = (why: string): void => {
    skipped[why] = (skipped[why] ?? 0) + 1;
    counts.SKIP++;
  };
  const tools: AuditedTool[] = [];
  for (const f of walkTrees(roots, () => (dirs++, draw()))) {
    files++;
    draw();
    let j: Judgement;
    try {
      const s = summarizeFile(f.path);
      if (s.kind === 'not-elf') {
        skip('not ELF');
        continue;
      }
      if (s.kind === 'archive') {
        skip('ar archive (not run on the host)');
        continue;
      }
      if (isKernelSide(f.path)) {
        skip('kernel-side ELF (vmlinux, vDSO, boot code: not run on the host)');
        continue;
      }
      if (s.typeName !== 'EXEC' && s.typeName !== 'DYN') {
        skip(`ELF ${s.typeName} (not run on the host)`);
        continue;
      }
      j = await judgeSummary(f.path, s, level, { code: code ? 'always' : 'never', allow });
      if (j.verdict === 'SKIP') {
        skip(`ELF for ${s.machineName}`);
        continue;
      }
    } catch (err) {
      if (!(err instanceof ElfFormatError || err instanceof ElfIoError)) throw err;
      skip('malformed or unreadable ELF');
      continue;
    }
    counts[j.verdict]++;
    const { effect, action } = classify(j);
    const t: AuditedTool = { judgement: j, root: f.root, tool: relative(f.root, f.path), realPath: f.real, effect, action };
    tools.push(t);
    if (!json && (!quiet || j.verdict !== 'PASS')) {
      if (progress) process.stderr.write('\r\u001b[K');
      const tail = EFFECT_TEXT[effect] ? `: ${EFFECT_TEXT[effect]}` : '';
      process.stdout.write(`${paint(color, COLORS[j.verdict], j.verdict.padEnd(5))} ${f.path}: ${j.reason}${tail}\n`);
    }
  }
  if (progress) process.stderr.write('\r\u001b[K');

  const toFix = tools.filter((t) => t.action === 'fix');
  const toRebuild = tools.filter((t) => t.action === 'rebuild');
  const toAudit = tools.filter((t) => t.action === 'audit-code');
  const fixCmd = toFix.length ? `isa-shim fix --level ${L} ${toFix.map((t) => shq(t.judgement.path)).join(' ')}` : null;
  // The tree to rebuild: the root holding a failing tool; a binary-only package has no Makefile.
  const rebuildRoots = [...new Set(toRebuild.map((t) => t.root))];
  const rebuild = rebuildRoots.map((r) => {
    const tree = resolve(r);
    const hasSource = existsSync(join(tree, 'Makefile')) && existsSync(join(tree, 'scripts', 'Makefile.build'));
    return { root: r, hasSource, command: rebuildLine(hasSource ? tree : '/path/to/linux-source', ctx.binDir, level) };
  });
  const status = counts.FAIL > 0 || counts.MAYBE > 0 ? EXIT.FAIL : EXIT.OK;

  if (json) {
    const doc = {
      command: 'audit',
      level: L,
      levelOrigin,
      code,
      roots,
      ok: status === EXIT.OK,
      counts: { PASS: counts.PASS, FAIL: counts.FAIL, MAYBE: counts.MAYBE, SKIP: counts.SKIP },
      skipped,
      tools: tools.map((t) => ({
        ...judgementJson(t.judgement),
        root: t.root,
        tool: t.tool,
        realPath: t.realPath,
        effect: t.effect,
        action: t.action,
      })),
      advice: { fix: fixCmd, rebuild: rebuild.map((r) => ({ root: r.root, hasSource: r.hasSource, command: r.command })) },
    };
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    return status;
  }

  const skippedText = counts.SKIP ? `; ${counts.SKIP} other files skipped` : '';
  process.stdout.write(
    `audit: ${tools.length} host tools at ${L} (${levelOrigin}): ${counts.PASS} pass, ${counts.FAIL} fail, ${counts.MAYBE} maybe${skippedText}\n`,
  );
  if (tools.length === 0) process.stdout.write(`audit: no host tools found under ${roots.join(', ')}: is this a kernel headers tree?\n`);
  if (status === EXIT.OK) return status;
  process.stdout.write('\nWhat to do:\n');
  if (fixCmd) {
    process.stdout.write(
      `  ${toFix.length} tool${toFix.length > 1 ? 's' : ''} the loader refuses${code ? ' but whose code is within the level' : ''}: lower the note in place${code ? '' : ' (fix audits the code first and refuses a tool whose code is above the level)'}:\n    ${fixCmd}\n`,
    );
  }
  if (toRebuild.length) {
    process.stdout.write(`  ${toRebuild.length} tool${toRebuild.length > 1 ? 's have' : ' has'} code above ${L}: no note edit can save ${toRebuild.length > 1 ? 'them' : 'it'}; rebuild the tree's host tools through the shim:\n`);
    for (const r of rebuild) {
      process.stdout.write(`    ${r.command}\n`);
      if (!r.hasSource) {
        process.stdout.write(`    (${r.root} has no kernel Makefile: it is a binary package; run the line in the matching kernel source tree, configured like the headers, and install its host tools over these; see docs/dkms.md)\n`);
      }
    }
  }
  if (toAudit.length) {
    process.stdout.write(`  ${toAudit.length} tool${toAudit.length > 1 ? 's have' : ' has'} no note and unaudited code: run again without --no-code\n`);
  }
  return status;
}

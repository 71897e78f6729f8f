// Which inputs raised a link's ISA level: the objects and archive members on the command line and
// the startup files the compiler driver adds (asked of the real compiler, with its -B and --sysroot).
// GNU ld ORs every input's ISA_1_NEEDED, so any one of them is enough to stamp the output.
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { classifyDriver, classifyLinker } from '../args/classify.js';
import { levelName, type Level } from '../level.js';
import { summarizeFile } from '../elf/index.js';

export interface Culprit {
  /** `path`, or `path(member.o)` for an archive member. */
  readonly name: string;
  readonly level: Level;
  readonly startupFile: boolean;
}

/** Splits one line of `-###` output: every argument is double-quoted, with \\ and \" escapes. */
function splitQuoted(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
  return out;
}

/**
 * The startup files and other objects the driver itself adds to this link, read from the real
 * compiler's own `-###` plan of the same call (so -B, --sysroot, -static, -pie and -nostartfiles all
 * count exactly as they did). Nothing is run but the driver's dry run.
 */
export async function driverAddedObjects(tool: { file: string; prefixArgs: readonly string[] }, args: readonly string[], cwd: string): Promise<string[]> {
  // Imported here: a static import would load node:child_process on every compiled wrapper call.
  const { spawnSync } = await import('node:child_process');
  // A launcher (ccache gcc) comes first; ask the compiler after it directly.
  const words = [tool.file, ...tool.prefixArgs];
  const ccIndex = words.findIndex((w, i) => i > 0 && !w.startsWith('-')) > 0 && isLauncher(tool.file) ? 1 : 0;
  const [file, ...pre] = words.slice(ccIndex) as [string, ...string[]];
  const r = spawnSync(file, [...pre, ...args, '-###'], { encoding: 'utf8', cwd });
  // Command lines in -### output start with a space (gcc) or a quote (clang); the link is the last.
  const lines = (r.stderr ?? '').split('\n').filter((l) => l.startsWith(' ') || l.startsWith('"'));
  const link = lines.reverse().find((l) => /^\s*"?\S*(collect2|\/ld|\/ld\.\w+|ld\.lld)"?(\s|$)/.test(l));
  if (!link) return [];
  const given = new Set(args);
  return splitQuoted(link.trim()).filter((a) => a.endsWith('.o') && isAbsolute(a) && !given.has(a) && existsSync(a));
}

function isLauncher(file: string): boolean {
  return /(^|\/)(ccache|distcc|sccache|icecc|buildcache)$/.test(file);
}

function levelOf(path: string): Culprit[] {
  try {
    const s = summarizeFile(path);
    if (s.kind === 'elf' && s.neededLevel > 0) return [{ name: path, level: s.neededLevel as Level, startupFile: false }];
    if (s.kind === 'archive') {
      return s.members.flatMap((m) =>
        m.summary?.kind === 'elf' && m.summary.neededLevel > 0
          ? [{ name: `${path}(${m.name})`, level: m.summary.neededLevel as Level, startupFile: false }]
          : [],
      );
    }
  } catch {
    // an input we cannot read cannot be blamed; the link itself succeeded with it
  }
  return [];
}

/** Inputs whose note needs more than `level`, highest first. */
export async function blameInputs(
  kind: 'cc' | 'cxx' | 'ld',
  args: readonly string[],
  cwd: string,
  tool: { file: string; prefixArgs: readonly string[] },
  level: Level,
): Promise<Culprit[]> {
  const inputs = kind === 'ld' ? classifyLinker(args).inputs : classifyDriver(args).inputs;
  const out: Culprit[] = [];
  for (const i of inputs) {
    if (i === '-' || i.startsWith('-l')) continue;
    out.push(...levelOf(resolve(cwd, i)).map((c) => ({ ...c, name: i.startsWith('/') ? c.name : c.name.replace(resolve(cwd, i), i) })));
  }
  if (kind !== 'ld') {
    for (const f of await driverAddedObjects(tool, args, cwd)) out.push(...levelOf(f).map((c) => ({ ...c, startupFile: true })));
  }
  return out.filter((c) => c.level > level).sort((a, b) => b.level - a.level);
}

export function formatCulprits(culprits: readonly Culprit[]): string {
  if (culprits.length === 0) return 'no input on the command line or startup file carries it (an object built inside this call, or a -l library)';
  return culprits
    .slice(0, 6)
    .map((c) => `${c.name} (${c.startupFile ? 'startup file, ' : ''}${levelName(c.level)})`)
    .join(', ') + (culprits.length > 6 ? ` and ${culprits.length - 6} more` : '');
}

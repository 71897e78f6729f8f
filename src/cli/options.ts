// A small, strict option parser for the isa-shim commands: unknown options are one-line errors
// (exit 2), `--` ends options, `--x=v` and `--x v` both work.
import { EXIT, ShimError } from '../exit-codes.js';
import { LEVEL_SPELLINGS_HELP, parseLevel, type Level } from '../level.js';

export interface OptionSpec {
  readonly flags?: readonly string[];
  readonly values?: readonly string[];
  /** Short aliases: { '-q': '--quiet' }. */
  readonly aliases?: Readonly<Record<string, string>>;
}

export interface ParsedOptions {
  readonly flags: ReadonlySet<string>;
  /** The last value of each option. */
  readonly values: ReadonlyMap<string, string>;
  /** Every value of each option, in order (repeatable options such as --allow). */
  readonly all: ReadonlyMap<string, readonly string[]>;
  readonly rest: readonly string[];
}

export function parseOptions(cmd: string, argv: readonly string[], spec: OptionSpec): ParsedOptions {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const all = new Map<string, string[]>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i]!;
    if (a === '--') {
      rest.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      rest.push(a);
      continue;
    }
    a = spec.aliases?.[a] ?? a;
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (spec.values?.includes(name)) {
      const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new ShimError(`${cmd}: ${name} needs a value`, EXIT.BAD_INPUT);
      values.set(name, v);
      all.set(name, [...(all.get(name) ?? []), v]);
    } else if (spec.flags?.includes(name) && eq < 0) {
      flags.add(name);
    } else {
      throw new ShimError(`${cmd}: unknown option '${a}'; see isa-shim ${cmd} --help`, EXIT.BAD_INPUT);
    }
  }
  return { flags, values, all, rest };
}

export function levelOption(cmd: string, value: string | undefined): Level | undefined {
  if (value === undefined) return undefined;
  const l = parseLevel(value);
  if (l === undefined) throw new ShimError(`${cmd}: --level ${value}: expected one of ${LEVEL_SPELLINGS_HELP}`, EXIT.BAD_INPUT);
  return l;
}

/** Colour only on a terminal, never with NO_COLOR (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream): boolean {
  return !!stream.isTTY && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '') && process.env.TERM !== 'dumb';
}

export function paint(on: boolean, code: number, text: string): string {
  return on ? `\u001b[${code}m${text}\u001b[0m` : text;
}

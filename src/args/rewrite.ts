// The rewrite rules: argv in, argv plus the list of what changed and why out. Pure and linear in the
// number of arguments; every argument not named by a rule keeps its place and spelling.
import {
  cpuLevel,
  featureRank,
  isGenericCpu,
  levelName,
  levelNoteName,
  type Level,
} from '../level.js';
import { classifyDriver, classifyLinker, LINK_STEPS, type DriverInfo, type LinkerInfo } from './classify.js';

export interface Rewrite {
  /** The arguments as given (empty when something was added). */
  readonly from: readonly string[];
  /** What replaced them (empty when they were removed). */
  readonly to: readonly string[];
  readonly reason: string;
}

export interface RewriteContext {
  readonly level: Level;
  /** This CPU's level, asked only when `native` appears. */
  readonly hostLevel: () => Level;
}

export interface DriverRewrite {
  readonly info: DriverInfo;
  readonly args: string[];
  readonly rewrites: Rewrite[];
}

export interface LinkerRewrite {
  readonly info: LinkerInfo;
  readonly args: string[];
  readonly rewrites: Rewrite[];
}

/** The level a CPU name needs; undefined for names we cannot place (treated as too high). */
function cpuNeeds(cpu: string, ctx: RewriteContext): number | undefined {
  if (cpu === 'native') return ctx.hostLevel();
  return cpuLevel(cpu);
}

function cpuTooHigh(cpu: string, ctx: RewriteContext): { high: boolean; why: string } {
  const need = cpuNeeds(cpu, ctx);
  if (need === undefined) return { high: true, why: `unknown CPU '${cpu}' may need more than ${levelName(ctx.level)}` };
  const what = cpu === 'native' ? `native (this CPU, ${levelName(need as Level)})` : `'${cpu}'`;
  return { high: need > ctx.level, why: `${what} needs ${levelName(need as Level)}, above ${levelName(ctx.level)}` };
}

// ---------------------------------------------------------------- linker tokens

type TokenAction = { kind: 'keep' } | { kind: 'drop' } | { kind: 'set'; value: string };
const KEEP: TokenAction = { kind: 'keep' };
const DROP: TokenAction = { kind: 'drop' };

const Z_LEVEL = /^x86-64-(baseline|v[1-4])$/;

/**
 * Decides, for each linker-level token (as GNU ld or lld would see them), whether it stays, goes or
 * changes. Shared by isa-hostld and by the -Wl,/-Xlinker/-z tokens of a driver link.
 */
export function rewriteLinkerTokens(
  tokens: readonly string[],
  ctx: RewriteContext,
): { actions: TokenAction[]; rewrites: Rewrite[] } {
  const actions: TokenAction[] = tokens.map(() => KEEP);
  const rewrites: Rewrite[] = [];
  const L = ctx.level;

  const zLevel = (value: string, from: string[], apply: (a: TokenAction) => void, drop: () => void): void => {
    const m = Z_LEVEL.exec(value);
    if (!m) return;
    const word = m[1]!;
    if (word === 'baseline' || word === 'v1') {
      drop();
      rewrites.push({ from, to: [], reason: `-z ${value} dropped: it adds nothing and GNU ld 2.40 crashes on it` });
      return;
    }
    const n = Number(word.slice(1));
    if (n <= L) return;
    if (L === 1) {
      drop();
      rewrites.push({ from, to: [], reason: `-z ${value} is above x86-64 baseline; no -z mark exists for baseline` });
    } else {
      apply({ kind: 'set', value: levelNoteName(L) });
      rewrites.push({ from, to: from.map((f) => f.replace(value, levelNoteName(L))), reason: `-z ${value} is above ${levelName(L)}` });
    }
  };

  const mcpu = (prefix: string, cpu: string, index: number, from: string[]): void => {
    const { high, why } = cpuTooHigh(cpu, ctx);
    if (!high) return;
    const value = `${prefix}${levelName(L)}`;
    actions[index] = { kind: 'set', value };
    rewrites.push({ from, to: from.length === 2 ? [from[0]!, value] : [value], reason: `LTO link-time CPU ${why}` });
  };

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    if (t === '-z' && next !== undefined) {
      const j = i + 1;
      zLevel(next, [t, next], (a) => (actions[j] = a), () => {
        actions[i] = DROP;
        actions[j] = DROP;
      });
      i++;
      continue;
    }
    if (t.startsWith('-z') && t.length > 2 && t[2] !== '=') {
      const v = t.slice(2);
      zLevel(v, [t], (a) => (actions[i] = a.kind === 'set' ? { kind: 'set', value: `-z${a.value}` } : a), () => {
        actions[i] = DROP;
      });
      continue;
    }
    const joined = /^(--?plugin-opt=(?:-)?mcpu=)(.*)$/.exec(t);
    if (joined) {
      mcpu(joined[1]!, joined[2]!, i, [t]);
      continue;
    }
    if ((t === '-plugin-opt' || t === '--plugin-opt') && next !== undefined) {
      const m = /^(-?mcpu=)(.*)$/.exec(next);
      if (m) mcpu(m[1]!, m[2]!, i + 1, [t, next]);
      i++;
      continue;
    }
    if (t === '-mllvm' && next !== undefined) {
      const m = /^(-mcpu=)(.*)$/.exec(next);
      if (m) mcpu(m[1]!, m[2]!, i + 1, [t, next]);
      i++;
      continue;
    }
  }
  return { actions, rewrites };
}

// ---------------------------------------------------------------- linker (isa-hostld)

export function rewriteLinkerArgs(args: readonly string[], ctx: RewriteContext): LinkerRewrite {
  const info = classifyLinker(args);
  if (info.step === 'query') return { info, args: [...args], rewrites: [] };
  const { actions, rewrites } = rewriteLinkerTokens(args, ctx);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = actions[i]!;
    if (a.kind === 'keep') out.push(args[i]!);
    else if (a.kind === 'set') out.push(a.value);
  }
  return { info, args: out, rewrites };
}

// ---------------------------------------------------------------- compiler driver

/** Where one linker token sits in the driver argv. */
interface TokenRef {
  readonly arg: number;
  /** Item within a -Wl, list; -1 for a whole argument (-Xlinker value, -z and its value). */
  readonly item: number;
}

export function rewriteDriverArgs(args: readonly string[], ctx: RewriteContext): DriverRewrite {
  const info = classifyDriver(args);
  if (info.step === 'query') return { info, args: [...args], rewrites: [] };
  const L = ctx.level;
  const target = levelName(L);
  const isLink = LINK_STEPS.has(info.step);
  const rewrites: Rewrite[] = [];

  // Pass 1: per-argument rules (-march, -m<feature>) and the linker token stream of link steps.
  const replaced: (string[] | undefined)[] = new Array(args.length);
  const tokens: string[] = [];
  const refs: TokenRef[] = [];
  let addTune: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.length < 2 || a[0] !== '-') continue;
    if (a.startsWith('-march=')) {
      if (info.step === 'assemble') continue;
      const cpu = a.slice(7);
      const { high, why } = cpuTooHigh(cpu, ctx);
      if (high) {
        replaced[i] = [`-march=${target}`];
        rewrites.push({ from: [a], to: [`-march=${target}`], reason: `-march ${why}` });
        if (!isGenericCpu(cpu) && !info.hasMtune && addTune === undefined && cpuNeeds(cpu, ctx) !== undefined) {
          addTune = cpu;
        }
      }
      continue;
    }
    if (a.startsWith('-m') && a.length > 2 && !a.startsWith('-mno-')) {
      const rank = featureRank(a.slice(2));
      if (rank !== undefined && rank > L) {
        replaced[i] = [];
        const why = rank === 5 ? 'is in no x86-64 level' : `needs ${levelName(rank)}`;
        rewrites.push({ from: [a], to: [], reason: `${a} ${why}, above ${target}` });
      }
      continue;
    }
    if (!isLink) {
      // Options with a separate value must not have that value read as an option.
      if (a === '-Xlinker' || a === '-z' || a === '-mllvm' || a === '-Xclang' || a === '-o' || a === '-x') i++;
      continue;
    }
    if (a.startsWith('-Wl,')) {
      const items = a.slice(4).split(',');
      for (let k = 0; k < items.length; k++) {
        tokens.push(items[k]!);
        refs.push({ arg: i, item: k });
      }
      continue;
    }
    if ((a === '-Xlinker' || a === '-z') && i + 1 < args.length) {
      if (a === '-z') {
        tokens.push('-z');
        refs.push({ arg: i, item: -1 });
      }
      tokens.push(args[i + 1]!);
      refs.push({ arg: i + 1, item: -1 });
      i++;
      continue;
    }
    if (a.startsWith('-z') && a.length > 2) {
      tokens.push(a);
      refs.push({ arg: i, item: -1 });
      continue;
    }
    if (a === '-o' || a === '-x' || a === '-mllvm' || a === '-Xclang') i++;
  }

  // Pass 2: linker tokens, then fold their actions back onto the arguments they came from.
  if (tokens.length > 0) {
    const res = rewriteLinkerTokens(tokens, ctx);
    rewrites.push(...res.rewrites);
    const wlItems = new Map<number, (string | undefined)[]>();
    for (let t = 0; t < tokens.length; t++) {
      const act = res.actions[t]!;
      if (act.kind === 'keep') continue;
      const ref = refs[t]!;
      const value = act.kind === 'set' ? act.value : undefined;
      if (ref.item === -1) {
        replaced[ref.arg] = value === undefined ? [] : [value];
        // -Xlinker's value dropped: drop the -Xlinker before it too.
        if (value === undefined && args[ref.arg - 1] === '-Xlinker') replaced[ref.arg - 1] = [];
      } else {
        let items = wlItems.get(ref.arg);
        if (!items) {
          items = args[ref.arg]!.slice(4).split(',');
          wlItems.set(ref.arg, items);
        }
        items[ref.item] = value;
      }
    }
    for (const [arg, items] of wlItems) {
      const kept = items.filter((x): x is string => x !== undefined);
      replaced[arg] = kept.length === 0 ? [] : [`-Wl,${kept.join(',')}`];
    }
  }

  // A compile with no -march would use the compiler's own default, which may be above the level
  // (distro compilers built --with-arch=x86-64-v3). A link that compiles sources or runs LTO
  // code generation needs it too; a plain object link does not, and clang would warn on it.
  // Preprocessing generates no code: `-E` probes (kbuild's, autoconf's) must print exactly what
  // the real compiler prints, so nothing is added there (an explicit -march above is still lowered).
  const needsMarch = !info.hasMarch && (info.step === 'compile' || (isLink && (info.compilesSource || info.lto)));
  // Added options go first: before any `-x`, `--` or input, where every driver reads them as options.
  const out: string[] = [];
  if (needsMarch) {
    out.push(`-march=${target}`);
    rewrites.push({ from: [], to: [`-march=${target}`], reason: `pins the compiler's default CPU to ${target}` });
  }
  if (addTune !== undefined) {
    out.push(`-mtune=${addTune}`);
    rewrites.push({ from: [], to: [`-mtune=${addTune}`], reason: `keeps the tuning of -march=${addTune}` });
  }
  for (let i = 0; i < args.length; i++) {
    const r = replaced[i];
    if (r === undefined) out.push(args[i]!);
    else for (const x of r) out.push(x);
  }
  return { info, args: out, rewrites };
}

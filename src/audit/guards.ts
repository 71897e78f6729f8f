// Which functions are only reached after a CPU check, judged by their names. The audit cannot follow an
// IFUNC resolver or a dispatcher, so it relies on the naming conventions the toolchains actually use
// (checked against gcc 12 and clang 14 on Debian 12, and glibc 2.36's sysdeps/x86_64/multiarch):
//   gcc  target_clones / target:  f.avx2  f.arch_x86_64_v3  f.sse4_2  _Z1hPii.avx2   (f is the IFUNC)
//   clang target_clones:          f.avx2.0  f.arch_x86-64-v3.1  f.sse4.2.3            (f.ifunc is the IFUNC)
//   glibc multiarch (static):     __memcpy_avx_unaligned_erms  __strlen_evex  __wcsnlen_sse4_1
//                                 __sin_fma  _dl_runtime_resolve_xsavec  __memmove_avx512_unaligned_erms

export type GuardReason = 'target-clone' | 'ifunc-target' | 'glibc-multiarch' | 'allow-list' | 'runtime-check';

export interface Guard {
  readonly reason: GuardReason;
  /** What matched: the IFUNC's name, the allow pattern, or the ISA tag of the name. */
  readonly detail: string;
}

// A word naming an ISA extension, a CPU or an x86-64 level, as it appears in clone and multiarch names.
const ISA_WORD =
  '(?:avx(?:2|512(?:f|bw|cd|dq|vl|[a-z0-9]*)?|10[a-z0-9]*|vnni[a-z0-9]*)?|evex(?:256|512)?|ssse3|sse(?:3|4|4a|41|42)|' +
  'popcnt|bmi2?|fma4?|f16c|lzcnt|abm|movbe|xsave(?:c|opt|s)?|aes|vaes|pclmul|vpclmulqdq|sha|gfni|adx|rdrnd|' +
  'rdseed|erms|fsrm|rtm|amx[a-z0-9]*|x86[-_]64[-_]v[234]|haswell|broadwell|skylake[a-z0-9-]*|icelake[a-z-]*|' +
  'cascadelake|cooperlake|tigerlake|sapphirerapids|alderlake|znver[1-5])';

/** One `.`-separated segment of a clone name: `avx2`, `sse4` (of sse4.2), `sse4_2`, `avx2_bmi2`, `arch_...`. */
const CLONE_SEGMENT = new RegExp(`^(?:arch_[A-Za-z0-9_-]+|${ISA_WORD}(?:[_+-](?:${ISA_WORD}|[0-9]+))*)$`);
/** One `_`-separated word of a multiarch name (`sse4_1` splits into `sse4`, `1`). */
const ISA_WORD_RE = new RegExp(`^${ISA_WORD}$`);

/** The ISA segment of a compiler clone name (`f.avx2.0` gives `avx2`), else undefined. */
export function cloneTag(name: string): string | undefined {
  const parts = name.split('.');
  // parts[0] is the base name; an empty base (".avx2") is not a clone.
  if (parts.length < 2 || parts[0] === '') return undefined;
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i]!;
    if (CLONE_SEGMENT.test(p)) return p;
  }
  return undefined;
}

/** The ISA word of an `_`-separated name (`__strlen_avx2` gives `avx2`), else undefined. */
function isaWord(words: readonly string[]): string | undefined {
  for (const w of words) if (ISA_WORD_RE.test(w)) return w;
  return undefined;
}

// glibc code that is selected at run time without an ISA word in its name: lock elision (RTM), only used
// when init_cpu_features found RTM usable.
const GLIBC_RUNTIME_SELECTED = /^__(?:lll|pthread_mutex)_\w*elision\w*$/;

/**
 * glibc's multiarch implementations: a reserved (`_`-prefixed) name with an ISA word after the first
 * (`__strlen_avx2`, `_dl_runtime_resolve_xsavec`), and the few runtime-selected functions named otherwise.
 */
export function glibcMultiarchTag(name: string): string | undefined {
  if (GLIBC_RUNTIME_SELECTED.test(name)) return 'rtm-elision';
  if (!name.startsWith('_') || name.includes('.')) return undefined;
  const words = name.replace(/^_+/, '').split('_');
  if (words.length < 2) return undefined;
  return isaWord(words.slice(1));
}

/** The names users write for IFUNC symbols, without the `.ifunc`/`.resolver` suffix and leading `_`. */
export function ifuncBase(name: string): string {
  return name.replace(/\.(ifunc|resolver)$/, '').replace(/^_+/, '');
}

/** Compiles `*`/`?` globs to one anchored regular expression; undefined when there are none. */
export function compileAllow(patterns: readonly string[] | undefined): RegExp | undefined {
  if (patterns === undefined || patterns.length === 0) return undefined;
  const alts = patterns.map((p) =>
    p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.'),
  );
  return new RegExp(`^(?:${alts.join('|')})$`);
}

export interface GuardContext {
  /** ifuncBase() of every STT_GNU_IFUNC symbol in the image. */
  readonly ifuncs: ReadonlySet<string>;
  readonly allow: RegExp | undefined;
}

/**
 * Why a function (known by all its alias names) is only reached after a CPU check, or undefined when
 * nothing says so. The allow-list wins, so users can see their own patterns at work.
 */
export function guardOf(names: readonly string[], ctx: GuardContext): Guard | undefined {
  if (ctx.allow !== undefined) {
    for (const n of names) if (ctx.allow.test(n)) return { reason: 'allow-list', detail: n };
  }
  for (const n of names) {
    const tag = cloneTag(n);
    if (tag !== undefined) return { reason: 'target-clone', detail: tag };
  }
  for (const n of names) {
    const target = ifuncTargetOf(n, ctx.ifuncs);
    if (target !== undefined) return { reason: 'ifunc-target', detail: target };
  }
  for (const n of names) {
    const tag = glibcMultiarchTag(n);
    if (tag !== undefined) return { reason: 'glibc-multiarch', detail: tag };
  }
  return undefined;
}

// A user IFUNC `foo` with targets `foo_avx2`, `__foo_haswell`: the name extends an IFUNC's name and the
// rest carries an ISA word. Requiring the ISA word keeps `foo_helper` (unguarded) from being excused.
function ifuncTargetOf(name: string, ifuncs: ReadonlySet<string>): string | undefined {
  if (ifuncs.size === 0) return undefined;
  const bare = name.replace(/^_+/, '');
  const words = bare.split(/[_.]/);
  // Try every prefix of words as the IFUNC name: `memcpy_chk_avx` may belong to `memcpy_chk` or `memcpy`.
  let prefix = '';
  for (let i = 0; i < words.length - 1; i++) {
    prefix = i === 0 ? words[0]! : bare.slice(0, prefix.length + 1 + words[i]!.length);
    if (ifuncs.has(prefix) && isaWord(words.slice(i + 1)) !== undefined) return prefix;
  }
  return undefined;
}

// Classifies one compiler-driver or linker call once, into an explicit record, before anything acts
// on it (ccache's args-info). Nothing here changes the arguments.

export type Step = 'query' | 'preprocess' | 'compile' | 'assemble' | 'link' | 'partial-link' | 'shared';

export const LINK_STEPS: ReadonlySet<Step> = new Set<Step>(['link', 'partial-link', 'shared']);

export interface DriverInfo {
  readonly step: Step;
  /** Output path of a link step (`a.out` when no -o), else the -o value if any. */
  readonly output: string | undefined;
  /** Positional inputs (files, `-` for stdin, -l libraries are not included). */
  readonly inputs: readonly string[];
  /** True when some input will be compiled here (a source file, stdin, or -x <lang>). */
  readonly compilesSource: boolean;
  readonly hasMarch: boolean;
  readonly hasMtune: boolean;
  readonly lto: boolean;
}

// Driver options whose value is the next argument. Knowing them keeps `-o foo.c` or
// `-MF x.d` from being taken as inputs. Joined spellings (-ofoo, -Ifoo) need no entry.
const DRIVER_SEPARATE = new Set([
  '-o', '-x', '-I', '-L', '-D', '-U', '-include', '-imacros', '-isystem', '-iquote', '-idirafter', '-iprefix',
  '-iwithprefix', '-iwithprefixbefore', '-isysroot', '-imultilib', '-MF', '-MT', '-MQ', '-Xlinker', '-Xassembler',
  '-Xpreprocessor', '-Xclang', '-Xanalyzer', '-mllvm', '-T', '-u', '-e', '-aux-info', '--param', '-A', '-B', '-z',
  '-target', '--target', '-arch', '--sysroot', '-specs', '--specs', '-l', '-dumpdir', '-dumpbase', '-dumpbase-ext',
  '-G', '-Xopenmp-target', '-Xcuda-fatbinary', '-Xcuda-ptxas', '-ivfsoverlay', '-resource-dir', '-working-directory',
]);

const QUERY_FLAGS = new Set([
  '--version', '-dumpversion', '-dumpfullversion', '-dumpmachine', '-dumpspecs', '-###', '--help', '--target-help',
  '-print-search-dirs', '-print-libgcc-file-name', '-print-multi-directory', '-print-multi-lib',
  '-print-multi-os-directory', '-print-multiarch', '-print-sysroot', '-print-sysroot-headers-suffix',
  '-print-resource-dir', '-print-targets', '-print-effective-triple', '-print-target-triple',
  '-print-supported-cpus', '--print-supported-cpus', '-print-rtlib', '-print-runtime-dir',
]);

function isQueryFlag(a: string): boolean {
  return (
    QUERY_FLAGS.has(a) ||
    a.startsWith('-print-file-name=') ||
    a.startsWith('-print-prog-name=') ||
    a.startsWith('--print-file-name=') ||
    a.startsWith('--print-prog-name=') ||
    a.startsWith('--help=') ||
    a.startsWith('-mcpu=?') ||
    a === '-mcpu=help' ||
    a === '-mtune=help'
  );
}

const SOURCE_EXT =
  /\.(c|i|ii|cc|cp|cxx|cpp|CPP|c\+\+|C|m|mi|mm|M|mii|h|hh|H|hp|hxx|hpp|HPP|h\+\+|tcc|S|sx|F|f|for|f90|f95|ads|adb|d|go|rs|bc|ll)$/;
const PLAIN_ASM_EXT = /\.s$/;

export function classifyDriver(args: readonly string[]): DriverInfo {
  let output: string | undefined;
  const inputs: string[] = [];
  let preprocess = false;
  let compile = false;
  let partial = false;
  let shared = false;
  let query = false;
  let hasMarch = false;
  let hasMtune = false;
  let lto = false;
  let lang: string | undefined; // -x <lang> currently in effect
  let compilesSource = false;
  let allPlainAsm = true;

  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-') {
      inputs.push(a);
      compilesSource = true;
      allPlainAsm = false;
      continue;
    }
    if (a.length === 0 || a[0] !== '-') {
      inputs.push(a);
      if (lang !== undefined ? lang !== 'assembler' : SOURCE_EXT.test(a)) {
        compilesSource = true;
        allPlainAsm = false;
      } else if (lang === 'assembler' || PLAIN_ASM_EXT.test(a)) {
        // plain assembly: the assembler ignores -march
      } else {
        allPlainAsm = false;
      }
      continue;
    }
    if (DRIVER_SEPARATE.has(a)) {
      const v = args[i + 1];
      if (a === '-o') output = v;
      else if (a === '-x') lang = v === 'none' ? undefined : v;
      i++;
      continue;
    }
    if (a.startsWith('-o') && a.length > 2) output = a.slice(2);
    else if (a.startsWith('-x') && a.length > 2) lang = a.slice(2) === 'none' ? undefined : a.slice(2);
    else if (a === '-E' || a === '-M' || a === '-MM') {
      preprocess = true;
    } else if (a === '-c' || a === '-S') compile = true;
    else if (a === '-r' || a === '--relocatable' || a === '-Wl,-r' || a === '-Wl,--relocatable') partial = true;
    else if (a === '-shared' || a === '--shared') shared = true;
    else if (a.startsWith('-march=')) hasMarch = true;
    else if (a.startsWith('-mtune=')) hasMtune = true;
    else if (a === '-flto' || a.startsWith('-flto=')) lto = true;
    else if (a === '-fno-lto') lto = false;
    else if (isQueryFlag(a)) query = true;
  }

  let step: Step;
  if (query || inputs.length === 0) step = 'query';
  else if (preprocess) step = 'preprocess';
  else if (compile) step = allPlainAsm ? 'assemble' : 'compile';
  else if (partial) step = 'partial-link';
  else if (shared) step = 'shared';
  else step = 'link';

  const linkOutput = step === 'link' || step === 'shared' || step === 'partial-link' ? (output ?? 'a.out') : output;
  return { step, output: linkOutput, inputs, compilesSource, hasMarch, hasMtune, lto };
}

export interface LinkerInfo {
  readonly step: Step;
  readonly output: string | undefined;
  readonly inputs: readonly string[];
}

// GNU ld / lld options whose value is the next argument.
const LD_SEPARATE = new Set([
  '-o', '--output', '-L', '--library-path', '-T', '--script', '-e', '--entry', '-m', '-z', '-u', '--undefined',
  '-soname', '-h', '-rpath', '-rpath-link', '--dynamic-linker', '-dynamic-linker', '-Map', '-y', '--trace-symbol',
  '-F', '-f', '--auxiliary', '--filter', '-plugin', '--plugin', '-plugin-opt', '--plugin-opt', '-mllvm', '--sysroot',
  '--version-script', '--dynamic-list', '-Y', '-a', '-b', '--format', '-A', '--architecture', '--defsym',
  '--section-start', '-Ttext', '-Tdata', '-Tbss', '-R', '--just-symbols', '-G', '--gpsize', '-l', '--library',
  '--wrap', '--exclude-libs', '--hash-style', '--build-id', '--image-base', '--sort-section', '--retain-symbols-file',
  '--push-state', '-O', '--thinlto-cache-dir', '--lto-O',
]);

export function classifyLinker(args: readonly string[]): LinkerInfo {
  let output: string | undefined;
  const inputs: string[] = [];
  let partial = false;
  let shared = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.length === 0 || a[0] !== '-') {
      inputs.push(a);
      continue;
    }
    if (a === '-o' || a === '--output') {
      output = args[i + 1];
      i++;
      continue;
    }
    if (a.startsWith('--output=')) output = a.slice(9);
    else if (a.startsWith('-o') && a.length > 2 && !a.startsWith('-oformat')) output = a.slice(2);
    else if (a === '-r' || a === '--relocatable' || a === '-Ur' || a === '-i') partial = true;
    else if (a === '-shared' || a === '--shared' || a === '-Bshareable') shared = true;
    else if (a.startsWith('-l') || a.startsWith('--library=')) inputs.push(a);
    else if (LD_SEPARATE.has(a)) i++;
  }
  // `ld -v` alone asks for the version; with inputs it is a verbose link.
  let step: Step;
  if (inputs.length === 0) step = 'query';
  else if (partial) step = 'partial-link';
  else if (shared) step = 'shared';
  else step = 'link';
  return { step, output: step === 'query' ? undefined : (output ?? 'a.out'), inputs };
}

// What the kernel end-to-end harness builds: where, which kernel configuration, which leaky
// environments (variants), and which host tools it expects to find afterwards.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const HERE = join(REPO, 'integration/kernel');
export const FIXTURES = join(HERE, 'fixtures');
export const KERNEL_TARBALL = process.env['ISA_E2E_KERNEL_TARBALL'] ?? '/usr/src/linux-source-6.1.tar.xz';
export const CACHE = process.env['ISA_E2E_CACHE'] ?? '/var/tmp/isa-shim-kernel';
export const SRC_PARENT = join(CACHE, 'src');
export const SRCTREE = join(SRC_PARENT, 'linux-source-6.1');
export const LOGS = join(CACHE, 'logs');
export const WORK = join(CACHE, 'work');
export const REPORT = join(CACHE, 'last-report.md');
export const REPORT_JSON = join(CACHE, 'last-report.json');
export const QEMU = ['qemu-x86_64', '-cpu', 'Nehalem'] as const;
export const JOBS = process.env['ISA_E2E_JOBS'] ?? '2';

export const SHIM = {
  cc: join(REPO, 'bin/isa-hostcc'),
  cxx: join(REPO, 'bin/isa-hostcxx'),
  ld: join(REPO, 'bin/isa-hostld'),
} as const;

/** gcc and clang kernels differ in .config (CC_IS_CLANG, no GCC plugins), so each has its own object dir. */
export type Family = 'gcc' | 'llvm';

export function objdirOf(family: Family): string {
  return join(CACHE, 'obj', family);
}

/** `make` arguments that select the compiler family (also needed by the module build). */
export function familyMakeArgs(family: Family): string[] {
  return family === 'llvm' ? ['LLVM=1'] : [];
}

/** scripts/config arguments on top of x86_64_defconfig: what makes a distro kernel build every host tool. */
export const CONFIG_FRAGMENT: readonly string[] = [
  '-d', 'DEBUG_INFO_NONE', '-e', 'DEBUG_INFO', '-e', 'DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT',
  '-e', 'BPF_SYSCALL', '-e', 'DEBUG_INFO_BTF', // resolve_btfids (needs pahole)
  '-e', 'MODVERSIONS', // genksyms
  '-e', 'MODULE_SIG', '-e', 'MODULE_SIG_ALL', '-e', 'MODULE_SIG_SHA256', // sign-file
  '-e', 'GCC_PLUGINS', '-e', 'GCC_PLUGIN_LATENT_ENTROPY', // one HOSTCXX -shared plugin (gcc only)
];

/** Symbols that must be `=y` after olddefconfig, or the harness would test less than it claims. */
export function requiredSymbols(family: Family): string[] {
  const common = ['MODULES', 'OBJTOOL', 'DEBUG_INFO_BTF', 'MODVERSIONS', 'MODULE_SIG', 'MODULE_SIG_FORMAT',
    'KALLSYMS', 'BUILDTIME_TABLE_SORT', 'ASN1', 'SECURITY_SELINUX', 'UNWINDER_ORC'];
  return family === 'gcc'
    ? [...common, 'CC_IS_GCC', 'GCC_PLUGINS', 'GCC_PLUGIN_LATENT_ENTROPY']
    : [...common, 'CC_IS_CLANG'];
}

export interface HostTool {
  /** Short name used in the report. */
  readonly id: string;
  /** Path relative to the object dir. */
  readonly path: string;
  readonly family?: Family;
}

/** Every host ELF a distro-like modules_prepare produces (plus conf, built by the config step). */
export const HOST_TOOLS: readonly HostTool[] = [
  { id: 'fixdep', path: 'scripts/basic/fixdep' },
  { id: 'conf', path: 'scripts/kconfig/conf' },
  { id: 'mk_elfconfig', path: 'scripts/mod/mk_elfconfig' },
  { id: 'modpost', path: 'scripts/mod/modpost' },
  { id: 'genksyms', path: 'scripts/genksyms/genksyms' },
  { id: 'kallsyms', path: 'scripts/kallsyms' },
  { id: 'sorttable', path: 'scripts/sorttable' },
  { id: 'asn1_compiler', path: 'scripts/asn1_compiler' },
  { id: 'sign-file', path: 'scripts/sign-file' },
  { id: 'genheaders', path: 'scripts/selinux/genheaders/genheaders' },
  { id: 'mdp', path: 'scripts/selinux/mdp/mdp' },
  { id: 'relocs', path: 'arch/x86/tools/relocs' },
  { id: 'objtool', path: 'tools/objtool/objtool' },
  { id: 'objtool/fixdep', path: 'tools/objtool/fixdep' },
  { id: 'resolve_btfids', path: 'tools/bpf/resolve_btfids/resolve_btfids' },
  { id: 'resolve_btfids/fixdep', path: 'tools/bpf/resolve_btfids/fixdep' },
  { id: 'latent_entropy_plugin', path: 'scripts/gcc-plugins/latent_entropy_plugin.so', family: 'gcc' },
];

export function toolsFor(family: Family): HostTool[] {
  return HOST_TOOLS.filter((t) => !t.family || t.family === family);
}

/** The tools a DKMS-style `make M=... modules` executes, replaced by qemu wrappers during that build. */
export const MODULE_BUILD_TOOLS: readonly string[] = [
  'scripts/basic/fixdep', 'tools/objtool/objtool', 'scripts/genksyms/genksyms', 'scripts/mod/modpost',
];

export type Mode = 'before' | 'after';

export interface Variant {
  readonly n: number;
  readonly id: string;
  readonly title: string;
  readonly family: Family;
  /** What the harness expects the level of the "after" tools to be (the shim's configured or detected level). */
  readonly level: 1 | 2;
  /** `make` variable assignments and environment for each mode. */
  build(mode: Mode, ctx: VariantContext): { make: string[]; env: Record<string, string | undefined> };
}

export interface VariantContext {
  /** Directory with the v3-stamped Scrt1.o/crt1.o/crti.o (variant 5). */
  readonly stampedCrtDir: string;
  /** ISA_LOG file for the shim's one-line-per-call trace. */
  readonly shimLog: string;
}

const V3 = '-O2 -march=x86-64-v3';
const ZV3 = '-Wl,-O1 -Wl,-z,x86-64-v3';

function shimMake(): string[] {
  return [`HOSTCC=${SHIM.cc}`, `HOSTCXX=${SHIM.cxx}`, `HOSTLD=${SHIM.ld}`];
}

export const VARIANTS: readonly Variant[] = [
  {
    n: 1, id: 'v3-flags', family: 'gcc', level: 2,
    title: 'gcc, HOSTCFLAGS/HOSTCXXFLAGS -march=x86-64-v3, HOSTLDFLAGS -Wl,-z,x86-64-v3',
    build(mode, ctx) {
      const flags = [`HOSTCFLAGS=${V3}`, `HOSTCXXFLAGS=${V3} -Wl,-z,x86-64-v3`, `HOSTLDFLAGS=${ZV3}`];
      return mode === 'before'
        ? { make: flags, env: {} }
        : { make: [...shimMake(), ...flags], env: { ISA_LEVEL: 'v2', ISA_LOG: ctx.shimLog } };
    },
  },
  {
    n: 2, id: 'gcc-lto', family: 'gcc', level: 2,
    title: 'gcc LTO: the same flags plus -flto=auto',
    build(mode, ctx) {
      const flags = [`HOSTCFLAGS=${V3} -flto=auto`, `HOSTCXXFLAGS=${V3} -flto=auto -Wl,-z,x86-64-v3`,
        `HOSTLDFLAGS=${ZV3} -flto=auto`];
      return mode === 'before'
        ? { make: flags, env: {} }
        : { make: [...shimMake(), ...flags], env: { ISA_LEVEL: 'v2', ISA_LOG: ctx.shimLog } };
    },
  },
  {
    n: 3, id: 'clang-lto', family: 'llvm', level: 2,
    title: 'LLVM=1, clang full LTO (GNU ld + LLVMgold; tools/ partial links with ld.lld -r)',
    build(mode, ctx) {
      const flags = ['LLVM=1', `HOSTCFLAGS=${V3} -flto`, `HOSTCXXFLAGS=${V3} -flto`,
        'HOSTLDFLAGS=-flto -Wl,-z,x86-64-v3'];
      return mode === 'before'
        ? { make: flags, env: {} }
        : {
            make: [...flags, ...shimMake()],
            env: { ISA_LEVEL: 'v2', ISA_LOG: ctx.shimLog, ISA_HOSTCC: 'clang', ISA_HOSTCXX: 'clang++', ISA_HOSTLD: 'ld.lld' },
          };
    },
  },
  {
    n: 4, id: 'clang-lto-lld', family: 'llvm', level: 2,
    title: 'LLVM=1, clang full LTO linked by lld (-fuse-ld=lld: no note, v3 code)',
    build(mode, ctx) {
      const flags = ['LLVM=1', `HOSTCFLAGS=${V3} -flto`, `HOSTCXXFLAGS=${V3} -flto`,
        'HOSTLDFLAGS=-flto -fuse-ld=lld -Wl,-z,x86-64-v3'];
      return mode === 'before'
        ? { make: flags, env: {} }
        : {
            make: [...flags, ...shimMake()],
            env: { ISA_LEVEL: 'v2', ISA_LOG: ctx.shimLog, ISA_HOSTCC: 'clang', ISA_HOSTCXX: 'clang++', ISA_HOSTLD: 'ld.lld' },
          };
    },
  },
  {
    n: 5, id: 'v3-crt', family: 'gcc', level: 2,
    title: 'startup files stamped v3 (gcc -B <dir> with ld -r -z x86-64-v3 copies of Scrt1.o, crt1.o, crti.o)',
    build(mode, ctx) {
      const cc = `gcc -B ${ctx.stampedCrtDir}/`;
      const cxx = `g++ -B ${ctx.stampedCrtDir}/`;
      return mode === 'before'
        ? { make: [`HOSTCC=${cc}`, `HOSTCXX=${cxx}`], env: {} }
        : { make: shimMake(), env: { ISA_LEVEL: 'v2', ISA_LOG: ctx.shimLog, ISA_HOSTCC: cc, ISA_HOSTCXX: cxx } };
    },
  },
  {
    n: 6, id: 'auto-level', family: 'gcc', level: 1,
    title: 'variant 1 flags, no level set: the shim takes it from the kernel .config (auto; GENERIC_CPU = x86-64)',
    build(mode, ctx) {
      const flags = [`HOSTCFLAGS=${V3}`, `HOSTCXXFLAGS=${V3} -Wl,-z,x86-64-v3`, `HOSTLDFLAGS=${ZV3}`];
      return mode === 'before'
        ? { make: flags, env: {} }
        : { make: [...shimMake(), ...flags], env: { ISA_LOG: ctx.shimLog } };
    },
  },
];

/** ISA_E2E_VARIANTS=1,3 or =v3-flags,clang-lto selects variants; default all. */
export function selectedVariants(spec = process.env['ISA_E2E_VARIANTS']): Variant[] {
  if (!spec) return [...VARIANTS];
  const want = new Set(spec.split(',').map((s) => s.trim()).filter(Boolean));
  return VARIANTS.filter((v) => want.has(String(v.n)) || want.has(v.id));
}

/** ISA_E2E_MODES=before or =after runs one side only (default both). */
export function selectedModes(spec = process.env['ISA_E2E_MODES']): Mode[] {
  if (!spec) return ['before', 'after'];
  return (['before', 'after'] as const).filter((m) => spec.split(',').includes(m));
}

export function kernelSourceAvailable(): boolean {
  return existsSync(KERNEL_TARBALL);
}

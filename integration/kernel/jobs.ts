// One real, small job per host tool, run under `qemu-x86_64 -cpu Nehalem` (an x86-64-v2 CPU
// without AVX/BMI). Each job checks the tool's output, not only its exit status.
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { run, runOk, type RunResult } from './run.js';
import { FIXTURES, QEMU, SRCTREE, WORK, objdirOf, type Family } from './setup.js';

export interface JobOutcome {
  readonly ok: boolean;
  /** One line: what was checked, or why it failed. */
  readonly detail: string;
  readonly ms: number;
}

/** Inputs built once per harness run with the system toolchain (natively). */
export interface JobInputs {
  readonly dir: string;
  readonly depfile: string;
  readonly objtoolObj: string;
  readonly sorttableElf: string;
  readonly relocsElf: string;
  readonly btfObj: string;
  readonly key: string;
  readonly kallsymsMap: string;
  readonly genksymsInput: string;
  /** gcc -wrapper script: runs cc1/cc1plus under qemu Nehalem, everything else natively. */
  readonly cc1Wrapper: string;
}

export async function prepareJobInputs(log: string): Promise<JobInputs> {
  const dir = join(WORK, 'job-inputs');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const src = join(FIXTURES, 'jobs');
  for (const f of ['fixdep.c', 'fixdep.h']) copyFileSync(join(src, f), join(dir, f));
  await runOk(['gcc', '-MD', '-MF', 'fixdep.d', '-c', 'fixdep.c', '-o', 'fixdep.o'], { cwd: dir, log });
  await runOk(['gcc', '-O2', '-c', join(src, 'objtool.c'), '-o', 'objtool.o'], { cwd: dir, log });
  await runOk(['gcc', '-nostdlib', '-static', '-no-pie', join(src, 'sorttable.S'), '-o', 'sorttable.elf'], { cwd: dir, log });
  await runOk(['gcc', '-nostdlib', '-static', '-no-pie', '-Wl,--emit-relocs', join(src, 'relocs.S'), '-o', 'relocs.elf'],
    { cwd: dir, log });
  await runOk(['gcc', '-g', '-O1', '-c', join(src, 'btf.c'), '-o', 'btf.o'], { cwd: dir, log });
  await runOk(['pahole', '-J', 'btf.o'], { cwd: dir, log });
  await runOk(['openssl', 'req', '-new', '-nodes', '-utf8', '-sha256', '-days', '36500', '-batch', '-x509',
    '-subj', '/CN=isa-shim e2e test key/', '-outform', 'PEM', '-out', 'key.pem', '-keyout', 'key.pem'], { cwd: dir, log });
  const gk = await runOk(['gcc', '-E', '-P', '-D__GENKSYMS__', join(src, 'genksyms.c')], { log });
  writeFileSync(join(dir, 'genksyms.i'), gk.stdout);
  // A kernel-like symbol map for kallsyms: _text/_stext/_etext around 3000 text and data symbols.
  const words = ['alloc', 'free', 'read', 'write', 'probe', 'init', 'exit', 'lock', 'unlock', 'queue', 'irq', 'dma'];
  const lines = ['ffffffff81000000 T _text', 'ffffffff81000000 T _stext'];
  for (let i = 1; i <= 3000; i++) {
    const a = words[i % words.length] ?? 'x';
    const b = words[(i * 7) % words.length] ?? 'y';
    lines.push(`ffffffff81${(i * 32).toString(16).padStart(6, '0')} ${i % 5 ? 'T' : 't'} isa_${a}_${b}_${i}`);
  }
  lines.push('ffffffff82000000 T _etext');
  writeFileSync(join(dir, 'kallsyms.map'), `${lines.join('\n')}\n`);
  const cc1Wrapper = join(dir, 'cc1-under-qemu');
  writeFileSync(cc1Wrapper, [
    '#!/bin/sh',
    '# gcc -wrapper: run cc1/cc1plus (and the gcc plugins it loads) on an emulated x86-64-v2 CPU.',
    'case "${1##*/}" in',
    '  cc1|cc1plus)',
    '    [ -n "$ISA_E2E_QEMU_LOG" ] && echo "run cc1" >> "$ISA_E2E_QEMU_LOG"',
    `    ${QEMU.join(' ')} "$@"; rc=$?`,
    '    [ $rc -ne 0 ] && [ -n "$ISA_E2E_QEMU_LOG" ] && echo "FAIL cc1 rc=$rc" >> "$ISA_E2E_QEMU_LOG"',
    '    exit $rc ;;',
    '  *) exec "$@" ;;',
    'esac',
    '',
  ].join('\n'));
  chmodSync(cc1Wrapper, 0o755);
  return {
    dir,
    depfile: join(dir, 'fixdep.d'),
    objtoolObj: join(dir, 'objtool.o'),
    sorttableElf: join(dir, 'sorttable.elf'),
    relocsElf: join(dir, 'relocs.elf'),
    btfObj: join(dir, 'btf.o'),
    key: join(dir, 'key.pem'),
    kallsymsMap: join(dir, 'kallsyms.map'),
    genksymsInput: join(dir, 'genksyms.i'),
    cc1Wrapper,
  };
}

/** Why a run under qemu failed, in one line. */
export function qemuFailure(r: RunResult): string {
  const all = `${r.stderr}\n${r.stdout}`;
  if (r.timedOut) return 'timed out';
  const isa = /[^\n]*CPU ISA level is lower than required[^\n]*/.exec(all);
  if (isa) return isa[0].trim();
  const sig = /qemu: uncaught target signal (\d+) \(([^)]+)\)/.exec(all);
  if (sig) return `killed by signal ${sig[1]} (${sig[2]})`;
  const line = all.split('\n').map((l) => l.trim()).find(Boolean);
  return `exit ${r.code ?? r.signal}${line ? `: ${line.slice(0, 200)}` : ''}`;
}

function qemu(tool: string, args: string[], opts: { cwd: string; input?: string | Buffer; env?: NodeJS.ProcessEnv; log: string }) {
  return run([...QEMU, tool, ...args], { ...opts, timeoutMs: 180_000 });
}

export interface JobContext {
  readonly family: Family;
  readonly inputs: JobInputs;
  /** Scratch dir for this tool's job. */
  readonly dir: string;
  /** Absolute path of the tool under test. */
  readonly tool: string;
  readonly log: string;
  /** The natively built reference module (isa_e2e.o, .cmd files, isa_e2e.ko), if any. */
  readonly refModule: string | undefined;
}

type Check = (r: RunResult, ctx: JobContext) => string | undefined; // undefined = fine, else failure

interface JobDef {
  readonly describe: string;
  run(ctx: JobContext): Promise<{ r: RunResult; check: Check }>;
}

const fixdepJob: JobDef = {
  describe: 'fixdep <gcc -MD depfile of a C file with system and local includes> <target> <cmd> → .cmd text with source_/deps_ lines',
  async run(ctx) {
    const r = await qemu(ctx.tool, [ctx.inputs.depfile, 'fixdep.o', 'gcc -c fixdep.c'], { cwd: ctx.inputs.dir, log: ctx.log });
    return {
      r,
      check: (res) =>
        /source_fixdep\.o := fixdep\.c/.test(res.stdout) && /deps_fixdep\.o := \\/.test(res.stdout) && /fixdep\.h/.test(res.stdout)
          ? undefined
          : 'output lacks source_/deps_ lines',
    };
  },
};

/** The tool jobs, keyed by the HOST_TOOLS id. */
export const JOBS: Record<string, JobDef> = {
  fixdep: fixdepJob,
  'objtool/fixdep': fixdepJob,
  'resolve_btfids/fixdep': fixdepJob,
  conf: {
    describe: 'conf --olddefconfig on a copy of the kernel .config (real Kconfig tree, Kconfig env as kbuild sets it) → "No change", identical .config, auto.conf written',
    async run(ctx) {
      const objdir = objdirOf(ctx.family);
      copyFileSync(join(objdir, '.config'), join(ctx.dir, '.config'));
      // Exactly the environment kbuild gives Kconfig: the variables include/config/auto.conf.cmd records.
      const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: process.env['HOME'], ...kconfigEnv(objdir) };
      const r = await qemu(ctx.tool, ['--olddefconfig', join(SRCTREE, 'Kconfig')], { cwd: ctx.dir, env, log: ctx.log });
      return {
        r,
        check: () => {
          const same = readFileSync(join(ctx.dir, '.config'), 'utf8') === readFileSync(join(objdir, '.config'), 'utf8');
          if (!same) return '.config changed';
          return existsSync(join(ctx.dir, 'include/config/auto.conf')) ? undefined : 'no include/config/auto.conf';
        },
      };
    },
  },
  mk_elfconfig: {
    describe: 'mk_elfconfig < scripts/mod/empty.o → elfconfig.h defines (ELFCLASS64, little endian)',
    async run(ctx) {
      const input = readFileSync(join(objdirOf(ctx.family), 'scripts/mod/empty.o'));
      const r = await qemu(ctx.tool, [], { cwd: ctx.dir, input, log: ctx.log });
      return { r, check: (res) => (/KERNEL_ELFCLASS ELFCLASS64/.test(res.stdout) && /ELFDATA2LSB/.test(res.stdout) ? undefined : 'unexpected output') };
    },
  },
  modpost: {
    describe: 'modpost -m -e -w -T - on the reference module object (as `make M=` runs it) → Module.symvers with isa_e2e_sum and its CRC, isa_e2e.mod.c',
    async run(ctx) {
      if (!ctx.refModule) throw new Error('no reference module was built');
      cpSync(ctx.refModule, ctx.dir, { recursive: true });
      rmSync(join(ctx.dir, 'Module.symvers'), { force: true });
      rmSync(join(ctx.dir, 'isa_e2e.mod.c'), { force: true });
      const r = await qemu(ctx.tool, ['-m', '-e', '-w', '-o', 'Module.symvers', '-T', '-'], { cwd: ctx.dir, input: 'isa_e2e.o\n', log: ctx.log });
      return {
        r,
        check: () => {
          const sv = existsSync(join(ctx.dir, 'Module.symvers')) ? readFileSync(join(ctx.dir, 'Module.symvers'), 'utf8') : '';
          const m = /^(0x[0-9a-f]{8})\tisa_e2e_sum\t/m.exec(sv);
          if (!m || m[1] === '0x00000000') return 'Module.symvers lacks isa_e2e_sum with a CRC';
          return existsSync(join(ctx.dir, 'isa_e2e.mod.c')) ? undefined : 'no isa_e2e.mod.c';
        },
      };
    },
  },
  genksyms: {
    describe: 'genksyms < cpp -D__GENKSYMS__ output of a struct-typed exported function → #SYMVER isa_e2e_sum 0x…',
    async run(ctx) {
      const r = await qemu(ctx.tool, [], { cwd: ctx.dir, input: readFileSync(ctx.inputs.genksymsInput), log: ctx.log });
      return { r, check: (res) => (/#SYMVER isa_e2e_sum 0x[0-9a-f]{8}/.test(res.stdout) ? undefined : 'no #SYMVER line') };
    },
  },
  kallsyms: {
    describe: 'kallsyms --all-symbols --base-relative <3000-symbol kernel-like map> → compressed tables (kallsyms_token_table)',
    async run(ctx) {
      const r = await qemu(ctx.tool, ['--all-symbols', '--base-relative', ctx.inputs.kallsymsMap], { cwd: ctx.dir, log: ctx.log });
      return { r, check: (res) => (/kallsyms_token_table/.test(res.stdout) && /kallsyms_num_syms/.test(res.stdout) ? undefined : 'tables missing') };
    },
  },
  sorttable: {
    describe: 'sorttable <ET_EXEC with unsorted __ex_table and ORC tables> → sorted, main_extable_sort_needed cleared',
    async run(ctx) {
      const elf = join(ctx.dir, 'sorttable.elf');
      copyFileSync(ctx.inputs.sorttableElf, elf);
      const r = await qemu(ctx.tool, [elf], { cwd: ctx.dir, log: ctx.log });
      return {
        r,
        check: () => {
          const before = readFileSync(ctx.inputs.sorttableElf);
          const after = readFileSync(elf);
          if (before.equals(after)) return 'file unchanged';
          return undefined;
        },
      };
    },
  },
  asn1_compiler: {
    describe: 'asn1_compiler crypto/rsapubkey.asn1 → decoder .c/.h',
    async run(ctx) {
      const r = await qemu(ctx.tool, [join(SRCTREE, 'crypto/rsapubkey.asn1'), 'rsapubkey.asn1.c', 'rsapubkey.asn1.h'], { cwd: ctx.dir, log: ctx.log });
      return {
        r,
        check: () => {
          const c = existsSync(join(ctx.dir, 'rsapubkey.asn1.c')) ? readFileSync(join(ctx.dir, 'rsapubkey.asn1.c'), 'utf8') : '';
          return /rsapubkey_decoder/.test(c) ? undefined : 'no rsapubkey_decoder in output';
        },
      };
    },
  },
  'sign-file': {
    describe: 'sign-file sha256 key.pem key.pem <reference isa_e2e.ko> → "~Module signature appended~" trailer',
    async run(ctx) {
      const target = join(ctx.dir, 'isa_e2e.ko');
      const source = ctx.refModule && existsSync(join(ctx.refModule, 'isa_e2e.ko')) ? join(ctx.refModule, 'isa_e2e.ko') : ctx.inputs.btfObj;
      copyFileSync(source, target);
      const r = await qemu(ctx.tool, ['sha256', ctx.inputs.key, ctx.inputs.key, target], { cwd: ctx.dir, log: ctx.log });
      return { r, check: () => (readFileSync(target).subarray(-28).toString('latin1') === '~Module signature appended~\n' ? undefined : 'no signature trailer') };
    },
  },
  genheaders: {
    describe: 'genheaders flask.h av_permissions.h (SELinux class map) → SECCLASS_ defines',
    async run(ctx) {
      const r = await qemu(ctx.tool, ['flask.h', 'av_permissions.h'], { cwd: ctx.dir, log: ctx.log });
      return {
        r,
        check: () => {
          const f = existsSync(join(ctx.dir, 'flask.h')) ? readFileSync(join(ctx.dir, 'flask.h'), 'utf8') : '';
          return /#define SECCLASS_/.test(f) ? undefined : 'no SECCLASS_ defines';
        },
      };
    },
  },
  mdp: {
    describe: 'mdp -m policy.conf file_contexts → a dummy SELinux policy with every class',
    async run(ctx) {
      const r = await qemu(ctx.tool, ['-m', 'policy.conf', 'file_contexts'], { cwd: ctx.dir, log: ctx.log });
      return {
        r,
        check: () => {
          const p = existsSync(join(ctx.dir, 'policy.conf')) ? readFileSync(join(ctx.dir, 'policy.conf'), 'utf8') : '';
          return /^class /m.test(p) && p.length > 10_000 ? undefined : 'policy.conf incomplete';
        },
      };
    },
  },
  relocs: {
    describe: 'relocs --text <static non-PIE ELF linked with --emit-relocs> → .data.reloc table',
    async run(ctx) {
      const r = await qemu(ctx.tool, ['--text', ctx.inputs.relocsElf], { cwd: ctx.dir, log: ctx.log });
      return {
        r,
        check: (res) => (/\.section "\.data\.reloc"/.test(res.stdout) && (res.stdout.match(/\.long 0x/g) ?? []).length >= 3 ? undefined : 'no relocation table'),
      };
    },
  },
  objtool: {
    describe: 'objtool --stackval --orc <gcc -O2 object with loop/switch/calls> → ORC sections added',
    async run(ctx) {
      const obj = join(ctx.dir, 'objtool.o');
      copyFileSync(ctx.inputs.objtoolObj, obj);
      const r = await qemu(ctx.tool, ['--stackval', '--orc', obj], { cwd: ctx.dir, log: ctx.log });
      return {
        r,
        check: () => (readFileSync(obj).includes('.orc_unwind_ip') ? undefined : 'no .orc_unwind_ip section'),
      };
    },
  },
  resolve_btfids: {
    describe: 'resolve_btfids <pahole -J object with BTF_ID(struct,…)/BTF_ID(func,…) slots> → both slots patched with BTF ids',
    async run(ctx) {
      const obj = join(ctx.dir, 'btf.o');
      copyFileSync(ctx.inputs.btfObj, obj);
      const r = await qemu(ctx.tool, ['-v', obj], { cwd: ctx.dir, log: ctx.log });
      return {
        r,
        check: (res) =>
          (res.stderr.match(/patching addr/g) ?? []).length === 2 && /update ok/.test(res.stderr) ? undefined : 'BTF ids not patched',
      };
    },
  },
  latent_entropy_plugin: {
    describe: 'gcc -fplugin=latent_entropy_plugin.so -c on a __latent_entropy function, cc1 run by qemu Nehalem (-wrapper) → object references latent_entropy',
    async run(ctx) {
      const r = await run(['gcc', '-wrapper', ctx.inputs.cc1Wrapper, `-fplugin=${ctx.tool}`, '-O2', '-c',
        join(FIXTURES, 'jobs/plugin.c'), '-o', 'plugin.o'], { cwd: ctx.dir, log: ctx.log, timeoutMs: 180_000 });
      return {
        r,
        check: () => {
          const o = join(ctx.dir, 'plugin.o');
          return existsSync(o) && readFileSync(o).includes('latent_entropy\0') ? undefined : 'object does not reference latent_entropy';
        },
      };
    },
  },
};

/** `ifneq "$(NAME)" "value"` lines of include/config/auto.conf.cmd: the environment Kconfig ran with. */
export function kconfigEnv(objdir: string): Record<string, string> {
  const text = readFileSync(join(objdir, 'include/config/auto.conf.cmd'), 'utf8');
  const env: Record<string, string> = {};
  for (const m of text.matchAll(/^ifneq "\$\((\w+)\)" "(.*)"$/gm)) {
    if (m[1]) env[m[1]] = m[2] ?? '';
  }
  return env;
}

export async function runJob(id: string, ctx: JobContext): Promise<JobOutcome> {
  const job = JOBS[id];
  const started = Date.now();
  if (!job) return { ok: false, detail: 'no job defined for this tool', ms: 0 };
  if (!existsSync(ctx.tool)) return { ok: false, detail: 'not built', ms: 0 };
  rmSync(ctx.dir, { recursive: true, force: true });
  mkdirSync(ctx.dir, { recursive: true });
  try {
    const { r, check } = await job.run(ctx);
    const ms = Date.now() - started;
    if (r.code !== 0) {
      return { ok: false, detail: id === 'latent_entropy_plugin' ? pluginFailure(r) : qemuFailure(r), ms };
    }
    const problem = check(r, ctx);
    return problem ? { ok: false, detail: `ran, but ${problem}`, ms } : { ok: true, detail: 'ok', ms };
  } catch (e) {
    return { ok: false, detail: `job error: ${(e as Error).message}`, ms: Date.now() - started };
  }
}

function pluginFailure(r: RunResult): string {
  const all = `${r.stderr}\n${r.stdout}`;
  const line = all.split('\n').map((l) => l.trim()).find((l) => /plugin|error|signal|ISA level/i.test(l));
  return line ? line.slice(0, 240) : qemuFailure(r);
}

export function jobDescriptions(): Array<[string, string]> {
  return Object.entries(JOBS).map(([k, v]) => [k, v.describe]);
}

// The DKMS case: an out-of-tree module built with `make -C <objdir> M=<dir> modules` while each
// kernel host tool that build executes runs on an emulated x86-64-v2 CPU (qemu-x86_64 -cpu
// Nehalem), cc1 too (so the gcc plugin is loaded by a v2 CPU), then signed by sign-file under qemu
// as DKMS does. The tools are replaced by wrapper scripts for the build and always put back.
import { chmodSync, cpSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { failedMakeTarget, firstErrorLine, run } from './run.js';
import { qemuFailure } from './jobs.js';
import { REAL_SUFFIX, restoreModuleToolWrappers } from './tree.js';
import { FIXTURES, MODULE_BUILD_TOOLS, QEMU, familyMakeArgs, objdirOf, type Family } from './setup.js';

export interface ModuleOutcome {
  readonly ok: boolean;
  /** 'ok (fixdep×4, objtool×1, …)' or the first error and the tool that failed. */
  readonly detail: string;
  /** The host tool (or cc1) that failed first, when one did. */
  readonly failedTool?: string;
  readonly ms: number;
  readonly log: string;
  /** Which tools actually ran under qemu, with counts. */
  readonly ran: Record<string, number>;
}

function toolName(rel: string): string {
  return rel.split('/').pop() ?? rel;
}

function wrapperScript(real: string, name: string): string {
  return [
    '#!/bin/sh',
    `# isa-shim kernel e2e: run the real ${name} on an emulated x86-64-v2 CPU (restored after the build).`,
    `[ -n "$ISA_E2E_QEMU_LOG" ] && echo "run ${name}" >> "$ISA_E2E_QEMU_LOG"`,
    `${QEMU.join(' ')} '${real}' "$@"`,
    'rc=$?',
    `[ $rc -ne 0 ] && [ -n "$ISA_E2E_QEMU_LOG" ] && echo "FAIL ${name} rc=$rc" >> "$ISA_E2E_QEMU_LOG"`,
    'exit $rc',
    '',
  ].join('\n');
}

export interface ModuleBuildOptions {
  readonly family: Family;
  readonly dir: string;
  readonly log: string;
  readonly cc1Wrapper: string;
  readonly key: string;
}

/** Builds the fixture module with every host tool under qemu Nehalem. */
export async function buildModuleUnderNehalem(opts: ModuleBuildOptions): Promise<ModuleOutcome> {
  const objdir = objdirOf(opts.family);
  const started = Date.now();
  const qlog = `${opts.log}.qemu-calls`;
  rmSync(qlog, { force: true });
  rmSync(opts.dir, { recursive: true, force: true });
  cpSync(join(FIXTURES, 'module'), opts.dir, { recursive: true });

  const missing = MODULE_BUILD_TOOLS.filter((rel) => !existsSync(join(objdir, rel)));
  if (missing.length) {
    return { ok: false, detail: `not built: ${missing.join(', ')}`, ms: 0, log: opts.log, ran: {} };
  }
  restoreModuleToolWrappers(opts.family);
  const installed: string[] = [];
  let make;
  let sign;
  try {
    for (const rel of MODULE_BUILD_TOOLS) {
      const tool = join(objdir, rel);
      renameSync(tool, tool + REAL_SUFFIX);
      installed.push(rel);
      writeFileSync(tool, wrapperScript(tool + REAL_SUFFIX, toolName(rel)));
      chmodSync(tool, 0o755);
    }
    const env = { ...process.env, ISA_E2E_QEMU_LOG: qlog };
    const kcflags = opts.family === 'gcc' ? [`KCFLAGS=-wrapper ${opts.cc1Wrapper}`] : [];
    make = await run(['make', '-C', objdir, `M=${opts.dir}`, ...familyMakeArgs(opts.family), ...kcflags, 'modules'],
      { env, log: opts.log, timeoutMs: 900_000 });
    if (make.code === 0) {
      // DKMS signs the module with the kernel's sign-file.
      const signFile = join(objdir, 'scripts/sign-file');
      sign = await run([...QEMU, signFile, 'sha256', opts.key, opts.key, join(opts.dir, 'isa_e2e.ko')],
        { log: opts.log, timeoutMs: 180_000 });
      writeFileSync(qlog, `run sign-file\n${sign.code === 0 ? '' : `FAIL sign-file rc=${sign.code}\n`}`, { flag: 'a' });
    }
  } finally {
    for (const rel of installed) {
      const tool = join(objdir, rel);
      renameSync(tool + REAL_SUFFIX, tool);
    }
  }
  const ms = Date.now() - started;
  const calls = existsSync(qlog) ? readFileSync(qlog, 'utf8').split('\n').filter(Boolean) : [];
  const ran: Record<string, number> = {};
  for (const c of calls) {
    const m = /^run (\S+)/.exec(c);
    if (m?.[1]) ran[m[1]] = (ran[m[1]] ?? 0) + 1;
  }
  const failed = calls.map((c) => /^FAIL (\S+)/.exec(c)?.[1]).find(Boolean);
  const ranText = Object.entries(ran).map(([k, v]) => `${k}×${v}`).join(', ');
  if (make.code !== 0) {
    const text = `${make.stderr}\n${make.stdout}`;
    const first = firstErrorLine(make.stderr) ?? firstErrorLine(text) ?? `make exit ${make.code}`;
    const target = failedMakeTarget(text);
    return {
      ok: false,
      detail: `${failed ? `${failed} failed: ` : ''}${first}${target ? ` [make target ${target}]` : ''}`,
      failedTool: failed,
      ms,
      log: opts.log,
      ran,
    };
  }
  if (!sign || sign.code !== 0) {
    return { ok: false, detail: `sign-file failed: ${sign ? qemuFailure(sign) : 'not run'}`, failedTool: 'sign-file', ms, log: opts.log, ran };
  }
  const ko = readFileSync(join(opts.dir, 'isa_e2e.ko'));
  if (ko.subarray(-28).toString('latin1') !== '~Module signature appended~\n') {
    return { ok: false, detail: 'isa_e2e.ko has no signature', ms, log: opts.log, ran };
  }
  return { ok: true, detail: `ok, signed (under Nehalem: ${ranText})`, ms, log: opts.log, ran };
}

/**
 * A reference build of the module with the tools run natively, kept per family: the modpost and
 * sign-file jobs work on its outputs.
 */
export async function ensureReferenceModule(family: Family, dir: string, log: string): Promise<string | undefined> {
  if (existsSync(join(dir, 'isa_e2e.ko')) && existsSync(join(dir, '.isa_e2e.o.cmd'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(FIXTURES, 'module'), dir, { recursive: true });
  const r = await run(['make', '-C', objdirOf(family), `M=${dir}`, ...familyMakeArgs(family), 'modules'], { log, timeoutMs: 600_000 });
  if (r.code !== 0 || !existsSync(join(dir, 'isa_e2e.ko'))) {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return dir;
}

// The kernel tree and its object dirs: unpacked once, configured once per compiler family, and
// between builds only the host-tool outputs are removed so the next build rebuilds exactly those.
import {
  closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, renameSync, rmSync, statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { runOk } from './run.js';
import {
  CONFIG_FRAGMENT, KERNEL_TARBALL, MODULE_BUILD_TOOLS, SRCTREE, SRC_PARENT, familyMakeArgs, objdirOf, requiredSymbols,
  type Family,
} from './setup.js';

const UNPACK_STAMP = join(SRC_PARENT, '.isa-e2e-unpacked');

/** Unpacks the kernel source once; a stamp records which tarball (size and mtime) it came from. */
export async function ensureSource(log: string): Promise<{ unpacked: boolean; ms: number }> {
  const started = Date.now();
  const st = statSync(KERNEL_TARBALL);
  const want = `${KERNEL_TARBALL} ${st.size} ${st.mtimeMs}`;
  if (existsSync(UNPACK_STAMP) && readFileSync(UNPACK_STAMP, 'utf8') === want && existsSync(join(SRCTREE, 'Makefile'))) {
    ensureCleanSource();
    return { unpacked: false, ms: Date.now() - started };
  }
  rmSync(SRC_PARENT, { recursive: true, force: true });
  mkdirSync(SRC_PARENT, { recursive: true });
  await runOk(['tar', '-xf', KERNEL_TARBALL, '-C', SRC_PARENT], { log });
  if (!existsSync(join(SRCTREE, 'Makefile'))) throw new Error(`${KERNEL_TARBALL} did not unpack to ${SRCTREE}`);
  writeFileSync(UNPACK_STAMP, want);
  return { unpacked: true, ms: Date.now() - started };
}

/** O= builds refuse a source tree with configuration in it; remove what a stray in-tree run leaves. */
function ensureCleanSource(): void {
  for (const p of ['.config', 'include/config', 'include/generated', 'arch/x86/include/generated']) {
    rmSync(join(SRCTREE, p), { recursive: true, force: true });
  }
}

function configStamp(family: Family): string {
  return JSON.stringify({ family, fragment: CONFIG_FRAGMENT, v: 1 });
}

/** Reads `CONFIG_X=y` lines of a .config. */
export function readConfig(path: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^CONFIG_(\w+)=(.*)$/.exec(line);
    if (m?.[1] && m[2] !== undefined) out.set(m[1], m[2]);
  }
  return out;
}

/**
 * x86_64_defconfig + the distro fragment with scripts/config, then olddefconfig; checks that the
 * result really enables every host tool. Done once per family (the stamp holds the fragment).
 */
export async function ensureConfigured(family: Family, log: string): Promise<{ configured: boolean; ms: number }> {
  const started = Date.now();
  const objdir = objdirOf(family);
  const stampPath = join(objdir, '.isa-e2e-configured');
  if (existsSync(stampPath) && readFileSync(stampPath, 'utf8') === configStamp(family) && existsSync(join(objdir, '.config'))) {
    checkConfig(family);
    return { configured: false, ms: Date.now() - started };
  }
  rmSync(objdir, { recursive: true, force: true });
  mkdirSync(objdir, { recursive: true });
  const make = ['make', '-C', SRCTREE, `O=${objdir}`, ...familyMakeArgs(family)];
  await runOk([...make, 'x86_64_defconfig'], { log });
  await runOk([join(SRCTREE, 'scripts/config'), '--file', join(objdir, '.config'), ...CONFIG_FRAGMENT], { log });
  await runOk([...make, 'olddefconfig'], { log });
  checkConfig(family);
  writeFileSync(stampPath, configStamp(family));
  return { configured: true, ms: Date.now() - started };
}

function checkConfig(family: Family): void {
  const cfg = readConfig(join(objdirOf(family), '.config'));
  const missing = requiredSymbols(family).filter((s) => cfg.get(s) !== 'y');
  if (missing.length) {
    throw new Error(`${objdirOf(family)}/.config lacks ${missing.map((s) => `CONFIG_${s}=y`).join(', ')}`);
  }
}

function isElf(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const b = Buffer.alloc(4);
    return readSync(fd, b, 0, 4, 0) === 4 && b.toString('latin1') === '\x7fELF';
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function walk(dir: string, visit: (path: string) => void): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, visit);
    else if (e.isFile()) visit(p);
  }
}

/**
 * Removes the host-tool outputs only: the whole tools/ build (objtool, resolve_btfids and their
 * libsubcmd/libbpf), and every object, plugin and ELF program under scripts/ and
 * arch/x86/tools/. The configuration and generated headers stay, so the next make rebuilds only them.
 */
export function cleanHostTools(family: Family): number {
  const objdir = objdirOf(family);
  restoreModuleToolWrappers(family);
  let removed = 0;
  rmSync(join(objdir, 'tools'), { recursive: true, force: true });
  for (const sub of ['scripts', 'arch/x86/tools']) {
    walk(join(objdir, sub), (p) => {
      // Objects by name too: clang -flto objects are LLVM bitcode, not ELF.
      if (p.endsWith('.o') || p.endsWith('.so') || isElf(p)) {
        rmSync(p, { force: true });
        removed++;
      }
    });
  }
  return removed;
}

const REAL_SUFFIX = '.isa-e2e-real';

/** Puts back any tool a crashed run left replaced by its qemu wrapper script. */
export function restoreModuleToolWrappers(family: Family): void {
  const objdir = objdirOf(family);
  for (const rel of MODULE_BUILD_TOOLS) {
    const tool = join(objdir, rel);
    if (existsSync(tool + REAL_SUFFIX)) renameSync(tool + REAL_SUFFIX, tool);
  }
}

export { REAL_SUFFIX, isElf, walk };

/** Lists every ELF program or shared object (not .o) the host build left, relative to the object dir. */
export function listHostElves(family: Family): string[] {
  const objdir = objdirOf(family);
  const out: string[] = [];
  for (const sub of ['scripts', 'arch/x86/tools', 'tools']) {
    walk(join(objdir, sub), (p) => {
      if (p.endsWith('.o') || p.endsWith('.a') || p.endsWith(REAL_SUFFIX)) return;
      if (isElf(p)) out.push(p.slice(objdir.length + 1));
    });
  }
  return out.sort();
}

/**
 * Variant 5's toolchain: copies of the startup files relinked with `ld -r -z x86-64-v3`, as a
 * glibc built for v3 ships them. Used through `gcc -B <dir>/`.
 */
export async function ensureStampedCrt(dir: string, log: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const name of ['Scrt1.o', 'crt1.o', 'crti.o']) {
    const out = join(dir, name);
    if (existsSync(out)) continue;
    const src = (await runOk(['gcc', `-print-file-name=${name}`], { log })).stdout.trim();
    await runOk(['ld', '-r', '-z', 'x86-64-v3', src, '-o', `${out}.tmp`], { log });
    renameSync(`${out}.tmp`, out);
  }
}

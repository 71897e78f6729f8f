// Shared pieces of the hardening suite: the wrappers on both runtimes, stand-in tools, tmpfs mounts.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, run, tmp } from '../helpers.js';

export const HOSTCC = join(BIN, 'isa-hostcc');
export const HOSTCXX = join(BIN, 'isa-hostcxx');
export const HOSTLD = join(BIN, 'isa-hostld');
export const ISA_SHIM = join(BIN, 'isa-shim');
export const FAST = join(ROOT, 'dist', 'isa-shim-fast');
/** Every runtime the launchers can pick: the compiled one when the build made it, and Node.js. */
export const RUNTIMES: readonly string[] = [...(existsSync(FAST) ? ['fast'] : []), 'node'];

/** A clean environment for a wrapper call: no user config, a private settings cache, level v2. */
export function wenv(dir: string, runtime: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('ISA_') || k === 'CCACHE_DIR') delete env[k];
  return {
    ...env,
    ISA_LEVEL: 'v2',
    ISA_RUNTIME: runtime,
    ISA_CACHE_DIR: join(dir, `cache-${runtime}`),
    ISA_GLOBAL_CONFIG_DIRS: '',
    ...extra,
  };
}

/** A stand-in tool that writes its argv, NUL-separated and byte-exact, to $REC (python keeps raw bytes). */
export function recorder(dir: string): string {
  const p = join(dir, 'recorder');
  writeFileSync(
    p,
    `#!/usr/bin/python3
import os, sys
data = b''.join(os.fsencode(a) + b'\\0' for a in sys.argv[1:])
with open(os.environ['REC'], 'wb') as f:
    f.write(data)
`,
    { mode: 0o755 },
  );
  return p;
}

/** Splits a NUL-separated record into arguments (raw bytes). */
export function splitNul(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === 0) {
      out.push(buf.subarray(start, i));
      start = i + 1;
    }
  }
  return out;
}

/** Leftover temporaries of the shim: response files in /tmp and repair temporaries in `dirs`. */
export function leftovers(pid: number | undefined, dirs: readonly string[]): string[] {
  const found: string[] = [];
  for (const f of readdirSync('/tmp')) if (/^isa-shim-\d+-[0-9a-z]+\.rsp$/.test(f) && (pid === undefined || f.startsWith(`isa-shim-${pid}-`))) found.push(join('/tmp', f));
  for (const d of dirs) for (const f of readdirSync(d)) if (/\.isa-tmp-/.test(f)) found.push(join(d, f));
  return found;
}

const mounts: string[] = [];
/** Mounts a small tmpfs made for the test; undefined (with the reason in `why`) where mount is not allowed. */
export function tmpfs(sizeKb: number, why: { reason?: string } = {}): string | undefined {
  const dir = tmp('isa-hard-mnt-');
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0755`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    why.reason = (r.stderr || String(r.error)).trim();
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  mounts.push(dir);
  return dir;
}
export function unmountAll(): void {
  for (const m of mounts.splice(0)) {
    spawnSync('umount', ['-l', m]);
    rmSync(m, { recursive: true, force: true });
  }
}

export function mkdirp(p: string): string {
  mkdirSync(p, { recursive: true });
  return p;
}

/** Starts a wrapper call in the background. */
export function start(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd?: string): ChildProcess {
  return spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function ended(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout?.resume();
  return new Promise((resolve) => child.on('exit', (code, signal) => setTimeout(() => resolve({ code, signal, stderr }), 50)));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A dynamically linked hello world stamped x86-64-v3 by the linker, its code within v2. */
export function v3NotedBinary(dir: string, name = 'hello-v3'): string {
  const src = join(dir, 'hello.c');
  writeFileSync(src, '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n');
  const out = join(dir, name);
  const r = run('gcc', ['-O2', '-march=x86-64-v2', '-Wl,-z,x86-64-v3', '-Wl,--build-id=none', '-o', out, src]);
  if (r.status !== 0) throw new Error(`gcc: ${r.stderr}`);
  return out;
}

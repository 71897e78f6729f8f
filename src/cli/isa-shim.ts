// The isa-shim command: check, fix, audit, explain, config, detect, env, doctor.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { debugRequested, failAndExit } from './fail.js';
import { EXIT, ShimError } from '../exit-codes.js';
import { VERSION } from '../version.js';
import { resolveSettings } from '../config/index.js';
import { getInstallDir } from '../runtime.js';
import { parseOptions } from './options.js';

const HELP = `isa-shim ${VERSION}: keep Linux kernel host tools at the CPU level the kernel was built for

Usage: isa-shim <command> [options]      (isa-shim <command> --help for each)

  check [--level L] [--code] [--json] [-q] PATH...   judge ELF files and trees: PASS/FAIL/MAYBE/SKIP
  fix [--level L] [--force] PATH...                  lower the x86 ISA needed note where the code allows it
  audit [--level L|--cpu host] [--json] DIR...       DKMS preflight: judge a kernel headers tree's host tools
  explain [--level L] [--ld] -- ARGS...              show how a compiler (or --ld linker) call is rewritten
  config [--json]                                    the effective settings and where each came from
  detect [--json]                                    host CPU level, kernel level, effective level
  env [--shell sh|fish|make]                         HOSTCC/HOSTCXX/HOSTLD lines for eval or make
  doctor [--json]                                    what this toolchain can do, OK/WARN/FAIL

The wrappers: isa-hostcc, isa-hostcxx, isa-hostld (make HOSTCC=isa-hostcc HOSTCXX=isa-hostcxx HOSTLD=isa-hostld).
Exit codes: docs/exit-codes.md. Configuration: docs/configuration.md.
`;

function binDir(): string {
  const dir = getInstallDir() ?? join(dirname(fileURLToPath(import.meta.url)), '..');
  return join(dir, 'bin');
}

async function dispatch(cmd: string, rest: readonly string[]): Promise<number> {
  const ctx = { env: process.env, cwd: process.cwd() };
  const out = (r: { stdout: string; exitCode: number }): number => {
    process.stdout.write(r.stdout);
    return r.exitCode;
  };
  switch (cmd) {
    case 'check': {
      const { checkCommand, CHECK_HELP } = await import('./commands/check.js');
      if (rest.includes('--help') || rest.includes('-h')) return (process.stdout.write(CHECK_HELP), EXIT.OK);
      const s = resolveSettings(ctx);
      return checkCommand(rest, { level: s.level.value, levelOrigin: s.level.origin, allow: s.allow.value });
    }
    case 'fix': {
      const { fixCommand, FIX_HELP } = await import('./commands/fix.js');
      if (rest.includes('--help') || rest.includes('-h')) return (process.stdout.write(FIX_HELP), EXIT.OK);
      const s = resolveSettings(ctx);
      return fixCommand(rest, { level: s.level.value, allow: s.allow.value });
    }
    case 'audit': {
      const { auditCommand } = await import('./commands/audit.js');
      return auditCommand(rest, { allow: rest.includes('--help') || rest.includes('-h') ? [] : resolveSettings(ctx).allow.value, binDir: binDir() });
    }
    case 'explain': {
      const { explainCommand } = await import('./commands/explain.js');
      // `explain -h` alone is a request for help, not a call to explain (explain.ts handles --help).
      return explainCommand(rest.length === 1 && rest[0] === '-h' ? ['--help'] : rest, () => resolveSettings(ctx));
    }
    case 'config':
    case 'detect':
    case 'doctor': {
      const o = parseOptions(cmd, rest, { flags: ['--json', '--help'], aliases: { '-h': '--help' } });
      if (o.flags.has('--help')) return (process.stdout.write(`Usage: isa-shim ${cmd} [--json]\n`), EXIT.OK);
      const c = await import('../config/commands.js');
      const fn = cmd === 'config' ? c.configCommand : cmd === 'detect' ? c.detectCommand : c.doctorCommand;
      return out(fn(ctx, { json: o.flags.has('--json') }));
    }
    case 'env': {
      const o = parseOptions('env', rest, { flags: ['--json', '--help'], values: ['--shell'], aliases: { '-h': '--help' } });
      if (o.flags.has('--help')) return (process.stdout.write('Usage: isa-shim env [--shell sh|fish|make] [--json]\n'), EXIT.OK);
      const c = await import('../config/commands.js');
      const shell = o.values.get('--shell');
      return out(c.envCommand(binDir(), { json: o.flags.has('--json'), ...(shell ? { shell } : {}) }));
    }
    default:
      throw new ShimError(`unknown command '${cmd}'; see isa-shim --help`, EXIT.BAD_INPUT);
  }
}

export async function main(argv: readonly string[]): Promise<void> {
  const debug = debugRequested(process.env);
  try {
    const [cmd, ...rest] = argv;
    if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
      process.stdout.write(HELP);
      return;
    }
    if (cmd === '--version' || cmd === '-V') {
      process.stdout.write(`isa-shim ${VERSION}\n`);
      return;
    }
    const code = await dispatch(cmd, rest);
    process.exitCode = code;
  } catch (err) {
    failAndExit('isa-shim', err, debug);
  }
}

// The isa-shim command: check, fix, explain, config, detect, env, doctor, audit.
import { failAndExit } from './fail.js';
import { EXIT, ShimError } from '../exit-codes.js';
import { VERSION } from '../version.js';

const HELP = `isa-shim ${VERSION}: keep Linux kernel host tools at the CPU level the kernel was built for

Usage: isa-shim <command> [options]

Commands:
  explain [--level L] -- CC ARGS...   show how a compiler call would be rewritten, without running it
  --version                           print the version
  --help                              this help
`;

export async function main(argv: readonly string[]): Promise<void> {
  const debug = !!process.env.ISA_DEBUG && process.env.ISA_DEBUG !== '0';
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
    void rest;
    throw new ShimError(`unknown command '${cmd}'; see isa-shim --help`, EXIT.BAD_INPUT);
  } catch (err) {
    failAndExit('isa-shim', err, debug);
  }
}

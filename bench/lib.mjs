// What every bench script shares: its command-line options and the median of a sample.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `opt('--pairs', '15')`: the word after the option on the command line, else the default. */
export function options(argv = process.argv.slice(2)) {
  return {
    argv,
    opt(name, dflt) {
      const i = argv.indexOf(name);
      return i >= 0 ? argv[i + 1] : dflt;
    },
  };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// Every exit status isa-shim itself chooses. A wrapped tool's own status is passed through as is;
// these are only used when the shim, not the tool, ends the call. Documented in docs/exit-codes.md.
export const EXIT = {
  OK: 0,
  /** `check`/`audit`: some file is above the level. */
  FAIL: 1,
  /** Bad input: a missing/unreadable/non-ELF/malformed file named by the user, a bad option or config value. */
  BAD_INPUT: 2,
  /** A wrapper refused a linked binary (policy `error`, or `fix` with code above the level). */
  VIOLATION: 3,
  /** A repair could not be written (read-only dir, full disk, foreign owner...); the original is untouched. */
  REPAIR_FAILED: 4,
  /** The wrapper would run itself (PATH loop, symlink, ISA_HOSTCC naming a wrapper). */
  RECURSION: 125,
  /** The real tool exists but cannot be executed (like a shell). */
  NOT_EXECUTABLE: 126,
  /** The real tool is missing (like a shell). */
  NOT_FOUND: 127,
  /** A bug in isa-shim: reported on one line, never a stack trace unless ISA_DEBUG is set. */
  INTERNAL: 70,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the user can act on: printed as one line `prog: message`, exits with `code`. */
export class ShimError extends Error {
  constructor(message: string, readonly code: number) {
    super(message);
    this.name = 'ShimError';
  }
}

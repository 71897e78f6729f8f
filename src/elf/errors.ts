// Typed errors of the ELF reader and the note patcher. Each one's message is a single line a CLI can
// print as is (`isa-shim: <message>`); callers never need a stack trace for bad input.
import { EXIT, ShimError } from '../exit-codes.js';

/**
 * The bytes are not a well-formed ELF file or archive (truncated table, offset past the end, bad
 * class...). This is the only class the reader throws for bad input.
 */
export class ElfFormatError extends ShimError {
  constructor(message: string) {
    super(message, EXIT.BAD_INPUT);
    this.name = 'ElfFormatError';
  }
}

/**
 * The input is not ELF at all (no `\x7fELF` magic, not an `ar` archive). A subclass of ElfFormatError
 * so one `instanceof ElfFormatError` catches all bad input, while directory walks can skip these.
 */
export class NotElfError extends ElfFormatError {
  constructor(message: string) {
    super(message);
    this.name = 'NotElfError';
  }
}

/** The file could not be opened or read (ENOENT, EACCES, EISDIR, EIO...). */
export class ElfIoError extends ShimError {
  constructor(
    message: string,
    /** The errno code (`ENOENT`, `EACCES`...) when the system gave one. */
    readonly errno?: string,
  ) {
    super(message, EXIT.BAD_INPUT);
    this.name = 'ElfIoError';
  }
}

/** A repair (note patch) was refused or could not be written; the original file is untouched. */
export class RepairError extends ShimError {
  constructor(
    message: string,
    readonly errno?: string,
  ) {
    super(message, EXIT.REPAIR_FAILED);
    this.name = 'RepairError';
  }
}

/** `ENOENT: no such file...` style cause text from a Node system error, without the stack. */
export function describeSystemError(err: unknown): { text: string; errno?: string } {
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string') {
    const code = (err as { code: string }).code;
    const msg = err instanceof Error ? err.message : String(err);
    // Node messages look like "EACCES: permission denied, open '/x'": keep the part before the path.
    const short = msg.split(',')[0] ?? msg;
    return { text: short.startsWith(code) ? short : `${code}: ${short}`, errno: code };
  }
  return { text: err instanceof Error ? err.message : String(err) };
}

export function hex(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}

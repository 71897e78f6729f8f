// Shapes the ELF reader produces and the code audit consumes. Plain data, no file handles.

/** One executable section's bytes and where it is loaded. */
export interface CodeSection {
  readonly name: string;
  readonly addr: bigint;
  readonly bytes: Uint8Array;
}

/** A function symbol (STT_FUNC or STT_GNU_IFUNC) from .symtab, else .dynsym. */
export interface FunctionSymbol {
  readonly name: string;
  readonly addr: bigint;
  readonly size: bigint;
  /** STT_GNU_IFUNC resolvers are marked so the audit can treat their targets as CPU-checked. */
  readonly ifunc: boolean;
}

/** What the code audit needs of one ELF file (x86-64 or i386). */
export interface CodeImage {
  readonly bitness: 32 | 64;
  readonly sections: readonly CodeSection[];
  readonly functions: readonly FunctionSymbol[];
}

// Endian-aware integer reads from a small buffer the caller has already bounds-checked as a whole.
// 64-bit file offsets and sizes come back as numbers clamped to MAX_SAFE_INTEGER: such a value is
// always past the end of any real file, so the next range check rejects it instead of wrapping.

export class Fields {
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly littleEndian: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u8(off: number): number {
    return this.view.getUint8(off);
  }
  u16(off: number): number {
    return this.view.getUint16(off, this.littleEndian);
  }
  u32(off: number): number {
    return this.view.getUint32(off, this.littleEndian);
  }
  /** Exact 64-bit value, for addresses and symbol sizes. */
  u64big(off: number): bigint {
    return this.view.getBigUint64(off, this.littleEndian);
  }
  /** 64-bit offset or size as a number, clamped (see above). */
  u64(off: number): number {
    const v = this.u64big(off);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  }
  /** A class-sized word (Elf32_Off/Addr or Elf64_Off/Addr) as a clamped number. */
  word(off: number, is64: boolean): number {
    return is64 ? this.u64(off) : this.u32(off);
  }
  wordBig(off: number, is64: boolean): bigint {
    return is64 ? this.u64big(off) : BigInt(this.u32(off));
  }
}

export function alignUp(n: number, align: number): number {
  return align <= 1 ? n : Math.ceil(n / align) * align;
}

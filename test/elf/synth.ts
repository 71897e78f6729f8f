// A tiny ELF writer for cases the local toolchain cannot produce: big-endian files, ELF32 and ELF64
// with hand-made property notes, notes reached by PT_GNU_PROPERTY, PT_NOTE or only a section.

export interface SynthProperty {
  type: number;
  /** A u32 datum, or raw bytes. */
  value: number | number[];
}

export interface SynthOptions {
  is64?: boolean;
  le?: boolean;
  /** e_type; default ET_EXEC (2). */
  type?: number;
  /** e_machine; default x86-64 (62), or i386 (3) for ELF32. */
  machine?: number;
  props: SynthProperty[];
  /** How the loader view reaches the note: PT_GNU_PROPERTY + PT_NOTE, PT_NOTE only, or none. */
  segments?: 'gnu-property' | 'note' | 'none';
  /** p_align of the note segments (default: the word size). */
  segmentAlign?: number;
  /** Emit section headers with .note.gnu.property (default true). */
  sections?: boolean;
  /** A second, different copy of the note reachable only through the section table. */
  separateSectionNote?: SynthProperty[];
  /** A build-id-like note placed before the property note in the same PT_NOTE. */
  leadingNote?: boolean;
}

class W {
  bytes: number[] = [];
  constructor(readonly le: boolean) {}
  u8(v: number) { this.bytes.push(v & 0xff); }
  u16(v: number) { const b = [v & 0xff, (v >>> 8) & 0xff]; this.bytes.push(...(this.le ? b : b.reverse())); }
  u32(v: number) {
    const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    this.bytes.push(...(this.le ? b : b.reverse()));
  }
  u64(v: number) { if (this.le) { this.u32(v); this.u32(0); } else { this.u32(0); this.u32(v); } }
  word(v: number, is64: boolean) { if (is64) this.u64(v); else this.u32(v); }
  pad(align: number) { while (this.bytes.length % align) this.bytes.push(0); }
  at(off: number) { while (this.bytes.length < off) this.bytes.push(0); }
}

function note(props: SynthProperty[], is64: boolean, le: boolean): number[] {
  const word = is64 ? 8 : 4;
  const d = new W(le);
  for (const p of props) {
    d.u32(p.type);
    if (typeof p.value === 'number') { d.u32(4); d.u32(p.value); } else { d.u32(p.value.length); d.bytes.push(...p.value); }
    d.pad(word);
  }
  const n = new W(le);
  n.u32(4); n.u32(d.bytes.length); n.u32(5); n.bytes.push(0x47, 0x4e, 0x55, 0);
  n.bytes.push(...d.bytes);
  return n.bytes;
}

export function synthElf(o: SynthOptions): Uint8Array {
  const is64 = o.is64 ?? true;
  const le = o.le ?? true;
  const word = is64 ? 8 : 4;
  const segments = o.segments ?? 'gnu-property';
  const withSections = o.sections ?? true;
  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  const shentsize = is64 ? 64 : 40;
  const phnum = segments === 'gnu-property' ? 2 : segments === 'note' ? 1 : 0;
  const noteOff = Math.ceil((ehsize + phnum * phentsize) / 8) * 8;
  const lead = o.leadingNote ? (() => { const n = new W(le); n.u32(4); n.u32(4); n.u32(3); n.bytes.push(0x47, 0x4e, 0x55, 0, 1, 2, 3, 4); n.pad(word); return n.bytes; })() : [];
  const main = note(o.props, is64, le);
  const segBytes = [...lead, ...main];
  const propOff = noteOff + lead.length;
  let sepOff = 0;
  const sep = o.separateSectionNote ? note(o.separateSectionNote, is64, le) : [];
  const names = '\0.note.gnu.property\0.shstrtab\0';
  const w = new W(le);
  // e_ident
  w.bytes.push(0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, le ? 1 : 2, 1, 0);
  w.at(16);
  w.u16(o.type ?? 2);
  w.u16(o.machine ?? (is64 ? 62 : 3));
  w.u32(1);
  w.word(0x400000, is64);
  w.word(phnum ? ehsize : 0, is64); // e_phoff
  const shoffAt = w.bytes.length;
  w.word(0, is64); // e_shoff, patched below
  w.u32(0);
  w.u16(ehsize); w.u16(phentsize); w.u16(phnum); w.u16(shentsize);
  w.u16(withSections ? 3 : 0); w.u16(withSections ? 2 : 0);
  const align = o.segmentAlign ?? word;
  const phdr = (type: number, off: number, size: number) => {
    if (is64) { w.u32(type); w.u32(4); w.u64(off); w.u64(off); w.u64(off); w.u64(size); w.u64(size); w.u64(align); }
    else { w.u32(type); w.u32(off); w.u32(off); w.u32(off); w.u32(size); w.u32(size); w.u32(4); w.u32(align); }
  };
  if (segments === 'gnu-property') phdr(0x6474e553, propOff, main.length);
  if (segments !== 'none') phdr(4, noteOff, segBytes.length);
  w.at(noteOff);
  w.bytes.push(...segBytes);
  w.pad(8);
  if (sep.length) { sepOff = w.bytes.length; w.bytes.push(...sep); w.pad(8); }
  const strOff = w.bytes.length;
  for (const c of names) w.u8(c.charCodeAt(0));
  w.pad(8);
  const shoff = w.bytes.length;
  if (withSections) {
    const shdr = (name: number, type: number, off: number, size: number, al: number) => {
      w.u32(name); w.u32(type);
      w.word(type === 7 ? 2 : 0, is64); w.word(0, is64); w.word(off, is64); w.word(size, is64);
      w.u32(0); w.u32(0); w.word(al, is64); w.word(0, is64);
    };
    shdr(0, 0, 0, 0, 0);
    if (sep.length) shdr(1, 7, sepOff, sep.length, word);
    else shdr(1, 7, propOff, main.length, word);
    shdr(20, 3, strOff, names.length, 1);
    const patch = new W(le);
    patch.word(shoff, is64);
    w.bytes.splice(shoffAt, patch.bytes.length, ...patch.bytes);
  }
  return Uint8Array.from(w.bytes);
}

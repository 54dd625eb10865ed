import type { FileContent } from './cataloger.js';

/**
 * The parts of an ELF file (System V gABI) that binary catalogers need: section headers with names, program
 * headers, byte order. Read through random access, so a 200 MB binary costs a few kilobytes of memory.
 */
export interface ElfSection {
  readonly name: string;
  readonly type: number;
  readonly addr: number;
  readonly offset: number;
  readonly size: number;
}

export interface ElfProgram {
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly vaddr: number;
  readonly filesz: number;
  readonly memsz: number;
}

export interface ElfFile {
  readonly content: FileContent;
  readonly is64: boolean;
  readonly littleEndian: boolean;
  readonly sections: readonly ElfSection[];
  readonly programs: readonly ElfProgram[];
}

export const PT_LOAD = 1;
export const PF_X = 1;
export const PF_W = 2;
const SHT_NOBITS = 8;

/** Files shorter than this cannot be ELF; whether a file is ELF is decided on its first 4 bytes. */
const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

export async function isElf(content: FileContent): Promise<boolean> {
  if (content.size < 52) return false;
  const ident = await content.read(0, 4);
  return ELF_MAGIC.every((b, i) => ident[i] === b);
}

/**
 * Parsed headers per file content: the Go and Rust binary catalogers want the same executables, and the image's
 * catalog hands both the same `FileContent`, so each file is parsed once (keyed weakly: gone with the scan).
 */
const parsed = new WeakMap<FileContent, Promise<ElfFile | undefined>>();

/**
 * Parses headers; rejects with the reason when an ELF file is malformed, resolves undefined when it is not ELF.
 * Parsed once per `FileContent` object, however many catalogers ask.
 */
export function readElf(content: FileContent): Promise<ElfFile | undefined> {
  let elf = parsed.get(content);
  if (!elf) {
    elf = parseElf(content);
    parsed.set(content, elf);
  }
  return elf;
}

async function parseElf(content: FileContent): Promise<ElfFile | undefined> {
  if (!(await isElf(content))) return undefined;
  const head = await content.read(0, 64);
  const is64 = head[4] === 2;
  if (head[4] !== 1 && head[4] !== 2) throw new Error(`ELF class ${head[4]} is neither 32- nor 64-bit`);
  const littleEndian = head[5] !== 2;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const u16 = (v: DataView, o: number): number => v.getUint16(o, littleEndian);
  const u32 = (v: DataView, o: number): number => v.getUint32(o, littleEndian);
  const word = (v: DataView, o: number): number => (is64 ? Number(v.getBigUint64(o, littleEndian)) : v.getUint32(o, littleEndian));
  const phoff = word(view, is64 ? 32 : 28);
  const shoff = word(view, is64 ? 40 : 32);
  const phentsize = u16(view, is64 ? 54 : 42);
  const phnum = u16(view, is64 ? 56 : 44);
  const shentsize = u16(view, is64 ? 58 : 46);
  const shnum = u16(view, is64 ? 60 : 48);
  const shstrndx = u16(view, is64 ? 62 : 50);

  const table = async (offset: number, entsize: number, count: number, what: string): Promise<DataView> => {
    if (count === 0 || offset === 0) return new DataView(new ArrayBuffer(0));
    const bytes = await content.read(offset, entsize * count);
    if (bytes.length < entsize * count) throw new Error(`${what} table runs past the end of the file`);
    return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };

  const programs: ElfProgram[] = [];
  const ph = await table(phoff, phentsize, phnum, 'program header');
  for (let i = 0; i < (ph.byteLength === 0 ? 0 : phnum); i++) {
    const o = i * phentsize;
    programs.push(
      is64
        ? { type: u32(ph, o), flags: u32(ph, o + 4), offset: word(ph, o + 8), vaddr: word(ph, o + 16), filesz: word(ph, o + 32), memsz: word(ph, o + 40) }
        : { type: u32(ph, o), offset: u32(ph, o + 4), vaddr: u32(ph, o + 8), filesz: u32(ph, o + 16), memsz: u32(ph, o + 20), flags: u32(ph, o + 24) },
    );
  }

  const raw: Array<Omit<ElfSection, 'name'> & { nameOffset: number }> = [];
  const sh = await table(shoff, shentsize, shnum, 'section header');
  for (let i = 0; i < (sh.byteLength === 0 ? 0 : shnum); i++) {
    const o = i * shentsize;
    raw.push(
      is64
        ? { nameOffset: u32(sh, o), type: u32(sh, o + 4), addr: word(sh, o + 16), offset: word(sh, o + 24), size: word(sh, o + 32) }
        : { nameOffset: u32(sh, o), type: u32(sh, o + 4), addr: u32(sh, o + 12), offset: u32(sh, o + 16), size: u32(sh, o + 20) },
    );
  }
  let names: Uint8Array = new Uint8Array(0);
  const strtab = raw[shstrndx];
  if (strtab && strtab.size > 0 && strtab.size <= 16 * 1024 * 1024) names = await content.read(strtab.offset, strtab.size);
  const nameAt = (offset: number): string => {
    const end = names.indexOf(0, offset);
    return offset < names.length ? new TextDecoder().decode(names.subarray(offset, end < 0 ? names.length : end)) : '';
  };
  const sections = raw.map(({ nameOffset, ...s }) => ({ ...s, name: nameAt(nameOffset) }));
  return { content, is64, littleEndian, sections, programs };
}

/** The bytes of a named section (undefined if absent or not stored in the file), refused above `limit`. */
export async function sectionBytes(elf: ElfFile, name: string, limit: number): Promise<Uint8Array | undefined> {
  const section = elf.sections.find((s) => s.name === name);
  if (!section || section.type === SHT_NOBITS) return undefined;
  if (section.size > limit) throw new Error(`section ${name} is ${section.size} bytes, above the ${limit}-byte limit`);
  return elf.content.read(section.offset, section.size);
}

/**
 * Up to `size` bytes at virtual address `addr`, from the loadable segment that holds it (as Go's
 * debug/buildinfo reads data): fewer bytes when the segment's file part ends first, none when no segment holds it.
 */
export async function readAtAddress(elf: ElfFile, addr: number, size: number): Promise<Uint8Array> {
  for (const p of elf.programs) {
    if (p.vaddr <= addr && addr <= p.vaddr + p.filesz - 1) {
      const remaining = p.vaddr + p.filesz - addr;
      return elf.content.read(p.offset + (addr - p.vaddr), Math.min(size, remaining));
    }
  }
  return new Uint8Array(0);
}

/** A regular file with an execute bit and room for an ELF header: what binary catalogers ask to read. */
export function mayBeElfExecutable(file: { mode: number; size: number }): boolean {
  return (file.mode & 0o170000) === 0o100000 && (file.mode & 0o111) !== 0 && file.size >= 52;
}

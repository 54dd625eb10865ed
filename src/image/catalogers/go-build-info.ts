import { PF_W, PF_X, PT_LOAD, readAtAddress, type ElfFile } from './elf-file.js';

/**
 * Go build information embedded in a binary, read the way Go's debug/buildinfo does
 * (src/debug/buildinfo/buildinfo.go): find the 16-byte-aligned "\xff Go buildinf:" header at the start of the
 * .go.buildinfo section (or of the first writable, non-executable loadable segment), then read the toolchain
 * version and module information — inline varint-prefixed strings since Go 1.18, pointers to Go strings before.
 */
export interface GoModule {
  readonly path: string;
  readonly version: string;
  readonly sum?: string;
  readonly replace?: GoModule;
}

export interface GoBuildInfo {
  readonly goVersion: string;
  readonly path?: string;
  readonly main?: GoModule;
  readonly deps: readonly GoModule[];
  readonly settings: ReadonlyArray<readonly [string, string]>;
}

const MAGIC = Uint8Array.from([0xff, ...new TextEncoder().encode(' Go buildinf:')]);
const HEADER_SIZE = 32;
const ALIGN = 16;
const CHUNK = 1 << 20;

function dataStart(elf: ElfFile): { addr: number; size: number } | undefined {
  const section = elf.sections.find((s) => s.name === '.go.buildinfo');
  if (section) return { addr: section.addr, size: section.size };
  const segment = elf.programs.find((p) => p.type === PT_LOAD && (p.flags & (PF_X | PF_W)) === PF_W);
  return segment ? { addr: segment.vaddr, size: segment.memsz } : undefined;
}

function indexOfMagic(data: Uint8Array, from: number): number {
  outer: for (let i = data.indexOf(0xff, from); i >= 0 && i + MAGIC.length <= data.length; i = data.indexOf(0xff, i + 1)) {
    for (let j = 1; j < MAGIC.length; j++) if (data[i + j] !== MAGIC[j]) continue outer;
    return i;
  }
  return -1;
}

async function searchMagic(elf: ElfFile, start: number, size: number): Promise<number | undefined> {
  const end = start + size;
  let addr = Math.ceil(start / ALIGN) * ALIGN;
  while (addr < end) {
    const chunk = await readAtAddress(elf, addr, Math.min(CHUNK, end - addr));
    if (chunk.length === 0) return undefined;
    for (let i = indexOfMagic(chunk, 0); i >= 0; i = indexOfMagic(chunk, i + 1)) {
      if (i % ALIGN === 0) return end - (addr + i) >= HEADER_SIZE ? addr + i : undefined;
    }
    addr += chunk.length;
  }
  return undefined;
}

function uvarint(bytes: Uint8Array): { value: number; length: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < Math.min(bytes.length, 10); i++) {
    const b = bytes[i]!;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return { value, length: i + 1 };
    scale *= 128;
  }
  return undefined;
}

const MAX_STRING = 64 * 1024 * 1024;

async function inlineString(elf: ElfFile, addr: number): Promise<{ text: string; next: number } | undefined> {
  const n = uvarint(await readAtAddress(elf, addr, 10));
  if (!n || n.value > MAX_STRING) return undefined;
  const bytes = await readAtAddress(elf, addr + n.length, n.value);
  if (bytes.length < n.value) return undefined;
  return { text: new TextDecoder().decode(bytes), next: addr + n.length + n.value };
}

async function pointerString(elf: ElfFile, addr: number, ptrSize: number, little: boolean): Promise<string> {
  const readPtr = (b: Uint8Array, o: number): number => {
    const v = new DataView(b.buffer, b.byteOffset + o, ptrSize);
    return ptrSize === 4 ? v.getUint32(0, little) : Number(v.getBigUint64(0, little));
  };
  const header = await readAtAddress(elf, addr, 2 * ptrSize);
  if (header.length < 2 * ptrSize) return '';
  const dataAddr = readPtr(header, 0);
  const dataLen = readPtr(header, ptrSize);
  if (dataLen > MAX_STRING) return '';
  const data = await readAtAddress(elf, dataAddr, dataLen);
  return data.length < dataLen ? '' : new TextDecoder().decode(data);
}

/** The raw version and module-info strings, or undefined when the binary is not a Go executable. */
export async function readRawGoBuildInfo(elf: ElfFile): Promise<{ version: string; modinfo: string } | undefined> {
  const start = dataStart(elf);
  if (!start || start.size === 0) return undefined;
  const at = await searchMagic(elf, start.addr, start.size);
  if (at === undefined) return undefined;
  const header = await readAtAddress(elf, at, HEADER_SIZE);
  if (header.length < HEADER_SIZE) return undefined;
  const flags = header[15]!;
  let version: string;
  let modinfo: string;
  if ((flags & 0x2) !== 0) {
    const v = await inlineString(elf, at + HEADER_SIZE);
    if (!v) return undefined;
    const m = await inlineString(elf, v.next);
    if (!m) return undefined;
    version = v.text;
    modinfo = m.text;
  } else {
    const ptrSize = header[14]!;
    if (ptrSize !== 4 && ptrSize !== 8) return undefined;
    const little = (flags & 0x1) === 0;
    const ptr = (o: number): number => {
      const v = new DataView(header.buffer, header.byteOffset + o, ptrSize);
      return ptrSize === 4 ? v.getUint32(0, little) : Number(v.getBigUint64(0, little));
    };
    version = await pointerString(elf, ptr(16), ptrSize, little);
    modinfo = await pointerString(elf, ptr(16 + ptrSize), ptrSize, little);
  }
  if (version === '') return undefined;
  // Module info is framed by two 16-byte sentinels (cmd/go/internal/modload infoStart/infoEnd).
  modinfo = modinfo.length >= 33 && modinfo[modinfo.length - 17] === '\n' ? modinfo.slice(16, -16) : '';
  return { version, modinfo };
}

/** runtime/debug.ParseBuildInfo, except for the go line (the version comes from the header). Throws on malformed lines, naming the line. */
export function parseGoModinfo(goVersion: string, modinfo: string): GoBuildInfo {
  let path: string | undefined;
  let main: GoModule | undefined;
  const deps: GoModule[] = [];
  const settings: Array<[string, string]> = [];
  let last: { set(m: GoModule): void } | undefined;
  const lines = modinfo.split('\n');
  const moduleLine = (elem: string[], n: number): GoModule => {
    if (elem.length !== 2 && elem.length !== 3) throw new Error(`line ${n}: expected 2 or 3 columns; got ${elem.length}`);
    return { path: elem[0]!, version: elem[1]!, ...(elem[2] ? { sum: elem[2] } : {}) };
  };
  for (let i = 0; i < lines.length - 1; i++) {
    const line = lines[i]!;
    const n = i + 1;
    if (line.startsWith('path\t')) path = line.slice(5);
    else if (line.startsWith('mod\t')) {
      main = moduleLine(line.slice(4).split('\t'), n);
      last = { set: (r) => { main = { ...main!, replace: r }; } };
    } else if (line.startsWith('dep\t')) {
      const index = deps.push(moduleLine(line.slice(4).split('\t'), n)) - 1;
      last = { set: (r) => { deps[index] = { ...deps[index]!, replace: r }; } };
    } else if (line.startsWith('=>\t')) {
      const elem = line.slice(3).split('\t');
      if (elem.length !== 3) throw new Error(`line ${n}: expected 3 columns for replacement; got ${elem.length}`);
      if (!last) throw new Error(`line ${n}: replacement with no module on previous line`);
      last.set({ path: elem[0]!, version: elem[1]!, ...(elem[2] ? { sum: elem[2] } : {}) });
      last = undefined;
    } else if (line.startsWith('build\t')) {
      const kv = line.slice(6);
      // Keys and values with spaces, quotes or "=" are Go-quoted (strconv.Quote); JSON reads the common escapes.
      const quotedKey = /^"(?:[^"\\]|\\.)*"|^`[^`]*`/.exec(kv)?.[0];
      const eq = quotedKey ? quotedKey.length : kv.indexOf('=');
      if (eq <= 0 || kv[eq] !== '=') throw new Error(`line ${n}: build line missing '='`);
      const unquote = (s: string): string => (s.startsWith('"') ? (JSON.parse(s) as string) : s.startsWith('`') ? s.slice(1, -1) : s);
      settings.push([unquote(kv.slice(0, eq)), unquote(kv.slice(eq + 1))]);
    }
  }
  return { goVersion, ...(path !== undefined ? { path } : {}), ...(main ? { main } : {}), deps, settings };
}

import { inflateRawSync } from 'node:zlib';
import { bytesContent, type FileContent } from './cataloger.js';

/**
 * Reading zip archives (jar, war, ear) through random access (PKWARE APPNOTE 6.3): the central directory at
 * the end, then only the entries asked for. Stored entries are returned as a window on the archive, so a
 * nested jar kept uncompressed (as Spring Boot does) is read without copying it.
 */
export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The entries of the central directory; throws with the reason when the archive is not a readable zip. */
export async function zipEntries(content: FileContent): Promise<ZipEntry[]> {
  const tailLength = Math.min(content.size, 22 + 0xffff);
  const tail = await content.read(content.size - tailLength, tailLength);
  const t = view(tail);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (t.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip archive (no end of central directory record)');
  let count = t.getUint16(eocd + 10, true);
  let cdSize = t.getUint32(eocd + 12, true);
  let cdOffset = t.getUint32(eocd + 16, true);
  if (eocd >= 20 && t.getUint32(eocd - 20, true) === ZIP64_LOCATOR) {
    const zip64At = Number(t.getBigUint64(eocd - 20 + 8, true));
    const z = view(await content.read(zip64At, 56));
    if (z.byteLength < 56 || z.getUint32(0, true) !== ZIP64_EOCD) throw new Error('zip64 end of central directory record missing');
    count = Number(z.getBigUint64(32, true));
    cdSize = Number(z.getBigUint64(40, true));
    cdOffset = Number(z.getBigUint64(48, true));
  }
  // Archives with a prefix (self-extracting or launcher scripts) shift every offset by the prefix length.
  const archiveStart = content.size - tailLength + eocd - cdSize - cdOffset;
  const directory = await content.read(archiveStart + cdOffset, cdSize);
  if (directory.length < cdSize) throw new Error('central directory runs past the end of the file');
  const d = view(directory);
  const decoder = new TextDecoder();
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > directory.length || d.getUint32(at, true) !== CENTRAL) throw new Error(`central directory entry ${i} is malformed`);
    const nameLength = d.getUint16(at + 28, true);
    const extraLength = d.getUint16(at + 30, true);
    const commentLength = d.getUint16(at + 32, true);
    let compressedSize = d.getUint32(at + 20, true);
    let size = d.getUint32(at + 24, true);
    let localHeaderOffset = d.getUint32(at + 42, true);
    const name = decoder.decode(directory.subarray(at + 46, at + 46 + nameLength));
    // zip64 extended information: 64-bit values for the fields that are 0xffffffff, in this order.
    let extra = at + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = d.getUint16(extra, true);
      const length = d.getUint16(extra + 2, true);
      if (id === 0x0001) {
        let p = extra + 4;
        if (size === 0xffffffff) { size = Number(d.getBigUint64(p, true)); p += 8; }
        if (compressedSize === 0xffffffff) { compressedSize = Number(d.getBigUint64(p, true)); p += 8; }
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = Number(d.getBigUint64(p, true));
      }
      extra += 4 + length;
    }
    entries.push({ name, method: d.getUint16(at + 10, true), compressedSize, size, localHeaderOffset: archiveStart + localHeaderOffset });
    at = extraEnd + commentLength;
  }
  return entries;
}

/** An entry's content: a window on the archive when stored, inflated into memory (at most `limit` bytes) when deflated. */
export async function zipEntryContent(content: FileContent, entry: ZipEntry, limit: number): Promise<FileContent> {
  const local = view(await content.read(entry.localHeaderOffset, 30));
  if (local.byteLength < 30 || local.getUint32(0, true) !== LOCAL) throw new Error(`${entry.name}: local header missing`);
  const dataStart = entry.localHeaderOffset + 30 + local.getUint16(26, true) + local.getUint16(28, true);
  if (entry.method === 0) {
    return {
      size: entry.size,
      read: (offset, length) => content.read(dataStart + Math.max(0, offset), Math.max(0, Math.min(length, entry.size - offset))),
    };
  }
  if (entry.method !== 8) throw new Error(`${entry.name}: compression method ${entry.method} is not supported`);
  if (entry.size > limit) throw new Error(`${entry.name}: ${entry.size} bytes uncompressed, above the ${limit}-byte limit`);
  const compressed = await content.read(dataStart, entry.compressedSize);
  return bytesContent(new Uint8Array(inflateRawSync(compressed, { maxOutputLength: Math.max(1, limit) })));
}

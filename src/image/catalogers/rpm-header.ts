/**
 * An RPM header blob as the package database stores it (rpm's headerExport: index count and data length as
 * big-endian uint32, then 16-byte index entries {tag, type, offset, count}, then the data store). Only the
 * tags a package inventory needs are decoded.
 */
export const RPMTAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  LICENSE: 1014,
  VENDOR: 1011,
  ARCH: 1022,
  SOURCERPM: 1044,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
} as const;

const TYPE_INT32 = 4;
const TYPE_STRING = 6;
const TYPE_STRING_ARRAY = 8;
const TYPE_I18NSTRING = 9;

export type RpmHeader = ReadonlyMap<number, string | number>;

/** Decodes the string and int32 tags; throws when the blob's own lengths contradict its size. */
export function parseRpmHeader(blob: Uint8Array): RpmHeader {
  if (blob.length < 8) throw new Error(`header blob of ${blob.length} bytes is too short`);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const il = view.getUint32(0);
  const dl = view.getUint32(4);
  const dataStart = 8 + il * 16;
  if (il > 0xffff || dataStart + dl > blob.length) throw new Error(`header blob says ${il} entries and ${dl} data bytes, more than its ${blob.length} bytes`);
  const data = blob.subarray(dataStart, dataStart + dl);
  const decoder = new TextDecoder();
  const stringAt = (offset: number): string => {
    const end = data.indexOf(0, offset);
    return decoder.decode(data.subarray(offset, end < 0 ? data.length : end));
  };
  const tags = new Map<number, string | number>();
  for (let i = 0; i < il; i++) {
    const at = 8 + i * 16;
    const tag = view.getInt32(at);
    const type = view.getUint32(at + 4);
    const offset = view.getInt32(at + 8);
    if (offset < 0 || offset >= dl) continue;
    if (type === TYPE_STRING || type === TYPE_STRING_ARRAY || type === TYPE_I18NSTRING) tags.set(tag, stringAt(offset));
    else if (type === TYPE_INT32 && offset + 4 <= dl) tags.set(tag, new DataView(data.buffer, data.byteOffset + offset, 4).getInt32(0));
  }
  return tags;
}

/**
 * The paths of the files a header lists (rpm -ql): BASENAMES[i] in folder DIRNAMES[DIRINDEXES[i]] (rpm ≥ 4.0's
 * compressed file list). Empty when the header lists no files; throws when the arrays contradict each other.
 */
export function rpmHeaderFiles(blob: Uint8Array): string[] {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const il = view.getUint32(0);
  const dl = view.getUint32(4);
  const dataStart = 8 + il * 16;
  if (il > 0xffff || dataStart + dl > blob.length) throw new Error(`header blob says ${il} entries and ${dl} data bytes, more than its ${blob.length} bytes`);
  const data = blob.subarray(dataStart, dataStart + dl);
  const entries = new Map<number, { type: number; offset: number; count: number }>();
  for (let i = 0; i < il; i++) {
    const at = 8 + i * 16;
    entries.set(view.getInt32(at), { type: view.getUint32(at + 4), offset: view.getInt32(at + 8), count: view.getUint32(at + 12) });
  }
  const decoder = new TextDecoder();
  const strings = (tag: number): string[] => {
    const entry = entries.get(tag);
    if (!entry || entry.type !== TYPE_STRING_ARRAY) return [];
    const out: string[] = [];
    let at = entry.offset;
    for (let i = 0; i < entry.count; i++) {
      const end = data.indexOf(0, at);
      if (at < 0 || end < 0) throw new Error(`tag ${tag} runs past the header's data`);
      out.push(decoder.decode(data.subarray(at, end)));
      at = end + 1;
    }
    return out;
  };
  const basenames = strings(RPMTAG.BASENAMES);
  const dirnames = strings(RPMTAG.DIRNAMES);
  const indexes = entries.get(RPMTAG.DIRINDEXES);
  if (basenames.length === 0) return [];
  if (!indexes || indexes.type !== TYPE_INT32 || indexes.count !== basenames.length || indexes.offset + 4 * indexes.count > dl) {
    throw new Error('file list: DIRINDEXES does not match BASENAMES');
  }
  const ints = new DataView(data.buffer, data.byteOffset + indexes.offset, 4 * indexes.count);
  return basenames.map((base, i) => {
    const dir = dirnames[ints.getInt32(4 * i)];
    if (dir === undefined) throw new Error(`file list: folder index ${ints.getInt32(4 * i)} is out of range`);
    return `${dir}${base}`;
  });
}

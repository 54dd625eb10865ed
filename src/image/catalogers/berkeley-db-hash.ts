/**
 * Values of a Berkeley DB hash database (the format of rpm's /var/lib/rpm/Packages up to rpm 4.15: RHEL/UBI 8
 * and older, CentOS 7, Amazon Linux 2). Layout from Berkeley DB's db_page.h: page 0 is the hash metadata page
 * (magic 0x061561, page size); hash pages hold key/data item pairs, each either inline (H_KEYDATA) or on a
 * chain of overflow pages (H_OFFPAGE). Keys are not needed: rpm's keys are package numbers.
 */
const HASH_MAGIC = 0x061561;
const P_HASH_UNSORTED = 2;
const P_HASH = 13;
const P_OVERFLOW = 7;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;
const PAGE_HEADER = 26;

export function berkeleyDbHashValues(bytes: Uint8Array): Uint8Array[] {
  if (bytes.length < 512) throw new Error('too short for a Berkeley DB file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let little: boolean;
  if (view.getUint32(12, true) === HASH_MAGIC) little = true;
  else if (view.getUint32(12, false) === HASH_MAGIC) little = false;
  else throw new Error('not a Berkeley DB hash database (magic 0x061561 missing)');
  const pageSize = view.getUint32(20, little);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) throw new Error(`page size ${pageSize} is not a power of two between 512 and 65536`);
  const pageCount = Math.floor(bytes.length / pageSize);
  const u16 = (at: number): number => view.getUint16(at, little);
  const u32 = (at: number): number => view.getUint32(at, little);

  const overflow = (first: number, total: number): Uint8Array => {
    const out = new Uint8Array(total);
    let filled = 0;
    const seen = new Set<number>();
    for (let page = first; page !== 0 && filled < total; ) {
      if (page >= pageCount || seen.has(page)) throw new Error(`overflow chain from page ${first} is broken at page ${page}`);
      seen.add(page);
      const base = page * pageSize;
      if (bytes[base + 25] !== P_OVERFLOW) throw new Error(`page ${page} is not an overflow page`);
      const length = Math.min(u16(base + 22), pageSize - PAGE_HEADER, total - filled);
      out.set(bytes.subarray(base + PAGE_HEADER, base + PAGE_HEADER + length), filled);
      filled += length;
      page = u32(base + 16);
    }
    if (filled < total) throw new Error(`overflow chain from page ${first} holds ${filled} of ${total} bytes`);
    return out;
  };

  const values: Uint8Array[] = [];
  for (let page = 1; page < pageCount; page++) {
    const base = page * pageSize;
    const type = bytes[base + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const entries = u16(base + 20);
    // Items sit at the end of the page in index order downwards: item i ends where item i-1 starts.
    for (let i = 1; i < entries; i += 2) {
      const offset = u16(base + PAGE_HEADER + i * 2);
      const end = u16(base + PAGE_HEADER + (i - 1) * 2);
      if (offset >= pageSize || end > pageSize || end <= offset) throw new Error(`page ${page} item ${i} has offsets ${offset}..${end}`);
      const item = base + offset;
      if (bytes[item] === H_OFFPAGE) values.push(overflow(u32(item + 4), u32(item + 8)));
      else if (bytes[item] === H_KEYDATA) values.push(bytes.slice(item + 1, base + end));
    }
  }
  return values;
}

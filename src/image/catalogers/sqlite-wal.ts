/**
 * Applies the committed frames of an SQLite write-ahead log (https://www.sqlite.org/fileformat2.html#walformat)
 * to a copy of the database file: what a checkpoint would write. Images often carry rpmdb.sqlite-wal with
 * transactions not yet checkpointed; reading the main file alone would miss them.
 */
export function applyWal(database: Uint8Array, wal: Uint8Array): Uint8Array {
  if (wal.length < 32) return database;
  const w = new DataView(wal.buffer, wal.byteOffset, wal.byteLength);
  const magic = w.getUint32(0);
  if (magic !== 0x377f0682 && magic !== 0x377f0683) return database;
  const pageSize = w.getUint32(8) === 1 ? 65536 : w.getUint32(8);
  const salt1 = w.getUint32(16);
  const salt2 = w.getUint32(20);
  const frameSize = 24 + pageSize;
  // Frames of a transaction count only once its commit frame (non-zero "database size") is seen.
  let pending: Array<{ page: number; at: number }> = [];
  const committed = new Map<number, number>();
  let size = database.length / pageSize;
  for (let at = 32; at + frameSize <= wal.length; at += frameSize) {
    if (w.getUint32(at + 8) !== salt1 || w.getUint32(at + 12) !== salt2) break;
    pending.push({ page: w.getUint32(at), at: at + 24 });
    const commitSize = w.getUint32(at + 4);
    if (commitSize !== 0) {
      for (const frame of pending) committed.set(frame.page, frame.at);
      pending = [];
      size = commitSize;
    }
  }
  if (committed.size === 0) return database;
  const out = new Uint8Array(size * pageSize);
  out.set(database.subarray(0, Math.min(database.length, out.length)));
  for (const [page, at] of committed) if (page <= size) out.set(wal.subarray(at, at + pageSize), (page - 1) * pageSize);
  return out;
}

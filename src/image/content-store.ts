/**
 * Where the walker keeps the bytes of wanted files until the catalogers read them. The pure default holds them in
 * memory; sources give a store that spills large files to Aspis's cache (src/sources/image/spilling-content-store.ts),
 * so a 300 MB Go binary costs disk, not heap.
 */
import { bytesContent, type FileContent } from './catalogers/cataloger.js';

export interface ContentStore {
  /** Consumes `data` (exactly `size` bytes of one file) and returns random access to it. */
  keep(data: AsyncIterable<Uint8Array>, size: number): Promise<FileContent>;
  /** Frees what `keep` returned (a file replaced by a later entry of the same layer, or the end of a scan). */
  release(content: FileContent): Promise<void>;
}

export async function readStream(data: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of data) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export const memoryContentStore: ContentStore = {
  keep: async (data) => bytesContent(await readStream(data)),
  release: async () => {},
};

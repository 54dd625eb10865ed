/**
 * A ContentStore that keeps small wanted files in memory and writes large ones (and everything once the in-memory
 * budget is spent) to a private folder in Aspis's cache, read back on demand. Memory therefore stays bounded by
 * the budget, whatever the image holds; `dispose()` removes the folder.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { bytesContent, type FileContent } from '../../image/catalogers/cataloger.js';
import { readStream, type ContentStore } from '../../image/content-store.js';

export interface SpillingOptions {
  /** Files up to this size stay in memory while the budget lasts (default 1 MiB). */
  readonly maxInMemoryFile?: number;
  /** Total bytes held in memory (default 64 MiB). */
  readonly memoryBudget?: number;
}

export class SpillingContentStore implements ContentStore {
  private folder?: string;
  private inMemory = 0;
  private spilled = 0;
  private readonly handles = new Set<FileHandle>();
  private readonly memorySizes = new WeakMap<FileContent, number>();
  private readonly maxInMemoryFile: number;
  private readonly memoryBudget: number;

  constructor(
    private readonly cacheDir: string,
    options: SpillingOptions = {},
  ) {
    this.maxInMemoryFile = options.maxInMemoryFile ?? 1024 ** 2;
    this.memoryBudget = options.memoryBudget ?? 64 * 1024 ** 2;
  }

  async keep(data: AsyncIterable<Uint8Array>, size: number): Promise<FileContent> {
    if (size <= this.maxInMemoryFile && this.inMemory + size <= this.memoryBudget) {
      const bytes = await readStream(data);
      this.inMemory += bytes.length;
      const content = bytesContent(bytes);
      this.memorySizes.set(content, bytes.length);
      return content;
    }
    return this.spill(data);
  }

  async release(content: FileContent): Promise<void> {
    const inMemory = this.memorySizes.get(content);
    if (inMemory !== undefined) {
      this.inMemory -= inMemory;
      this.memorySizes.delete(content);
    }
    const handle = (content as Partial<SpilledContent>).handle;
    if (handle && this.handles.delete(handle)) await handle.close();
  }

  /** Removes every spilled file. */
  async dispose(): Promise<void> {
    for (const handle of this.handles) await handle.close().catch(() => {});
    this.handles.clear();
    if (this.folder) await rm(this.folder, { recursive: true, force: true });
    this.folder = undefined;
  }

  get spilledFiles(): number {
    return this.spilled;
  }

  private async spill(data: AsyncIterable<Uint8Array>): Promise<FileContent> {
    if (!this.folder) {
      const parent = join(this.cacheDir, 'tmp');
      await mkdir(parent, { recursive: true, mode: 0o700 });
      this.folder = await mkdtemp(join(parent, 'scan-'));
    }
    const path = join(this.folder, String(++this.spilled));
    await pipeline(Readable.from(data), createWriteStream(path, { mode: 0o600 }));
    const handle = await open(path, 'r');
    this.handles.add(handle);
    const { size } = await handle.stat();
    const content: SpilledContent = {
      size,
      handle,
      read: async (offset, length) => {
        const start = Math.max(0, offset);
        const wanted = Math.max(0, Math.min(length, size - start));
        const buffer = Buffer.alloc(wanted);
        let done = 0;
        while (done < wanted) {
          const { bytesRead } = await handle.read(buffer, done, wanted - done, start + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return buffer.subarray(0, done);
      },
    };
    return content;
  }
}

interface SpilledContent extends FileContent {
  readonly handle: FileHandle;
}

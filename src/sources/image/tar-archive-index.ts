/**
 * Random access to the members of an uncompressed tar file (OCI archives, `docker save` output): one pass over the
 * headers records where each member's data starts, then members are read by byte range. The archive is never
 * extracted. A compressed archive is refused with a message saying so.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { normalizeEntryPath } from '../../image/tar-entry-path.js';
import { sniffCompression } from '../../image/media-types.js';

export interface ArchiveMember {
  readonly offset: number;
  readonly size: number;
}

export class TarArchiveIndex {
  private constructor(
    readonly path: string,
    private readonly members: ReadonlyMap<string, ArchiveMember>,
  ) {}

  static async open(path: string): Promise<TarArchiveIndex> {
    const handle = await open(path, 'r');
    try {
      const head = Buffer.alloc(4);
      await handle.read(head, 0, 4, 0);
      const compression = sniffCompression(head);
      if (compression !== 'none') throw new Error(`${path}: the archive is ${compression}-compressed; decompress it first (e.g. ${compression === 'gzip' ? 'gunzip' : 'unzstd'})`);
    } finally {
      await handle.close();
    }
    const members = new Map<string, ArchiveMember>();
    const extract = tar.extract();
    const done = pipeline(createReadStream(path), extract);
    done.catch(() => {});
    try {
      for await (const entry of extract) {
        const header = entry.header;
        if (header.type === 'file' || header.type === 'contiguous-file') {
          // tar-stream's offset is where the member's (last) header block starts; data follows it.
          members.set(normalizeEntryPath(header.name).slice(1), { offset: entry.offset + 512, size: header.size });
        }
        entry.resume();
      }
      await done;
    } catch (error) {
      throw new Error(`${path}: not a readable tar archive: ${(error as Error).message}`);
    }
    return new TarArchiveIndex(path, members);
  }

  has(name: string): boolean {
    return this.members.has(name);
  }

  member(name: string, what: string): ArchiveMember {
    const member = this.members.get(name);
    if (!member) throw new Error(`${what}: ${name} is missing from the archive`);
    return member;
  }

  names(): string[] {
    return [...this.members.keys()];
  }

  async read(name: string, what: string, limit: number): Promise<Buffer> {
    const member = this.member(name, what);
    if (member.size > limit) throw new Error(`${what}: ${name} is ${member.size} bytes, too large for an image document`);
    const handle = await open(this.path, 'r');
    try {
      const buffer = Buffer.alloc(member.size);
      const { bytesRead } = await handle.read(buffer, 0, member.size, member.offset);
      if (bytesRead !== member.size) throw new Error(`${what}: ${name} is truncated`);
      return buffer;
    } finally {
      await handle.close();
    }
  }

  async head(name: string, what: string, length: number): Promise<Buffer> {
    const member = this.member(name, what);
    const handle = await open(this.path, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(length, member.size));
      await handle.read(buffer, 0, buffer.length, member.offset);
      return buffer;
    } finally {
      await handle.close();
    }
  }

  stream(name: string, what: string): Readable {
    const member = this.member(name, what);
    if (member.size === 0) return createReadStream(this.path, { start: 1, end: 0 });
    return createReadStream(this.path, { start: member.offset, end: member.offset + member.size - 1, highWaterMark: 256 * 1024 });
  }
}

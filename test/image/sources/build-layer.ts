/**
 * Real layer blobs for tests: tar archives written by tar-stream, compressed with node:zlib (gzip) or Debian's
 * zstd program, with their digests. Used to build OCI layouts, OCI archives and docker-save archives on disk.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';

export interface LayerEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device';
  content?: string | Uint8Array;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
}

export type Compression = 'gzip' | 'zstd' | 'none';

export async function tarBytes(entries: readonly LayerEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
  })();
  for (const e of entries) {
    const type = e.type ?? 'file';
    const header = {
      name: e.name,
      type,
      mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644),
      uid: e.uid ?? 0,
      gid: e.gid ?? 0,
      mtime: new Date(0),
      ...(e.linkname !== undefined ? { linkname: e.linkname } : {}),
    };
    await new Promise<void>((resolve, reject) => {
      if (type === 'file') pack.entry(header, Buffer.from(e.content ?? ''), (err) => (err ? reject(err) : resolve()));
      else pack.entry(header, (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

export function compress(bytes: Buffer, compression: Compression): Buffer {
  if (compression === 'gzip') return gzipSync(bytes);
  if (compression === 'zstd') return execFileSync('zstd', ['-q', '-c', '-3'], { input: bytes, maxBuffer: 1024 ** 3 });
  return bytes;
}

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export interface BuiltLayer {
  blob: Buffer;
  digest: string;
  diffId: string;
  size: number;
  compression: Compression;
  mediaType: string;
}

const MEDIA: Record<Compression, string> = {
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  none: 'application/vnd.oci.image.layer.v1.tar',
};

export async function buildLayer(entries: readonly LayerEntry[], compression: Compression = 'gzip'): Promise<BuiltLayer> {
  const plain = await tarBytes(entries);
  const blob = compress(plain, compression);
  return { blob, digest: sha256(blob), diffId: sha256(plain), size: blob.length, compression, mediaType: MEDIA[compression] };
}

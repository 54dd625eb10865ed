/**
 * OCI image layout folders (image-spec "image-layout.md"): `oci-layout`, `index.json`, `blobs/<alg>/<hex>`.
 * Several images in one layout are told apart by their `org.opencontainers.image.ref.name` annotation (the
 * PATH:TAG that skopeo and umoci write) or, for one multi-platform image, by platform.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { parseDigest, verifyBytes } from '../../image/blob-digest.js';
import { imageIndexSchema, parseDocument, type ImageIndex } from '../../image/image-documents.js';
import { MEDIA_TYPE } from '../../image/media-types.js';
import type { OciBlobReader } from './oci-blob-reader.js';
import type { OpenedImage } from './opened-image.js';
import { MAX_DOCUMENT_BYTES } from './opened-image.js';
import { resolveOciImage, type ResolveOptions } from './resolve-oci-image.js';

export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

export interface LayoutSelection {
  /** The ref.name of the image in the layout; needed when it holds several. */
  readonly tag?: string;
}

export async function openOciLayout(dir: string, selection: LayoutSelection, options: Omit<ResolveOptions, 'tags' | 'close'>): Promise<OpenedImage> {
  const what = `OCI layout ${dir}`;
  await checkLayoutMarker(await readSmall(join(dir, 'oci-layout'), `${what}: oci-layout`), what);
  const index = parseDocument(imageIndexSchema, await readSmall(join(dir, 'index.json'), `${what}: index.json`), `${what}: index.json`);
  const reader: OciBlobReader = {
    what,
    readDocument: async (digest, size) => {
      const bytes = await readSmall(blobPath(dir, digest, what), `${what}: blob ${digest}`);
      verifyBytes(bytes, digest, `${what}: blob ${digest}`, size);
      return bytes;
    },
    readManifest: (digest, size) => reader.readDocument(digest, size),
    openBlob: async (digest) => openBlobFile(blobPath(dir, digest, what), `${what}: blob ${digest}`),
  };
  return openFromLayoutIndex(reader, index, selection, { ...options, close: async () => {} });
}

/** The index.json of a layout (folder or archive), narrowed to the selected image, as the start of resolution. */
export async function openFromLayoutIndex(
  reader: OciBlobReader,
  index: ImageIndex,
  selection: LayoutSelection,
  options: Omit<ResolveOptions, 'tags'>,
): Promise<OpenedImage> {
  const what = `${reader.what}: index.json`;
  let manifests = index.manifests;
  if (selection.tag !== undefined) {
    manifests = manifests.filter((m) => m.annotations?.[REF_NAME_ANNOTATION] === selection.tag);
    if (manifests.length === 0) throw new Error(`${what}: no image named "${selection.tag}" (names: ${refNames(index).join(', ') || 'none'})`);
  } else {
    const names = refNames(index);
    if (names.length > 1) throw new Error(`${what}: the layout holds several images (${names.join(', ')}); name one as PATH:NAME`);
  }
  const tags = [...new Set(manifests.map((m) => m.annotations?.[REF_NAME_ANNOTATION]).filter((n): n is string => n !== undefined))];
  if (manifests.length === 1) {
    const only = manifests[0]!;
    const bytes = await reader.readManifest(only.digest, only.size);
    return resolveOciImage(reader, { bytes, digest: only.digest, mediaType: only.mediaType }, { ...options, tags });
  }
  const narrowed = { schemaVersion: 2, mediaType: MEDIA_TYPE.ociIndex, manifests };
  return resolveOciImage(reader, { bytes: new TextEncoder().encode(JSON.stringify(narrowed)), digest: 'index.json', mediaType: MEDIA_TYPE.ociIndex }, { ...options, tags });
}

export async function checkLayoutMarker(bytes: Uint8Array, what: string): Promise<void> {
  const marker = JSON.parse(new TextDecoder().decode(bytes)) as { imageLayoutVersion?: unknown };
  if (typeof marker.imageLayoutVersion !== 'string' || !marker.imageLayoutVersion.startsWith('1.')) {
    throw new Error(`${what}: oci-layout: imageLayoutVersion ${JSON.stringify(marker.imageLayoutVersion)} is not 1.x`);
  }
}

function refNames(index: ImageIndex): string[] {
  return [...new Set(index.manifests.map((m) => m.annotations?.[REF_NAME_ANNOTATION]).filter((n): n is string => n !== undefined))];
}

/** The digest is checked to be algorithm:hex first, so the path cannot leave blobs/. */
function blobPath(dir: string, digest: string, what: string): string {
  const { algorithm, hex } = parseDigest(digest, `${what}: blob`);
  return join(dir, 'blobs', algorithm, hex);
}

async function readSmall(path: string, what: string): Promise<Uint8Array> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    throw new Error(`${what}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (error as Error).message}`);
  }
  if (size > MAX_DOCUMENT_BYTES) throw new Error(`${what}: ${size} bytes, too large for an image document`);
  return readFile(path);
}

async function openBlobFile(path: string, what: string): Promise<Readable> {
  try {
    await stat(path);
  } catch {
    throw new Error(`${what}: missing from the layout`);
  }
  return createReadStream(path, { highWaterMark: 256 * 1024 });
}

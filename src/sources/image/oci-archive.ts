/** OCI archives: an OCI image layout in one (uncompressed) tar file, as `skopeo copy … oci-archive:` writes. */
import { parseDigest, verifyBytes } from '../../image/blob-digest.js';
import { imageIndexSchema, parseDocument } from '../../image/image-documents.js';
import type { OciBlobReader } from './oci-blob-reader.js';
import { checkLayoutMarker, openFromLayoutIndex, type LayoutSelection } from './oci-layout.js';
import { MAX_DOCUMENT_BYTES, type OpenedImage } from './opened-image.js';
import type { ResolveOptions } from './resolve-oci-image.js';
import type { TarArchiveIndex } from './tar-archive-index.js';

export function isOciArchive(archive: TarArchiveIndex): boolean {
  return archive.has('oci-layout') && archive.has('index.json');
}

export async function openOciArchive(archive: TarArchiveIndex, selection: LayoutSelection, options: Omit<ResolveOptions, 'tags' | 'close' | 'transport'>): Promise<OpenedImage> {
  const what = `OCI archive ${archive.path}`;
  await checkLayoutMarker(await archive.read('oci-layout', what, MAX_DOCUMENT_BYTES), what);
  const index = parseDocument(imageIndexSchema, await archive.read('index.json', what, MAX_DOCUMENT_BYTES), `${what}: index.json`);
  const blobName = (digest: string): string => {
    const { algorithm, hex } = parseDigest(digest, `${what}: blob`);
    return `blobs/${algorithm}/${hex}`;
  };
  const reader: OciBlobReader = {
    what,
    readDocument: async (digest, size) => {
      const bytes = await archive.read(blobName(digest), what, MAX_DOCUMENT_BYTES);
      verifyBytes(bytes, digest, `${what}: blob ${digest}`, size);
      return bytes;
    },
    readManifest: (digest, size) => reader.readDocument(digest, size),
    openBlob: async (digest) => archive.stream(blobName(digest), what),
  };
  return openFromLayoutIndex(reader, index, selection, { ...options, transport: 'oci-archive', close: async () => {} });
}

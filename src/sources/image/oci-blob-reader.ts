import type { Readable } from 'node:stream';

/** Content-addressed blobs of an OCI layout folder, an OCI archive or a registry repository. */
export interface OciBlobReader {
  /** Names the place in messages ("OCI layout ./img", "registry 127.0.0.1:5000/debian"). */
  readonly what: string;
  /** A small blob (a config) read whole and verified against its digest (and size, when given). */
  readDocument(digest: string, size: number | undefined): Promise<Uint8Array>;
  /** A manifest or index named by an index, verified (registries serve these from /manifests/, not /blobs/). */
  readManifest(digest: string, size: number | undefined): Promise<Uint8Array>;
  /** A blob as a stream; the caller verifies it while reading (layer walk). */
  openBlob(digest: string, size: number | undefined): Promise<Readable>;
}

import type { Readable } from 'node:stream';
import type { ImageConfig, ImageManifest } from '../../image/image-documents.js';
import type { ImageProblem } from '../../image/image-problem.js';
import type { LayerToRead } from '../../image/layer-walk.js';

export type ImageTransport = 'registry' | 'oci-layout' | 'oci-archive' | 'docker-archive';

/** An image whose documents are read and verified, ready for its layers to be walked. */
export interface OpenedImage {
  /** What the user named (reference or path). */
  readonly name: string;
  readonly transport: ImageTransport;
  /** Digest of the image manifest (absent for `docker save` archives, which have none). */
  readonly manifestDigest?: string;
  readonly manifest?: ImageManifest;
  readonly configDigest: string;
  readonly config: ImageConfig;
  /** Tags the source names the image by (registry tag, OCI ref.name annotation, docker RepoTags). */
  readonly tags: readonly string[];
  readonly layers: readonly LayerToRead[];
  /** Layers that cannot be read (unknown media types) and other document problems; the rest is still scanned. */
  readonly problems: readonly ImageProblem[];
  openLayer(layer: LayerToRead): Promise<Readable>;
  close(): Promise<void>;
}

/** Documents (manifests, indexes, configs) are read whole; nothing legitimate is this large. */
export const MAX_DOCUMENT_BYTES = 16 * 1024 ** 2;

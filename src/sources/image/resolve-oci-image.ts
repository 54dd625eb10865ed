/**
 * From an OCI index or manifest to an OpenedImage: follows indexes to the manifest of the wanted platform, reads and
 * verifies the config, and turns layer descriptors into layers to walk. Shared by OCI layouts, OCI archives and
 * registries (their documents are the same; only where blobs come from differs).
 */
import { verifyBytes } from '../../image/blob-digest.js';
import {
  imageConfigSchema,
  parseDocument,
  parseManifestDocument,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
} from '../../image/image-documents.js';
import type { ImageProblem } from '../../image/image-problem.js';
import type { LayerToRead } from '../../image/layer-walk.js';
import { layerCompression } from '../../image/media-types.js';
import { formatPlatform, selectPlatformManifest, type Platform } from '../../image/platform.js';
import type { OciBlobReader } from './oci-blob-reader.js';
import { MAX_DOCUMENT_BYTES, type ImageTransport, type OpenedImage } from './opened-image.js';

export interface ResolveOptions {
  readonly name: string;
  readonly transport: ImageTransport;
  readonly platform: Platform;
  /** True when the user chose the platform (a single-platform image of another platform is then an error). */
  readonly platformChosen: boolean;
  readonly tags: readonly string[];
  close(): Promise<void>;
}

const MAX_INDEX_DEPTH = 4;

/** Resolves starting from a manifest or index document whose bytes are already verified. */
export async function resolveOciImage(
  reader: OciBlobReader,
  start: { bytes: Uint8Array; digest: string; mediaType?: string },
  options: ResolveOptions,
): Promise<OpenedImage> {
  let current = start;
  for (let depth = 0; ; depth++) {
    const what = `${reader.what}: manifest ${current.digest}`;
    const document = parseManifestDocument(current.bytes, current.mediaType, what);
    if (document.kind === 'manifest') return openManifest(reader, document.manifest, current.digest, options);
    if (depth >= MAX_INDEX_DEPTH) throw new Error(`${what}: indexes nested more than ${MAX_INDEX_DEPTH} deep`);
    const chosen = chooseFromIndex(document.index, options.platform, what);
    if (chosen.size > MAX_DOCUMENT_BYTES) throw new Error(`${what}: manifest ${chosen.digest} is ${chosen.size} bytes, too large for a manifest`);
    current = { bytes: await reader.readManifest(chosen.digest, chosen.size), digest: chosen.digest, mediaType: chosen.mediaType };
  }
}

function chooseFromIndex(index: ImageIndex, platform: Platform, what: string): Descriptor {
  if (index.manifests.length === 0) throw new Error(`${what}: the index lists no manifests`);
  const withPlatform = index.manifests.filter((m) => m.platform);
  if (withPlatform.length === 0 && index.manifests.length === 1) return index.manifests[0]!;
  return selectPlatformManifest(index.manifests, platform, what);
}

async function openManifest(reader: OciBlobReader, manifest: ImageManifest, manifestDigest: string, options: ResolveOptions): Promise<OpenedImage> {
  const what = `${reader.what}: config ${manifest.config.digest}`;
  if (manifest.config.size > MAX_DOCUMENT_BYTES) throw new Error(`${what}: ${manifest.config.size} bytes, too large for an image config`);
  const configBytes = await reader.readDocument(manifest.config.digest, manifest.config.size);
  const config = parseDocument(imageConfigSchema, configBytes, what);
  if (options.platformChosen && config.os && config.architecture) {
    const actual = { os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) };
    const wanted = options.platform;
    if (actual.os !== wanted.os || actual.architecture !== wanted.architecture || (wanted.variant && wanted.variant !== actual.variant)) {
      throw new Error(`${reader.what}: the image is for ${formatPlatform(actual)}, not ${formatPlatform(wanted)}`);
    }
  }
  const problems: ImageProblem[] = [];
  const layers: LayerToRead[] = [];
  manifest.layers.forEach((descriptor, index) => {
    try {
      layers.push({ index, digest: descriptor.digest, compression: layerCompression(descriptor.mediaType), verify: { digest: descriptor.digest, size: descriptor.size } });
    } catch (error) {
      problems.push({ where: `${reader.what}: layer ${descriptor.digest}`, message: `${(error as Error).message}; layer not read` });
    }
  });
  if (config.rootfs.diff_ids.length !== manifest.layers.length) {
    problems.push({ where: what, message: `config lists ${config.rootfs.diff_ids.length} diff_ids for ${manifest.layers.length} layers` });
  }
  return {
    name: options.name,
    transport: options.transport,
    manifestDigest,
    manifest,
    configDigest: manifest.config.digest,
    config,
    tags: options.tags,
    layers,
    problems,
    openLayer: (layer) => reader.openBlob(layer.verify.digest, layer.verify.size),
    close: options.close,
  };
}

/** Verifies a document read by path or URL against the digest a parent named. */
export function verifiedDocument(bytes: Uint8Array, digest: string, size: number | undefined, what: string): Uint8Array {
  verifyBytes(bytes, digest, what, size);
  return bytes;
}

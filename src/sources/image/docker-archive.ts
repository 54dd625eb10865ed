/**
 * `docker save` archives: manifest.json names each image's config and layer files. Old Docker writes
 * `<id>/layer.tar` (uncompressed; verified against the config's diff_ids), Docker 25+ writes `blobs/sha256/<hex>`
 * (verified against the name). Compression is recognised from each layer's first bytes.
 */
import { digestOf, verifyBytes } from '../../image/blob-digest.js';
import { dockerArchiveManifestSchema, imageConfigSchema, parseDocument } from '../../image/image-documents.js';
import type { ImageProblem } from '../../image/image-problem.js';
import type { LayerToRead } from '../../image/layer-walk.js';
import { sniffCompression } from '../../image/media-types.js';
import { formatPlatform, type Platform } from '../../image/platform.js';
import { MAX_DOCUMENT_BYTES, type OpenedImage } from './opened-image.js';
import type { TarArchiveIndex } from './tar-archive-index.js';

const BLOB_NAME = /^blobs\/(sha256|sha512)\/([0-9a-f]+)$/;
const HEX_JSON_NAME = /^([0-9a-f]{64})\.json$/;

export function isDockerArchive(archive: TarArchiveIndex): boolean {
  return archive.has('manifest.json');
}

export async function openDockerArchive(
  archive: TarArchiveIndex,
  selection: { tag?: string },
  options: { name: string; platform: Platform; platformChosen: boolean },
): Promise<OpenedImage> {
  const what = `docker archive ${archive.path}`;
  const images = parseDocument(dockerArchiveManifestSchema, await archive.read('manifest.json', what, MAX_DOCUMENT_BYTES), `${what}: manifest.json`);
  let chosen = images;
  if (selection.tag !== undefined) {
    chosen = images.filter((i) => (i.RepoTags ?? []).some((t) => t === selection.tag || t.endsWith(`/${selection.tag}`)));
    if (chosen.length === 0) throw new Error(`${what}: no image tagged "${selection.tag}" (tags: ${images.flatMap((i) => i.RepoTags ?? []).join(', ') || 'none'})`);
  }
  if (chosen.length !== 1) {
    throw new Error(`${what}: the archive holds ${chosen.length} images (${images.flatMap((i) => i.RepoTags ?? []).join(', ') || 'untagged'}); name one as PATH:TAG`);
  }
  const image = chosen[0]!;
  const configBytes = await archive.read(image.Config, what, MAX_DOCUMENT_BYTES);
  const configDigest = digestFromName(image.Config) ?? digestOf(configBytes);
  verifyBytes(configBytes, configDigest, `${what}: ${image.Config}`);
  const config = parseDocument(imageConfigSchema, configBytes, `${what}: ${image.Config}`);
  if (options.platformChosen && config.os && config.architecture) {
    const wanted = options.platform;
    if (config.os !== wanted.os || config.architecture !== wanted.architecture) {
      throw new Error(`${what}: the image is for ${config.os}/${config.architecture}, not ${formatPlatform(wanted)}`);
    }
  }
  const problems: ImageProblem[] = [];
  if (config.rootfs.diff_ids.length !== image.Layers.length) {
    problems.push({ where: `${what}: ${image.Config}`, message: `config lists ${config.rootfs.diff_ids.length} diff_ids for ${image.Layers.length} layers` });
  }
  const layers: LayerToRead[] = [];
  for (const [index, name] of image.Layers.entries()) {
    const compression = sniffCompression(await archive.head(name, what, 4));
    const named = digestFromName(name);
    const diffId = config.rootfs.diff_ids[index];
    // A layer named by digest is verified against its name; an uncompressed layer.tar against its diff id.
    const verifyDigest = named ?? (compression === 'none' ? diffId : undefined);
    if (!verifyDigest) {
      problems.push({ where: `${what}: ${name}`, message: 'compressed layer with no digest to verify it against; layer not read' });
      continue;
    }
    layers.push({ index, digest: named ?? diffId!, compression, verify: { digest: verifyDigest, size: archive.member(name, what).size } });
  }
  return {
    name: options.name,
    transport: 'docker-archive',
    configDigest,
    config,
    tags: image.RepoTags ?? [],
    layers,
    problems,
    openLayer: async (layer) => archive.stream(image.Layers[layer.index]!, what),
    close: async () => {},
  };
}

function digestFromName(name: string): string | undefined {
  const blob = BLOB_NAME.exec(name);
  if (blob) return `${blob[1]}:${blob[2]}`;
  const hexJson = HEX_JSON_NAME.exec(name);
  return hexJson ? `sha256:${hexJson[1]}` : undefined;
}

/**
 * Writes OCI image layouts (and docker-save archives) from layers built by build-layer.ts, the way umoci and skopeo
 * lay them out: blobs/sha256/<hex>, index.json with ref.name annotations, oci-layout.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256, type BuiltLayer } from './build-layer.js';

export interface ImageSpec {
  layers: BuiltLayer[];
  platform?: { os: string; architecture: string; variant?: string };
  refName?: string;
  /** Overrides a layer descriptor's media type (unknown media type tests). */
  mediaTypes?: string[];
}

export interface WrittenImage {
  manifestDigest: string;
  manifestBytes: Buffer;
  configDigest: string;
}

function writeBlob(dir: string, bytes: Buffer): string {
  const digest = sha256(bytes);
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'blobs', 'sha256', digest.slice(7)), bytes);
  return digest;
}

export function imageManifest(dir: string, spec: ImageSpec): WrittenImage {
  const platform = spec.platform ?? { os: 'linux', architecture: 'amd64' };
  const config = Buffer.from(
    JSON.stringify({ ...platform, config: { User: '1000' }, rootfs: { type: 'layers', diff_ids: spec.layers.map((l) => l.diffId) } }),
  );
  const configDigest = writeBlob(dir, config);
  for (const layer of spec.layers) writeBlob(dir, layer.blob);
  const manifestBytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: spec.layers.map((l, i) => ({ mediaType: spec.mediaTypes?.[i] ?? l.mediaType, digest: l.digest, size: l.size })),
    }),
  );
  return { manifestDigest: writeBlob(dir, manifestBytes), manifestBytes, configDigest };
}

/** One index.json entry per image (with platform and ref.name when given). */
export function writeOciLayout(dir: string, images: ImageSpec[]): WrittenImage[] {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const written = images.map((spec) => imageManifest(dir, spec));
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: written.map((w, i) => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: w.manifestDigest,
      size: w.manifestBytes.length,
      ...(images[i]!.platform ? { platform: images[i]!.platform } : {}),
      ...(images[i]!.refName ? { annotations: { 'org.opencontainers.image.ref.name': images[i]!.refName } } : {}),
    })),
  };
  writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
  return written;
}

/** A docker-save archive in the classic format: <id>/layer.tar (uncompressed), <config hex>.json, manifest.json. */
export function writeDockerArchive(dir: string, file: string, layers: { tar: Buffer }[], repoTag: string): void {
  mkdirSync(dir, { recursive: true });
  const diffIds = layers.map((l) => sha256(l.tar));
  const config = Buffer.from(JSON.stringify({ os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: diffIds } }));
  const configName = `${sha256(config).slice(7)}.json`;
  writeFileSync(join(dir, configName), config);
  const layerNames = layers.map((l, i) => {
    const id = diffIds[i]!.slice(7);
    mkdirSync(join(dir, id), { recursive: true });
    writeFileSync(join(dir, id, 'layer.tar'), l.tar);
    return `${id}/layer.tar`;
  });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify([{ Config: configName, RepoTags: [repoTag], Layers: layerNames }]));
  execFileSync('tar', ['-cf', file, '-C', dir, '.']);
}

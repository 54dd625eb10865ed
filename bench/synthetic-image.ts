/**
 * The synthetic large image of `npm run bench:image`: image (b) (test/harness/vulnerable-image.ts: Debian 12 with
 * apt, pip, npm and Go packages, 127 MB of gzip layers) plus LAYERS layers of FILES_PER_LAYER incompressible
 * random files each (a quarter of them executable, so the binary catalogers must look at them), one copy of the
 * Go binary per layer (/opt/svc-N/bin/app, real build info), and a whiteout per layer deleting a file of the layer
 * below. About 1.3 GB of layer blobs. Built with tar and gzip -1 into an OCI layout (blobs of (b) hard-linked),
 * cached under ~/.cache/aspis/images/<name>; `npx tsx bench/synthetic-image.ts` builds it ahead.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, createReadStream, existsSync, linkSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { imageCacheRoot } from '../test/harness/debian-image.js';
import { ensureVulnerableImage, VULNERABLE_LAYOUT_TAG } from '../test/harness/vulnerable-image.js';

const LAYERS = 12;
const FILES_PER_LAYER = 8;
const FILE_BYTES = 12_500_000;
export const SYNTHETIC_TAG = 'synthetic';

interface Descriptor { mediaType: string; digest: string; size: number }

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

export async function ensureSyntheticImage(): Promise<{ layout: string; reference: string; blobBytes: number; layers: number }> {
  const base = await ensureVulnerableImage();
  const dir = join(imageCacheRoot(), `synthetic-1.3g-v1-${base.dir.slice(-12)}`);
  const layout = join(dir, 'oci');
  if (!existsSync(join(dir, 'done'))) await build(base.layout, base.goBinary, dir, layout);
  const done = JSON.parse(readFileSync(join(dir, 'done'), 'utf8')) as { blobBytes: number; layers: number };
  return { layout, reference: `oci:${layout}:${SYNTHETIC_TAG}`, ...done };
}

async function build(baseLayout: string, goBinary: string, dir: string, layout: string): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  const blobs = join(layout, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  for (const name of readdirSync(join(baseLayout, 'blobs', 'sha256'))) linkSync(join(baseLayout, 'blobs', 'sha256', name), join(blobs, name));
  copyFileSync(join(baseLayout, 'oci-layout'), join(layout, 'oci-layout'));
  const index = JSON.parse(readFileSync(join(baseLayout, 'index.json'), 'utf8')) as { manifests: Array<Descriptor & { annotations?: Record<string, string> }> };
  const baseDescriptor = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === VULNERABLE_LAYOUT_TAG)!;
  const manifest = JSON.parse(readFileSync(join(blobs, baseDescriptor.digest.slice(7)), 'utf8')) as { config: Descriptor; layers: Descriptor[] };
  const config = JSON.parse(readFileSync(join(blobs, manifest.config.digest.slice(7)), 'utf8')) as { rootfs: { diff_ids: string[] }; history?: unknown[] };

  const work = join(dir, 'work');
  for (let layer = 0; layer < LAYERS; layer++) {
    const tree = join(work, 'tree');
    rmSync(work, { recursive: true, force: true });
    mkdirSync(join(tree, 'data', `layer-${layer}`), { recursive: true });
    for (let file = 0; file < FILES_PER_LAYER; file++) {
      const path = join(tree, 'data', `layer-${layer}`, `blob-${file}.bin`);
      writeFileSync(path, randomBytes(FILE_BYTES), { mode: file % 4 === 3 ? 0o755 : 0o644 });
    }
    mkdirSync(join(tree, 'opt', `svc-${layer}`, 'bin'), { recursive: true });
    copyFileSync(goBinary, join(tree, 'opt', `svc-${layer}`, 'bin', 'app'));
    if (layer > 0) {
      mkdirSync(join(tree, 'data', `layer-${layer - 1}`), { recursive: true });
      writeFileSync(join(tree, 'data', `layer-${layer - 1}`, '.wh.blob-0.bin'), '');
    }
    const tar = join(work, 'layer.tar');
    execFileSync('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-C', tree, '-cf', tar, ...readdirSync(tree)]);
    const diffId = await sha256File(tar);
    execFileSync('gzip', ['-1', '-n', tar]);
    const blob = `${tar}.gz`;
    const digest = await sha256File(blob);
    const size = statSync(blob).size;
    execFileSync('mv', [blob, join(blobs, digest.slice(7))]);
    manifest.layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size });
    config.rootfs.diff_ids.push(diffId);
  }
  rmSync(work, { recursive: true, force: true });
  delete config.history;
  const writeBlob = (value: unknown): Descriptor & { bytes: number } => {
    const bytes = Buffer.from(JSON.stringify(value));
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    writeFileSync(join(blobs, digest.slice(7)), bytes);
    return { mediaType: '', digest, size: bytes.length, bytes: bytes.length };
  };
  const configBlob = writeBlob(config);
  manifest.config = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configBlob.digest, size: configBlob.size };
  const manifestBlob = writeBlob({ schemaVersion: 2, ...manifest });
  writeFileSync(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifestBlob.digest, size: manifestBlob.size, annotations: { 'org.opencontainers.image.ref.name': SYNTHETIC_TAG } }],
    }),
  );
  const blobBytes = manifest.layers.reduce((n, l) => n + l.size, 0);
  writeFileSync(join(dir, 'done'), JSON.stringify({ blobBytes, layers: manifest.layers.length }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const image = await ensureSyntheticImage();
  process.stdout.write(`${image.reference}: ${image.layers} layers, ${(image.blobBytes / 1e9).toFixed(2)} GB of blobs, ready in ${Math.round((Date.now() - started) / 1000)} s\n`);
}

/** Writes docs/image-scan.schema.json and docs/cluster-images.schema.json from src/outputs/image-scan-schema.ts. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterImagesJsonSchema, imageScanJsonSchema } from '../src/outputs/image-scan-schema.js';

const docs = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs');
export const IMAGE_SCAN_SCHEMA_PATH = join(docs, 'image-scan.schema.json');
export const CLUSTER_IMAGES_SCHEMA_PATH = join(docs, 'cluster-images.schema.json');

export function renderImageScanSchema(): string {
  return `${JSON.stringify(imageScanJsonSchema(), null, 2)}\n`;
}

export function renderClusterImagesSchema(): string {
  return `${JSON.stringify(clusterImagesJsonSchema(), null, 2)}\n`;
}

/** One call for commands: open an image (any transport), catalog it, and say what went wrong along the way. */
import type { CatalogProblem } from '../../image/catalogers/cataloger.js';
import { formatImageProblem } from '../../image/image-problem.js';
import type { LayerInspector } from '../../image/layer-walk.js';
import type { ImageSbom } from '../../image/sbom/image-sbom.js';
import { catalogOpenedImage, type ImageCatalogResult } from './catalog-opened-image.js';
import { DEFAULT_CATALOGERS } from '../../image/catalogers/default-catalogers.js';
import { openImage, type OpenImageOptions } from './open-image.js';

export interface ReadImageResult extends ImageCatalogResult {
  /** Every problem as one line (image, layer, entry, cataloger), for stderr. */
  readonly problemLines: readonly string[];
}

export interface ReadImageOptions extends OpenImageOptions {
  readonly cacheDir?: string;
  /** Sees every file of every layer, hidden ones too (the image checks' secret scan). */
  readonly inspector?: LayerInspector;
}

export async function readImage(input: string, options: ReadImageOptions = {}): Promise<ReadImageResult> {
  const image = await openImage(input, options);
  try {
    const result = await catalogOpenedImage(image, DEFAULT_CATALOGERS, {
      ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
      ...(options.inspector ? { inspector: options.inspector } : {}),
    });
    const problemLines = [...result.problems.map(formatImageProblem), ...result.catalog.problems.map(formatCatalogProblem)];
    return { ...result, problemLines };
  } finally {
    await image.close();
  }
}

export function formatCatalogProblem(p: CatalogProblem): string {
  return `${p.layerDigest ? `layer ${p.layerDigest}: ` : ''}${p.path ? `${p.path}: ` : ''}${p.catalogerId} cataloger: ${p.message}`;
}

/** The format-independent SBOM of a read image. */
export function imageSbom(result: ImageCatalogResult, tool: { name: string; version: string }, timestamp: string, documentId: string): ImageSbom {
  const { image, catalog } = result;
  return {
    image: {
      name: image.name,
      ...(image.manifestDigest ? { manifestDigest: image.manifestDigest } : {}),
      configDigest: image.configDigest,
      tags: image.tags,
      ...(image.config.architecture ? { architecture: image.config.architecture } : {}),
      ...(catalog.os ? { os: catalog.os } : {}),
    },
    packages: catalog.packages,
    tool,
    timestamp,
    documentId,
  };
}

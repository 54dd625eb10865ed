/**
 * Reads an opened image's packages: walks its layers (top down, verified, streamed) handing each cataloger the
 * final files it wants, then runs the catalogers. Large wanted files are spilled to Aspis's cache and removed at
 * the end; nothing else is written.
 */
import { catalogImage, wantedByAny, type ImageCatalog } from '../../image/catalogers/catalog-image.js';
import type { Cataloger, ImageFile } from '../../image/catalogers/cataloger.js';
import type { ImageProblem } from '../../image/image-problem.js';
import { walkLayers, type LayerInspector, type LayerWalkStats } from '../../image/layer-walk.js';
import { aspisCacheDir } from './aspis-cache-dir.js';
import type { OpenedImage } from './opened-image.js';
import { SpillingContentStore } from './spilling-content-store.js';

export interface ImageCatalogResult {
  readonly image: OpenedImage;
  readonly catalog: ImageCatalog;
  /** Problems of the image itself (documents, layers, entries, links); cataloger problems are in `catalog`. */
  readonly problems: readonly ImageProblem[];
  readonly stats: LayerWalkStats & { readonly spilledFiles: number };
  /** Every entry of the final filesystem, header only (setuid files, shells, … for hygiene detectors). */
  files(): Iterable<ImageFile>;
}

export interface CatalogImageOptions {
  readonly cacheDir?: string;
  readonly maxFileBytes?: number;
  readonly inspector?: LayerInspector;
}

export async function catalogOpenedImage(image: OpenedImage, catalogers: readonly Cataloger[], options: CatalogImageOptions = {}): Promise<ImageCatalogResult> {
  const store = new SpillingContentStore(options.cacheDir ?? aspisCacheDir());
  try {
    const walk = await walkLayers({
      layers: image.layers,
      open: (layer) => image.openLayer(layer),
      wants: (file) => wantedByAny(catalogers, file),
      store,
      ...(options.maxFileBytes !== undefined ? { maxFileBytes: options.maxFileBytes } : {}),
      ...(options.inspector ? { inspector: options.inspector } : {}),
    });
    try {
      const catalog = await catalogImage(walk.inputs, catalogers);
      return {
        image,
        catalog,
        problems: [...image.problems, ...walk.problems],
        stats: { ...walk.stats, spilledFiles: store.spilledFiles },
        *files() {
          for (const entry of walk.view.entries()) yield entry.file;
        },
      };
    } finally {
      await walk.release();
    }
  } finally {
    await store.dispose();
  }
}

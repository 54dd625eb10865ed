import type { Cataloger, CatalogInput, CatalogProblem, CatalogResult, ImageFile, Package } from './cataloger.js';
import { findOsRelease, osReleaseCataloger, type OsRelease } from './os-release.js';

export interface ImageCatalog extends CatalogResult {
  readonly os?: OsRelease;
}

/** True when some cataloger wants the file: what a source asks before reading a file's content. */
export function wantedByAny(catalogers: readonly Cataloger[], file: ImageFile): boolean {
  return osReleaseCataloger.wants(file) || catalogers.some((c) => c.wants(file));
}

/**
 * Runs the catalogers over the wanted files of one image: os-release first (its release goes into every
 * distribution package), then each cataloger over the inputs it wants. A cataloger that throws (a bug, not bad
 * content) becomes a problem; the other catalogers' packages are kept.
 */
export async function catalogImage(inputs: readonly CatalogInput[], catalogers: readonly Cataloger[]): Promise<ImageCatalog> {
  const { os, problems } = await findOsRelease(inputs.filter((i) => osReleaseCataloger.wants(i.file)));
  const allProblems: CatalogProblem[] = [...problems];
  const packages: Package[] = [];
  for (const cataloger of catalogers) {
    if (cataloger.id === osReleaseCataloger.id) continue;
    const wanted = inputs.filter((i) => cataloger.wants(i.file));
    if (wanted.length === 0) continue;
    try {
      const result = await cataloger.catalog(wanted, os ? { os } : {});
      packages.push(...result.packages);
      allProblems.push(...result.problems);
    } catch (error) {
      allProblems.push({ catalogerId: cataloger.id, layerDigest: '', path: '', message: `cataloger failed: ${(error as Error).message}` });
    }
  }
  return { packages, problems: allProblems, ...(os ? { os } : {}) };
}

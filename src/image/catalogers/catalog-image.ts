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
 * content) becomes a problem; the other catalogers' packages are kept. Language packages an OS package installed
 * are folded into that OS package (see `Cataloger.yieldsToOsPackages`).
 */
export async function catalogImage(inputs: readonly CatalogInput[], catalogers: readonly Cataloger[]): Promise<ImageCatalog> {
  const { os, problems } = await findOsRelease(inputs.filter((i) => osReleaseCataloger.wants(i.file)));
  const allProblems: CatalogProblem[] = [...problems];
  const found: Array<{ cataloger: Cataloger; packages: Package[] }> = [];
  const ownedFiles = new Map<string, Package>();
  for (const cataloger of catalogers) {
    if (cataloger.id === osReleaseCataloger.id) continue;
    const wanted = inputs.filter((i) => cataloger.wants(i.file));
    if (wanted.length === 0) continue;
    try {
      const result = await cataloger.catalog(wanted, os ? { os } : {});
      found.push({ cataloger, packages: result.packages });
      allProblems.push(...result.problems);
      for (const [path, owner] of result.ownedFiles ?? []) ownedFiles.set(path, owner);
    } catch (error) {
      allProblems.push({ catalogerId: cataloger.id, layerDigest: '', path: '', message: `cataloger failed: ${(error as Error).message}` });
    }
  }
  return { packages: foldOwnedPackages(found, ownedFiles), problems: allProblems, ...(os ? { os } : {}) };
}

/**
 * Drops the packages of yielding catalogers whose every location an OS package owns, and lists them on their
 * owner as metadata `languagePackages` (purls, comma-separated) so an SBOM still says what the OS package holds.
 */
function foldOwnedPackages(found: ReadonlyArray<{ cataloger: Cataloger; packages: Package[] }>, ownedFiles: ReadonlyMap<string, Package>): Package[] {
  if (ownedFiles.size === 0) return found.flatMap((f) => f.packages);
  const contained = new Map<Package, string[]>();
  const kept = new Set<Package>();
  for (const { cataloger, packages } of found) {
    for (const pkg of packages) {
      const owner = cataloger.yieldsToOsPackages && pkg.locations.length > 0 ? ownerOfAll(pkg, ownedFiles) : undefined;
      if (owner) contained.set(owner, [...(contained.get(owner) ?? []), pkg.purl]);
      else kept.add(pkg);
    }
  }
  const out: Package[] = [];
  for (const pkg of kept) {
    const purls = contained.get(pkg);
    out.push(purls ? { ...pkg, metadata: { ...pkg.metadata, languagePackages: purls.join(',') } } : pkg);
  }
  return out;
}

/** The one OS package owning every location of the package, if there is one. */
function ownerOfAll(pkg: Package, ownedFiles: ReadonlyMap<string, Package>): Package | undefined {
  const owners = new Set(pkg.locations.map((l) => ownedFiles.get(l.path)));
  const [owner] = owners;
  return owners.size === 1 ? owner : undefined;
}

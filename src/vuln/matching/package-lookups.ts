import { baseEcosystem } from '../versions/comparator-for-ecosystem.js';
import type { PackageQuery } from './package-query.js';

/** One (ecosystem, package name) key of the database to read for a query, and the version to evaluate there. */
export interface PackageLookup {
  readonly ecosystem: string;
  readonly name: string;
  readonly version: string;
}

/** Ecosystems whose advisories name source packages (OSV schema's ecosystem list). */
const SOURCE_PACKAGE_ECOSYSTEMS = new Set([
  'Debian', 'Ubuntu', 'Alpine', 'Rocky Linux', 'AlmaLinux', 'SUSE', 'openSUSE', 'Mageia', 'openEuler', 'Echo',
]);

/**
 * OSV package names compared the way each registry compares them: PyPI names normalised per PEP 503, NuGet and
 * Packagist names case-insensitively; elsewhere exactly. Applied both when records are stored and when looked up.
 */
export function normalizePackageName(ecosystem: string, name: string): string {
  switch (baseEcosystem(ecosystem)) {
    case 'PyPI':
      return name.toLowerCase().replace(/[-_.]+/g, '-');
    case 'NuGet':
    case 'Packagist':
      return name.toLowerCase();
    default:
      return name;
  }
}

/** The database ecosystem names a distribution release is published under ("Debian:12", "Ubuntu:Pro:22.04:LTS", "Alpine:v3.19"). */
export function releaseEcosystems(ecosystem: string, release: string | undefined): string[] {
  if (ecosystem.includes(':') || release === undefined || release === '') return [ecosystem];
  const r = release.trim();
  switch (ecosystem) {
    case 'Debian':
      return [`Debian:${/^\d+/.exec(r)?.[0] ?? r}`];
    case 'Ubuntu': {
      const version = /^\d+\.\d+/.exec(r)?.[0] ?? r;
      return [`Ubuntu:${version}`, `Ubuntu:${version}:LTS`, `Ubuntu:Pro:${version}`, `Ubuntu:Pro:${version}:LTS`];
    }
    case 'Alpine': {
      const minor = /^v?(\d+\.\d+)/.exec(r);
      return [`Alpine:${minor ? `v${minor[1]}` : r}`];
    }
    default:
      return [`${ecosystem}:${r}`, ecosystem];
  }
}

/** Every database key a query is matched under: its release's ecosystems × its binary and source package names. */
export function packageLookups(query: PackageQuery): PackageLookup[] {
  const ecosystems = releaseEcosystems(query.ecosystem, query.distroRelease);
  // Distribution advisories name source packages at source versions: a binary rebuilt without a source change (a
  // Debian binNMU, `1.2-3+b1` from source `1.2-3`) is that source version, which `versions` lists and
  // `last_affected` compares exactly.
  const bySource = SOURCE_PACKAGE_ECOSYSTEMS.has(baseEcosystem(query.ecosystem));
  const sourceVersion = bySource ? (query.sourceVersion ?? query.version) : query.version;
  const names: Array<{ name: string; version: string }> = [{ name: query.name, version: query.sourceName && query.sourceName !== query.name ? query.version : sourceVersion }];
  if (bySource && query.sourceName && query.sourceName !== query.name) names.unshift({ name: query.sourceName, version: sourceVersion });
  const lookups: PackageLookup[] = [];
  for (const ecosystem of ecosystems) {
    for (const { name, version } of names) lookups.push({ ecosystem, name: normalizePackageName(ecosystem, name), version });
  }
  return lookups;
}

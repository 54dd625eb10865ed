/**
 * Packages read back from an SBOM (CycloneDX JSON 1.2–1.6, SPDX 2.2/2.3 JSON), by Aspis or another tool, for
 * `aspis scan sbom`. Each component/package becomes a PackageQuery: the ecosystem from Aspis's own property when
 * present, else from its purl type (and namespace for distributions); the distro release from the purl's `distro`
 * qualifier; the source package from `upstream` (as syft and Trivy write it) or Aspis's property.
 */
import { PackageURL } from 'packageurl-js';
import type { PackageQuery } from '../../vuln/matching/package-query.js';
import { SBOM_PROPERTY } from './image-sbom.js';

export interface SbomPackages {
  readonly format: 'cyclonedx' | 'spdx';
  readonly packages: PackageQuery[];
  /** Components that cannot be matched (no purl, unknown purl type) with the reason; not errors. */
  readonly skipped: { readonly where: string; readonly reason: string }[];
  /** Malformed entries (bad purl, missing fields), naming the entry and field. */
  readonly errors: string[];
}

const PURL_ECOSYSTEM: Readonly<Record<string, string>> = {
  npm: 'npm',
  pypi: 'PyPI',
  golang: 'Go',
  maven: 'Maven',
  gem: 'RubyGems',
  cargo: 'crates.io',
  composer: 'Packagist',
  nuget: 'NuGet',
  hex: 'Hex',
  pub: 'Pub',
  hackage: 'Hackage',
  cran: 'CRAN',
  swift: 'SwiftURL',
};

const DISTRO_ECOSYSTEM: Readonly<Record<string, string>> = {
  'deb/debian': 'Debian',
  'deb/ubuntu': 'Ubuntu',
  'apk/alpine': 'Alpine',
  'apk/wolfi': 'Wolfi',
  'apk/chainguard': 'Chainguard',
  'rpm/redhat': 'Red Hat',
  'rpm/rocky-linux': 'Rocky Linux',
  'rpm/rocky': 'Rocky Linux',
  'rpm/almalinux': 'AlmaLinux',
  'rpm/opensuse': 'openSUSE',
  'rpm/suse': 'SUSE',
  'rpm/mariner': 'Mariner',
};

export function readSbomPackages(text: string, file: string): SbomPackages {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
  }
  if (json.bomFormat === 'CycloneDX') return readCycloneDx(json, file);
  if (typeof json.spdxVersion === 'string' && json.spdxVersion.startsWith('SPDX-2.')) return readSpdx(json, file);
  throw new Error(`${file}: neither a CycloneDX JSON SBOM (bomFormat) nor an SPDX 2.x JSON document (spdxVersion)`);
}

interface Facts {
  name?: unknown;
  version?: unknown;
  purl?: string;
  properties: Map<string, string>;
}

function readCycloneDx(json: Record<string, unknown>, file: string): SbomPackages {
  const result: SbomPackages = { format: 'cyclonedx', packages: [], skipped: [], errors: [] };
  const visit = (components: unknown, path: string): void => {
    if (components === undefined) return;
    if (!Array.isArray(components)) {
      result.errors.push(`${file}: ${path}: not an array`);
      return;
    }
    components.forEach((c: Record<string, unknown>, i) => {
      const where = `${path}[${i}]`;
      const properties = new Map<string, string>();
      for (const p of (Array.isArray(c.properties) ? c.properties : []) as { name?: string; value?: string }[]) {
        if (typeof p.name === 'string' && typeof p.value === 'string' && !properties.has(p.name)) properties.set(p.name, p.value);
      }
      if (c.type !== 'container' && c.type !== 'operating-system' && c.type !== 'file') {
        toQuery({ name: c.name, version: c.version, ...(typeof c.purl === 'string' ? { purl: c.purl } : {}), properties }, `${file}: ${where}`, result);
      }
      visit(c.components, `${where}.components`);
    });
  };
  visit(json.components, 'components');
  return result;
}

function readSpdx(json: Record<string, unknown>, file: string): SbomPackages {
  const result: SbomPackages = { format: 'spdx', packages: [], skipped: [], errors: [] };
  const packages = json.packages;
  if (packages !== undefined && !Array.isArray(packages)) throw new Error(`${file}: packages: not an array`);
  ((packages ?? []) as Record<string, unknown>[]).forEach((p, i) => {
    if (p.primaryPackagePurpose === 'CONTAINER' || p.primaryPackagePurpose === 'OPERATING-SYSTEM') return;
    const refs = (Array.isArray(p.externalRefs) ? p.externalRefs : []) as { referenceType?: string; referenceLocator?: string }[];
    const purl = refs.find((r) => r.referenceType === 'purl')?.referenceLocator;
    const properties = new Map<string, string>();
    for (const fact of typeof p.comment === 'string' ? p.comment.split('; ') : []) {
      const eq = fact.indexOf('=');
      if (eq > 0 && fact.startsWith('aspis:')) properties.set(fact.slice(0, eq), fact.slice(eq + 1));
    }
    toQuery({ name: p.name, version: p.versionInfo, ...(purl ? { purl } : {}), properties }, `${file}: packages[${i}]`, result);
  });
  return result;
}

function toQuery(facts: Facts, where: string, result: SbomPackages): void {
  if (typeof facts.name !== 'string' || facts.name === '') {
    result.errors.push(`${where}: name: missing`);
    return;
  }
  let purl: PackageURL | undefined;
  if (facts.purl !== undefined) {
    try {
      purl = PackageURL.fromString(facts.purl);
    } catch (error) {
      result.errors.push(`${where}: purl "${facts.purl}": ${(error as Error).message}`);
      return;
    }
  }
  const version = typeof facts.version === 'string' && facts.version !== '' ? facts.version : purl?.version;
  if (!version) {
    result.skipped.push({ where, reason: `${facts.name} has no version` });
    return;
  }
  const ecosystem = facts.properties.get(SBOM_PROPERTY.ecosystem) ?? (purl ? purlEcosystem(purl) : undefined);
  if (!ecosystem) {
    result.skipped.push({ where, reason: purl ? `${facts.name}: no vulnerability ecosystem for purl type "${purl.type}${purl.namespace ? `/${purl.namespace}` : ''}"` : `${facts.name}: no purl` });
    return;
  }
  const qualifiers = purl?.qualifiers ?? {};
  const distroRelease = facts.properties.get(SBOM_PROPERTY.distroRelease) ?? distroReleaseOf(qualifiers.distro);
  const sourceName = facts.properties.get(SBOM_PROPERTY.sourceName) ?? qualifiers.upstream?.replace(/@.*$/, '');
  const sourceVersion = facts.properties.get(SBOM_PROPERTY.sourceVersion) ?? (qualifiers.upstream?.includes('@') ? qualifiers.upstream.split('@')[1] : undefined);
  result.packages.push({
    ecosystem,
    name: purl ? purlPackageName(purl) : facts.name,
    version,
    ...(facts.purl ? { purl: facts.purl } : {}),
    ...(sourceName && sourceName !== facts.name ? { sourceName } : {}),
    ...(sourceVersion && sourceVersion !== version ? { sourceVersion } : {}),
    ...(distroRelease ? { distroRelease } : {}),
  });
}

function purlEcosystem(purl: PackageURL): string | undefined {
  return PURL_ECOSYSTEM[purl.type] ?? DISTRO_ECOSYSTEM[`${purl.type}/${(purl.namespace ?? '').toLowerCase()}`];
}

/** The name the ecosystem's advisories use: npm @scope/name, Go and Packagist namespace/name, Maven group:artifact. */
function purlPackageName(purl: PackageURL): string {
  if (!purl.namespace) return purl.name;
  switch (purl.type) {
    case 'npm':
    case 'golang':
    case 'composer':
    case 'swift':
      return `${purl.namespace}/${purl.name}`;
    case 'maven':
      return `${purl.namespace}:${purl.name}`;
    default:
      return purl.name;
  }
}

/** "debian-12" → "12", "alpine-3.19.1" → "3.19.1", "ubuntu-22.04" → "22.04"; a bare release is kept. */
function distroReleaseOf(distro: string | undefined): string | undefined {
  if (!distro) return undefined;
  const dash = distro.lastIndexOf('-');
  return dash >= 0 ? distro.slice(dash + 1) : distro;
}

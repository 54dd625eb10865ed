import { alpine } from './alpine.js';
import { cran } from './cran.js';
import { cratesIo } from './crates-io.js';
import { debian } from './debian.js';
import { go } from './go.js';
import { hackage } from './hackage.js';
import { hex } from './hex.js';
import { maven } from './maven.js';
import { npm } from './npm.js';
import { nuget } from './nuget.js';
import { packagist } from './packagist.js';
import { pub } from './pub.js';
import { pypi } from './pypi.js';
import { rpm } from './rpm.js';
import { rubygems } from './rubygems.js';
import { semver } from './semver.js';
import type { VersionComparator } from './version-comparator.js';

/**
 * Which version order each OSV ecosystem uses, by the ecosystem's base name (the part before the first ":";
 * "Debian:12", "Ubuntu:Pro:22.04:LTS" and "Red Hat:rhel_aus:8.4::appstream" take their base's order).
 * Names are those of the OSV schema's ecosystem list.
 */
const BY_ECOSYSTEM: Readonly<Record<string, VersionComparator>> = {
  npm,
  Go: go,
  'crates.io': cratesIo,
  Hex: hex,
  PyPI: pypi,
  Maven: maven,
  RubyGems: rubygems,
  NuGet: nuget,
  Packagist: packagist,
  Pub: pub,
  Hackage: hackage,
  CRAN: cran,
  Debian: debian,
  Ubuntu: debian,
  Alpine: alpine,
  'Alpaquita': alpine,
  'BellSoft Hardened Containers': alpine,
  Chainguard: alpine,
  Wolfi: alpine,
  MinimOS: alpine,
  'Red Hat': rpm,
  'Rocky Linux': rpm,
  AlmaLinux: rpm,
  SUSE: rpm,
  openSUSE: rpm,
  Mageia: rpm,
  openEuler: rpm,
  'Photon OS': rpm,
  'Azure Linux': rpm,
  // Ecosystems whose versions are SemVer 2.0 by their own rules.
  Bitnami: semver,
  'GitHub Actions': semver,
  Kubernetes: semver,
  SwiftURL: semver,
};

export function baseEcosystem(ecosystem: string): string {
  const colon = ecosystem.indexOf(':');
  return colon >= 0 ? ecosystem.slice(0, colon) : ecosystem;
}

/** The comparator for an OSV ecosystem, or undefined when Aspis has none (such ranges cannot be evaluated). */
export function comparatorForEcosystem(ecosystem: string): VersionComparator | undefined {
  return BY_ECOSYSTEM[baseEcosystem(ecosystem)];
}

export function supportedEcosystems(): string[] {
  return Object.keys(BY_ECOSYSTEM);
}

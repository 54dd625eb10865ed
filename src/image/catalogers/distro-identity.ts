import type { OsRelease } from './os-release.js';

/** How a distribution's packages are named for matching (OSV ecosystem + release) and in purls. */
export interface DistroIdentity {
  /** OSV ecosystem name ("Debian", "Ubuntu", "Alpine", "Red Hat", …), or the os-release NAME when OSV has none. */
  readonly ecosystem: string;
  /** Release as os-release gives it (VERSION_ID, else VERSION_CODENAME); absent when unknown. */
  readonly release?: string;
  /** purl namespace: the os-release ID ("debian", "alpine", "rhel", …). */
  readonly namespace: string;
  /** purl "distro" qualifier: "<id>-<release>". */
  readonly distroQualifier?: string;
}

/** os-release ID → OSV ecosystem (https://ossf.github.io/osv-schema/#affectedpackage-field). */
const OSV_ECOSYSTEM_BY_OS_ID: Readonly<Record<string, string>> = {
  debian: 'Debian',
  ubuntu: 'Ubuntu',
  alpine: 'Alpine',
  wolfi: 'Wolfi',
  chainguard: 'Chainguard',
  alpaquita: 'Alpaquita',
  rhel: 'Red Hat',
  rocky: 'Rocky Linux',
  almalinux: 'AlmaLinux',
  sles: 'SUSE',
  sled: 'SUSE',
  'sle-micro': 'SUSE',
  'opensuse-leap': 'openSUSE',
  'opensuse-tumbleweed': 'openSUSE',
  mageia: 'Mageia',
  openeuler: 'openEuler',
  photon: 'Photon OS',
  azurelinux: 'Azure Linux',
  mariner: 'Azure Linux',
};

/**
 * The identity of the image's distribution for one package format. Without os-release (or for a distribution
 * OSV does not cover) the package manager's home distribution names the ecosystem but no release is given, so
 * matching finds nothing rather than matching another release's advisories.
 */
export function distroIdentity(os: OsRelease | undefined, fallback: { ecosystem: string; namespace: string }): DistroIdentity {
  if (!os) return { ecosystem: fallback.ecosystem, namespace: fallback.namespace };
  const known = OSV_ECOSYSTEM_BY_OS_ID[os.id];
  const release = os.versionId ?? os.versionCodename;
  return {
    ecosystem: known ?? os.name ?? os.id,
    ...(known && release ? { release } : {}),
    namespace: os.id,
    ...(release ? { distroQualifier: `${os.id}-${release}` } : {}),
  };
}

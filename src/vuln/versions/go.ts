import { compareSemverParts, parseSemver, semverKey, type SemverParts } from './semver.js';
import type { VersionComparator } from './version-comparator.js';

/**
 * Go module versions: SemVer 2.0 with a "v" prefix. Pseudo-versions (v0.0.0-20190301021747-ccb9e902956d,
 * v1.3.1-0.2019…) are pre-releases and so already sort below the release they precede; "+incompatible" is build
 * metadata and has no precedence. The Go vulnerability database writes versions without the "v"; installed
 * modules and toolchains come with it ("v1.2.3") or as Go release names ("go1.21.3", "go1.21rc2"), which are
 * mapped to the SemVer form the database uses (1.21.3, 1.21.0-rc.2).
 */
export function parseGoVersion(version: string): SemverParts {
  const release = /^go(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(beta|rc)(\d+))?$/.exec(version.trim());
  if (release) {
    const [, major, minor = '0', patch = '0', kind, n] = release;
    return { core: [major!, minor, patch], prerelease: kind ? [kind, n!] : [] };
  }
  return parseSemver(version);
}

export const go: VersionComparator = {
  scheme: 'Go module version (SemVer 2.0)',
  compare: (a, b) => compareSemverParts(parseGoVersion(a), parseGoVersion(b)),
  canonical: (version) => semverKey(parseGoVersion(version)),
};

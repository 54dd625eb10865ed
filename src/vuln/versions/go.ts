import { compareSemverParts, parseSemver, semverKey, type SemverParts } from './semver.js';
import { InvalidVersionError, type VersionComparator } from './version-comparator.js';

const SCHEME = 'Go module';

/**
 * Go module versions: SemVer 2.0 with a "v" prefix. Pseudo-versions (v0.0.0-20190301021747-ccb9e902956d,
 * v1.3.1-0.2019…) are pre-releases and so already sort below the release they precede; "+incompatible" is build
 * metadata and has no precedence. The Go vulnerability database writes versions without the "v"; installed
 * modules and toolchains come with it ("v1.2.3") or as Go release names ("go1.21.3", "go1.21rc2"), which are
 * mapped to the SemVer form the database uses (1.21.3, 1.21.0-rc.2). Development builds have no version to
 * order: "(devel)" (a main module built from a working tree, or a module replaced by a local directory) and
 * "devel go1.23-abc…" toolchains throw InvalidVersionError saying so; matching reports such packages as not
 * matched (src/vuln/matching/unmatchable-versions.ts) instead of comparing them.
 */
export function parseGoVersion(version: string): SemverParts {
  const trimmed = version.trim();
  if (trimmed === '(devel)') throw new InvalidVersionError(version, SCHEME, 'a development build (built from a working tree or a local replace) has no release version');
  if (/^devel\b/.test(trimmed)) throw new InvalidVersionError(version, SCHEME, 'a development toolchain has no release version');
  const release = /^go(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(beta|rc)(\d+))?$/.exec(version.trim());
  if (release) {
    const [, major, minor = '0', patch = '0', kind, n] = release;
    return { core: [major!, minor, patch], prerelease: kind ? [kind, n!] : [] };
  }
  try {
    return parseSemver(version);
  } catch (error) {
    throw error instanceof InvalidVersionError ? new InvalidVersionError(version, SCHEME, 'it is neither SemVer with an optional "v" nor a Go release name') : error;
  }
}

export const go: VersionComparator = {
  scheme: `${SCHEME} version (SemVer 2.0)`,
  compare: (a, b) => compareSemverParts(parseGoVersion(a), parseGoVersion(b)),
  canonical: (version) => semverKey(parseGoVersion(version)),
};

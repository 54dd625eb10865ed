import { compareDigitStrings, compareIdentifiers, isDigits } from './component-order.js';
import { InvalidVersionError, type VersionComparator } from './version-comparator.js';

/**
 * SemVer 2.0 precedence (semver.org, section 11), as OSV's SEMVER range type defines it.
 *
 * Written by hand rather than with the `semver` package: OSV data holds versions that node-semver rejects but
 * whose order is still well defined: components above 2^53 (node-semver throws), a leading "v", fewer than three
 * components ("1.0" in GHSA records means 1.0.0) and more than three ("1.1.3.4"; the extra components are
 * treated like build metadata, as osv-scanner does). The precedence rules themselves are the few lines below.
 * test/vuln/semver-agrees-with-node-semver.test.ts checks that this order equals node-semver's on every version
 * node-semver accepts.
 */
export interface SemverParts {
  readonly core: readonly [string, string, string];
  readonly prerelease: readonly string[];
}

const CORE = /^[vV]?(\d+)(?:\.(\d+))?(?:\.(\d+))?/;

export function parseSemver(version: string): SemverParts {
  const text = version.trim();
  const match = CORE.exec(text);
  if (!match) throw new InvalidVersionError(version, 'SemVer', 'it does not start with a number');
  let rest = text.slice(match[0].length);
  const plus = rest.indexOf('+');
  if (plus >= 0) rest = rest.slice(0, plus);
  // Components past the third ("1.2.3.4") carry no precedence, like build metadata.
  if (rest.startsWith('.')) {
    const dash = rest.indexOf('-');
    rest = dash >= 0 ? rest.slice(dash) : '';
  }
  let prerelease: string[] = [];
  if (rest.startsWith('-')) prerelease = rest.slice(1).split('.');
  else if (rest !== '') prerelease = rest.split('.'); // "1.0a": text glued to the core is read as a pre-release
  return { core: [match[1]!, match[2] ?? '0', match[3] ?? '0'], prerelease };
}

export function compareSemverParts(a: SemverParts, b: SemverParts): number {
  for (let i = 0; i < 3; i++) {
    const c = compareDigitStrings(a.core[i]!, b.core[i]!);
    if (c !== 0) return c;
  }
  // A version without a pre-release has higher precedence than one with.
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return b.prerelease.length - a.prerelease.length;
  const n = Math.min(a.prerelease.length, b.prerelease.length);
  for (let i = 0; i < n; i++) {
    const c = compareIdentifiers(a.prerelease[i]!, b.prerelease[i]!);
    if (c !== 0) return c;
  }
  return a.prerelease.length - b.prerelease.length;
}

/** Equal precedence, equal key: numbers without leading zeros, no "v", no build metadata. */
export function semverKey(parts: SemverParts): string {
  const number = (digits: string): string => digits.replace(/^0+(?=\d)/, '');
  const core = parts.core.map(number).join('.');
  const pre = parts.prerelease.map((id) => (isDigits(id) ? number(id) : id)).join('.');
  return pre ? `${core}-${pre}` : core;
}

export const semver: VersionComparator = {
  scheme: 'SemVer 2.0',
  compare: (a, b) => compareSemverParts(parseSemver(a), parseSemver(b)),
  canonical: (version) => semverKey(parseSemver(version)),
};

import { compareDigitStrings, compareIdentifiers, compareLists } from './component-order.js';
import { parseSemver } from './semver.js';
import type { VersionComparator } from './version-comparator.js';

/**
 * Pub (Dart's pub_semver `Version.compareTo`), written by hand (no JavaScript port exists). It is SemVer with
 * one difference: build metadata counts. A version with build metadata sorts after the same version without it,
 * and build identifiers are compared like pre-release identifiers (1.0.0 < 1.0.0+1 < 1.0.0+2).
 */
interface PubVersion {
  readonly core: readonly string[];
  readonly prerelease: readonly string[];
  readonly build: readonly string[];
}

/** Read as leniently as OSV SemVer (see semver.ts): a leading "v", missing or extra numeric components. */
function parse(version: string): PubVersion {
  const text = version.trim();
  const plus = text.indexOf('+');
  const { core, prerelease } = parseSemver(plus >= 0 ? text.slice(0, plus) : text);
  return { core, prerelease, build: plus >= 0 ? text.slice(plus + 1).split('.') : [] };
}

export const pub: VersionComparator = {
  scheme: 'Pub',
  compare(a, b) {
    const x = parse(a);
    const y = parse(b);
    const core = compareLists(x.core, y.core, compareDigitStrings);
    if (core !== 0) return core;
    // Pre-releases sort before the release; build metadata sorts after it.
    if (x.prerelease.length === 0 !== (y.prerelease.length === 0)) return x.prerelease.length === 0 ? 1 : -1;
    const pre = compareLists(x.prerelease, y.prerelease, compareIdentifiers);
    if (pre !== 0) return pre;
    if (x.build.length === 0 !== (y.build.length === 0)) return x.build.length === 0 ? -1 : 1;
    return compareLists(x.build, y.build, compareIdentifiers);
  },
};

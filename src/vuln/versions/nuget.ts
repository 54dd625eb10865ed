import { compareDigitStrings, compareIdentifiers, compareLists } from './component-order.js';
import { InvalidVersionError, type VersionComparator } from './version-comparator.js';

/**
 * NuGet (NuGet.Versioning's VersionComparer, written by hand: there is no maintained JavaScript port): up to four
 * numeric parts (missing ones are 0, leading zeros ignored), then SemVer 2.0 pre-release labels compared without
 * regard to case; build metadata after "+" is ignored.
 */
interface NugetVersion {
  readonly numbers: readonly string[];
  readonly labels: readonly string[];
}

function parse(version: string): NugetVersion {
  const text = version.trim().replace(/^[vV]/, '');
  const match = /^(\d+(?:\.\d+){0,3})(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]*)?$/.exec(text);
  if (!match) throw new InvalidVersionError(version, 'NuGet');
  const numbers = match[1]!.split('.');
  while (numbers.length < 4) numbers.push('0');
  return { numbers, labels: match[2] ? match[2].toLowerCase().split('.') : [] };
}

export const nuget: VersionComparator = {
  scheme: 'NuGet',
  compare(a, b) {
    const x = parse(a);
    const y = parse(b);
    const release = compareLists(x.numbers, y.numbers, compareDigitStrings);
    if (release !== 0) return release;
    if (x.labels.length === 0 || y.labels.length === 0) return y.labels.length - x.labels.length;
    return compareLists(x.labels, y.labels, compareIdentifiers);
  },
};

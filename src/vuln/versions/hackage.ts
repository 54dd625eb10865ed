import { compareDigitStrings, compareLists } from './component-order.js';
import { InvalidVersionError, type VersionComparator } from './version-comparator.js';

/**
 * Hackage (Cabal's Data.Version): a dot-separated list of natural numbers ordered lexicographically, so a
 * proper prefix is smaller (1.0 < 1.0.0). Written by hand: it is one comparison of lists.
 */
function parse(version: string): string[] {
  const text = version.trim();
  if (!/^\d+(\.\d+)*$/.test(text)) throw new InvalidVersionError(version, 'Hackage');
  return text.split('.');
}

export const hackage: VersionComparator = {
  scheme: 'Hackage',
  compare: (a, b) => compareLists(parse(a), parse(b), compareDigitStrings),
};

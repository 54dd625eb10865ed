import { compareDigitStrings, compareLists } from './component-order.js';
import { InvalidVersionError, type VersionComparator } from './version-comparator.js';

/**
 * CRAN (R's package_version / numeric_version): numbers separated by "." or "-", compared as integer lists, a
 * proper prefix being smaller (0.1.0 < 0.1.0.0) and leading zeros ignored (0.01.0 = 0.1-0). Written by hand: R's
 * rule is one comparison of lists and no JavaScript library implements it.
 */
function parse(version: string): string[] {
  const text = version.trim();
  if (!/^\d+([.-]\d+)*$/.test(text)) throw new InvalidVersionError(version, 'CRAN');
  return text.split(/[.-]/);
}

export const cran: VersionComparator = {
  scheme: 'CRAN',
  compare: (a, b) => compareLists(parse(a), parse(b), compareDigitStrings),
};

import { compareDigitStrings } from './component-order.js';
import type { VersionComparator } from './version-comparator.js';

/**
 * Packagist (Composer): PHP's version_compare() (ext/standard/versioning.c), written by hand: no JavaScript
 * port exists. The version is canonicalised ("-", "_" and "+" become ".", and a "." is inserted wherever a digit
 * meets a non-digit), then compared part by part: numbers numerically; words by the special forms
 * dev < alpha = a < beta = b < RC = rc < # (a number) < pl = p, anything else below dev. A leading "v" is
 * dropped, as Composer does. Other punctuation is kept as part of a word, as osv-scanner does, so "1.2.3.#" equals
 * "1.2.3" (PHP's own test suite case); PHP itself would turn it into a separator.
 */
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

export function canonicalizePhpVersion(version: string): string {
  return version
    .replace(/[-_+]/g, '.')
    .replace(/([^\d.])(?=\d)/g, '$1.')
    .replace(/(\d)(?=[^\d.])/g, '$1.');
}

const SPECIAL_FORMS: ReadonlyArray<readonly [string, number]> = [
  ['dev', 0],
  ['alpha', 1],
  ['a', 1],
  ['beta', 2],
  ['b', 2],
  ['RC', 3],
  ['rc', 3],
  ['#', 4],
  ['pl', 5],
  ['p', 5],
];

function specialForm(part: string): number {
  for (const [name, order] of SPECIAL_FORMS) if (part.startsWith(name)) return order;
  return -6;
}

function compareSpecialForms(a: string, b: string): number {
  return Math.sign(specialForm(a) - specialForm(b));
}

/** php_version_compare() on already canonical strings. */
function comparePhpCanonical(a: string, b: string): number {
  if (a === '' || b === '') return a === b ? 0 : a === '' ? -1 : 1;
  const x = a.split('.');
  const y = b.split('.');
  let i = 0;
  let compare = 0;
  for (; i < x.length && i < y.length && compare === 0; i++) {
    const p = x[i]!;
    const q = y[i]!;
    if (isDigit(p[0]) && isDigit(q[0])) compare = Math.sign(compareDigitStrings(leadingDigits(p), leadingDigits(q)));
    else if (!isDigit(p[0]) && !isDigit(q[0])) compare = compareSpecialForms(p, q);
    else compare = isDigit(p[0]) ? compareSpecialForms('#N#', q) : compareSpecialForms(p, '#N#');
  }
  if (compare !== 0) return compare;
  if (i < x.length) return isDigit(x[i]![0]) ? 1 : comparePhpCanonical(x.slice(i).join('.'), '#N#');
  if (i < y.length) return isDigit(y[i]![0]) ? -1 : comparePhpCanonical('#N#', y.slice(i).join('.'));
  return 0;
}

/** PHP reads each numeric part with strtol, which stops at the first non-digit. */
function leadingDigits(part: string): string {
  return /^\d+/.exec(part)![0];
}

export const packagist: VersionComparator = {
  scheme: 'Packagist (PHP version_compare)',
  compare(a, b) {
    const x = canonicalizePhpVersion(a.trim().replace(/^[vV](?=\d)/, ''));
    const y = canonicalizePhpVersion(b.trim().replace(/^[vV](?=\d)/, ''));
    return comparePhpCanonical(x, y);
  },
};

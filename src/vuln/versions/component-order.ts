/** Orders of version components shared by several ecosystems: unbounded digit strings, code units, lists. */
import { compareText } from '../../core/model/text-order.js';

/**
 * Compares two strings of ASCII digits as unbounded non-negative integers. Version components can exceed
 * Number.MAX_SAFE_INTEGER (dates, hashes read as numbers), so they are never converted to numbers.
 */
export function compareDigitStrings(a: string, b: string): number {
  const x = stripLeadingZeros(a);
  const y = stripLeadingZeros(b);
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

function stripLeadingZeros(digits: string): string {
  let start = 0;
  while (start < digits.length - 1 && digits.charCodeAt(start) === 48) start++;
  return digits.slice(start);
}

export function isDigits(text: string): boolean {
  return /^[0-9]+$/.test(text);
}

/** Lexicographic order of two component lists, each compared with `compare`; a proper prefix sorts first. */
export function compareLists<T>(a: readonly T[], b: readonly T[], compare: (x: T, y: T) => number): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compare(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** Plain code-unit order, as C strcmp and Go string comparison do for ASCII: the order of all text Aspis writes. */
export const compareStrings = compareText;

/**
 * Dot-separated identifiers as SemVer pre-releases order them (also NuGet labels and pub_semver): numbers compare
 * numerically and sort before words, which compare in code-unit order.
 */
export function compareIdentifiers(a: string, b: string): number {
  const aNumber = isDigits(a);
  const bNumber = isDigits(b);
  if (aNumber && bNumber) return compareDigitStrings(a, b);
  if (aNumber) return -1;
  if (bNumber) return 1;
  return compareStrings(a, b);
}

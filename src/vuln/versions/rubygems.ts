import { compareDigitStrings, compareStrings, isDigits } from './component-order.js';
import { InvalidVersionError, type VersionComparator } from './version-comparator.js';

/**
 * RubyGems: `Gem::Version#<=>`, written by hand. @renovatebot/ruby-semver rejects strings RubyGems data holds
 * ("1beta") and reads segments as JavaScript numbers, losing order above 2^53; the algorithm is short:
 * "-" means ".pre.", segments are runs of digits or letters, trailing zero segments of the release part and of
 * the pre-release part are dropped, a letter segment (pre-release) sorts below any number, missing segments are 0.
 */
type Segment = string; // digits or letters

function canonicalSegments(version: string): Segment[] {
  const text = version.trim().replaceAll('-', '.pre.');
  const segments = text.match(/[0-9]+|[a-z]+/gi);
  if (!segments || !/^[0-9]/.test(text)) throw new InvalidVersionError(version, 'RubyGems');
  const firstLetters = segments.findIndex((s) => !isDigits(s));
  const release = firstLetters < 0 ? segments : segments.slice(0, firstLetters);
  const prerelease = firstLetters < 0 ? [] : segments.slice(firstLetters);
  return [...dropTrailingZeros(release), ...dropTrailingZeros(prerelease)];
}

function dropTrailingZeros(segments: Segment[]): Segment[] {
  let end = segments.length;
  while (end > 0 && isDigits(segments[end - 1]!) && /^0+$/.test(segments[end - 1]!)) end--;
  return segments.slice(0, end);
}

function compareSegments(a: Segment, b: Segment): number {
  const aNumber = isDigits(a);
  const bNumber = isDigits(b);
  if (aNumber && bNumber) return compareDigitStrings(a, b);
  if (aNumber) return 1;
  if (bNumber) return -1;
  return compareStrings(a, b);
}

export const rubygems: VersionComparator = {
  scheme: 'RubyGems',
  compare(a, b) {
    const x = canonicalSegments(a);
    const y = canonicalSegments(b);
    const n = Math.max(x.length, y.length);
    for (let i = 0; i < n; i++) {
      const c = compareSegments(x[i] ?? '0', y[i] ?? '0');
      if (c !== 0) return c;
    }
    return 0;
  },
};

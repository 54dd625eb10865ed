import { compareDigitStrings, isDigits } from './component-order.js';
import type { VersionComparator } from './version-comparator.js';

/**
 * Maven, following the POM reference's "Version Order Specification" (which ComparableVersion implements), written
 * by hand: no JavaScript port exists. The version is split into tokens at "." and "-" and at every switch between
 * digits and letters (such a switch counts as "-"); each token remembers its separator. Aliases: cr = rc;
 * ga = final = release = ""; a, b, m followed by a digit = alpha, beta, milestone. Trailing "null" tokens (0 and
 * "") are trimmed, at the end and again before each remaining "-". Comparing pads the shorter version with nulls;
 * with equal separators numbers compare numerically and beat qualifiers, qualifiers go
 * alpha < beta < milestone < rc < snapshot < "" < sp < others (alphabetically); with different separators
 * ".qualifier" < "-qualifier" < "-number" < ".number".
 */
interface Token {
  readonly separator: '' | '.' | '-';
  readonly value: string;
  /** A padding token standing for a missing one. */
  readonly padding?: true;
}

const KEYWORDS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Record<string, string> = { cr: 'rc', ga: '', final: '', release: '' };
const SHORT_FORMS: Record<string, string> = { a: 'alpha', b: 'beta', m: 'milestone' };

function tokenize(version: string): Token[] {
  const tokens: Token[] = [];
  const raw = version.trim().toLowerCase().split(/([.-])/);
  for (let i = 0; i < raw.length; i += 2) {
    let separator = (i === 0 ? '' : raw[i - 1]) as Token['separator'];
    // Digit/non-digit switches split a token further, the pieces after the first joined as if by "-".
    const pieces = raw[i]!.match(/\d+|\D+/g) ?? [''];
    pieces.forEach((piece, index) => {
      if (index > 0) separator = '-';
      let value = piece === '' ? '0' : (ALIASES[piece] ?? piece);
      if (index < pieces.length - 1) value = SHORT_FORMS[value] ?? value;
      if (isDigits(value)) value = value.replace(/^0+(?=.)/, '');
      tokens.push({ separator, value });
    });
  }
  return trimNulls(tokens);
}

const isNull = (token: Token): boolean => token.value === '0' || token.value === '';

/** Drops null tokens at the end, then before each remaining "-" from the end to the start (never the first). */
function trimNulls(tokens: Token[]): Token[] {
  const out = [...tokens];
  let i = out.length - 1;
  while (i > 0) {
    if (isNull(out[i]!)) {
      out.splice(i, 1);
      i--;
      continue;
    }
    while (i >= 0 && out[i]!.separator !== '-') i--;
    i--;
  }
  return out;
}

/** What stands in for a missing token opposite `other`: 0 after ".", "" after "-" (and "" opposite ".sp"). */
function paddingFor(other: Token): Token {
  if (other.separator === '-') return { separator: '-', value: '', padding: true };
  return { separator: '.', value: other.value === 'sp' ? '' : '0', padding: true };
}

function keywordIndex(value: string): number {
  const index = KEYWORDS.indexOf(value);
  return index >= 0 ? index : KEYWORDS.length;
}

function separatorRank(token: Token): number {
  const numeric = isDigits(token.value);
  if (token.separator === '-') return numeric ? 2 : 1;
  return numeric ? 3 : 0;
}

function compareTokens(a: Token, b: Token): number {
  if (a.separator !== b.separator) return Math.sign(separatorRank(a) - separatorRank(b));
  const aNumber = isDigits(a.value);
  const bNumber = isDigits(b.value);
  if (aNumber && bNumber) return Math.sign(compareDigitStrings(a.value, b.value));
  // A real number beats a qualifier; a padded 0 is compared as a qualifier.
  if (aNumber && !a.padding) return 1;
  if (bNumber && !b.padding) return -1;
  const x = keywordIndex(a.value);
  const y = keywordIndex(b.value);
  if (x === KEYWORDS.length && y === KEYWORDS.length) return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  return Math.sign(x - y);
}

export const maven: VersionComparator = {
  scheme: 'Maven',
  compare(a, b) {
    const x = tokenize(a);
    const y = tokenize(b);
    const n = Math.max(x.length, y.length);
    for (let i = 0; i < n; i++) {
      const left = x[i] ?? paddingFor(y[i]!);
      const right = y[i] ?? paddingFor(x[i]!);
      if (left.separator === right.separator && left.value === right.value) continue;
      const c = compareTokens(left, right);
      if (c !== 0) return c;
    }
    return 0;
  },
};

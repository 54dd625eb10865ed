import { compareDigitStrings, compareStrings } from './component-order.js';
import type { VersionComparator } from './version-comparator.js';

/**
 * Alpine (apk-tools' `apk version -t`), written by hand: no JavaScript port exists. apk versions are
 * number{.number}[letter]{_suffix[number]}[~hash][-r{number}]: numbers compare numerically, except that after the
 * first component one starting with "0" compares as a string (apk's fractional rule: 1.01 < 1.1); a letter sorts
 * after no letter; suffixes go alpha < beta < pre < rc < (none) < cvs < svn < git < hg < p; the hash is ignored;
 * then the package revision -rN. Malformed versions, which OSV data does contain, are ordered as osv-scanner
 * orders them: whatever parses is compared as above and leftover text makes a version older; two versions that
 * both have text that is no part of the grammar compare as plain strings.
 */
interface AlpineVersion {
  readonly original: string;
  readonly numbers: readonly string[];
  readonly letter: string;
  readonly suffixes: ReadonlyArray<{ readonly weight: number; readonly number: string }>;
  readonly revision: string;
  readonly remainder: string;
  /** Text after the last part that the grammar allows (not a "-r" revision). */
  readonly malformed: boolean;
}

const SUFFIXES = ['alpha', 'beta', 'pre', 'rc', '', 'cvs', 'svn', 'git', 'hg', 'p'];
const NO_SUFFIX = { weight: SUFFIXES.indexOf(''), number: '0' };

function parse(version: string): AlpineVersion {
  let rest = version.trim();
  const numbersText = /^(\d+\.?)*/.exec(rest)![0];
  const numbers = numbersText === '' ? [] : numbersText.split('.');
  rest = rest.slice(numbersText.length);
  const letter = /^[a-z]/.test(rest) ? rest[0]! : '';
  rest = rest.slice(letter.length);
  const suffixes: Array<{ weight: number; number: string }> = [];
  for (let m = /^_(alpha|beta|pre|rc|cvs|svn|git|hg|p)(\d*)/.exec(rest); m; m = /^_(alpha|beta|pre|rc|cvs|svn|git|hg|p)(\d*)/.exec(rest)) {
    suffixes.push({ weight: SUFFIXES.indexOf(m[1]!), number: m[2] || '0' });
    rest = rest.slice(m[0].length);
  }
  rest = rest.slice((/^~[0-9a-f]+/.exec(rest)?.[0] ?? '').length);
  let revision = '0';
  let malformed = false;
  if (rest !== '') {
    const r = /^-r(\d*)/.exec(rest);
    if (r) {
      revision = r[1] || '0';
      rest = rest.slice(r[0].length);
    } else {
      malformed = true;
    }
  }
  return { original: version, numbers, letter, suffixes, revision, remainder: rest, malformed };
}

function compareNumberComponents(a: string, b: string, index: number): number {
  // The fractional rule: after the first component a leading zero makes the component compare as a string.
  if (index > 0 && (a.startsWith('0') || b.startsWith('0'))) return compareStrings(a, b);
  return compareDigitStrings(a || '0', b || '0');
}

export function compareAlpineVersions(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  if (x.malformed && y.malformed) return compareStrings(x.original, y.original);
  for (let i = 0; i < Math.max(x.numbers.length, y.numbers.length); i++) {
    const xi = x.numbers[i];
    const yi = y.numbers[i];
    // A missing component is a plain 0.
    const c = xi === undefined || yi === undefined ? compareDigitStrings(xi || '0', yi || '0') : compareNumberComponents(xi, yi, i);
    if (c !== 0) return Math.sign(c);
  }
  if (x.letter !== y.letter) return x.letter === '' ? -1 : y.letter === '' ? 1 : compareStrings(x.letter, y.letter);
  for (let i = 0; i < Math.max(x.suffixes.length, y.suffixes.length); i++) {
    const xs = x.suffixes[i] ?? NO_SUFFIX;
    const ys = y.suffixes[i] ?? NO_SUFFIX;
    if (xs.weight !== ys.weight) return xs.weight < ys.weight ? -1 : 1;
    const c = compareDigitStrings(xs.number, ys.number);
    if (c !== 0) return Math.sign(c);
  }
  const revision = compareDigitStrings(x.revision, y.revision);
  if (revision !== 0) return Math.sign(revision);
  if ((x.remainder === '') !== (y.remainder === '')) return x.remainder === '' ? 1 : -1;
  return 0;
}

export const alpine: VersionComparator = { scheme: 'Alpine (apk)', compare: compareAlpineVersions };

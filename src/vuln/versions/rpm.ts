import { InvalidVersionError, type VersionComparator } from './version-comparator.js';

/**
 * RPM (Red Hat, Rocky, AlmaLinux, SUSE, openSUSE, Mageia, openEuler, Photon OS): [epoch:]version[-release],
 * epoch (missing = 0), then version and release with rpmvercmp() from rpm's rpmio/rpmvercmp.c,
 * written by hand (no maintained JavaScript port): alphanumeric segments, digits beat letters, "~" sorts before
 * everything (pre-releases), "^" after the end of the string but before anything else (post-release snapshots).
 */
interface Evr {
  readonly epoch: string;
  readonly version: string;
  readonly release: string | undefined;
}

function parseEvr(text: string): Evr {
  const evr = text.trim();
  if (evr === '') throw new InvalidVersionError(text, 'RPM', 'empty');
  const colon = evr.indexOf(':');
  // The epoch is compared with rpmvercmp like the other parts, so a non-numeric one still has an order.
  const epoch = colon >= 0 ? evr.slice(0, colon) : '0';
  const rest = evr.slice(colon + 1);
  const dash = rest.lastIndexOf('-');
  return dash >= 0
    ? { epoch: epoch || '0', version: rest.slice(0, dash), release: rest.slice(dash + 1) }
    : { epoch: epoch || '0', version: rest, release: undefined };
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined): boolean => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isAlnum = (c: string | undefined): boolean => isDigit(c) || isAlpha(c);

export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const numeric = isDigit(a[i]);
    const test = numeric ? isDigit : isAlpha;
    let iEnd = i;
    let jEnd = j;
    while (iEnd < a.length && test(a[iEnd])) iEnd++;
    while (jEnd < b.length && test(b[jEnd])) jEnd++;
    // Segments of different kinds: the numeric one is newer.
    if (jEnd === j) return numeric ? 1 : -1;
    let x = a.slice(i, iEnd);
    let y = b.slice(j, jEnd);
    if (numeric) {
      x = x.replace(/^0+/, '');
      y = y.replace(/^0+/, '');
      if (x.length !== y.length) return x.length > y.length ? 1 : -1;
    }
    if (x !== y) return x < y ? -1 : 1;
    i = iEnd;
    j = jEnd;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

export const rpm: VersionComparator = {
  scheme: 'RPM',
  compare(a, b) {
    const x = parseEvr(a);
    const y = parseEvr(b);
    const epoch = rpmvercmp(x.epoch, y.epoch);
    if (epoch !== 0) return epoch;
    const version = rpmvercmp(x.version, y.version);
    if (version !== 0) return version;
    // A missing release is older than any release (rpm's compare_values on EVRs).
    if (x.release === undefined || y.release === undefined) {
      return x.release === y.release ? 0 : x.release === undefined ? -1 : 1;
    }
    return rpmvercmp(x.release, y.release);
  },
};

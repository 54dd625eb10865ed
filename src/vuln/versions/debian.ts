import { InvalidVersionError, type VersionComparator } from './version-comparator.js';

/**
 * Debian (dpkg `dpkg --compare-versions`, lib/dpkg/version.c), written by hand: no maintained JavaScript port
 * exists and the algorithm is short. [epoch:]upstream[-revision]; the epoch compares numerically (missing = 0),
 * then upstream and revision with verrevcmp(): alternating runs of non-digits (letters before other characters,
 * "~" before everything, even the end of the string) and digits (numerically). Also the order of Ubuntu.
 */
export interface DebianVersion {
  readonly epoch: number;
  readonly upstream: string;
  readonly revision: string;
}

export function parseDebianVersion(version: string): DebianVersion {
  const text = version.trim();
  if (text === '' || /\s/.test(text)) throw new InvalidVersionError(version, 'Debian', 'empty or contains spaces');
  const colon = text.indexOf(':');
  let epoch = 0;
  if (colon >= 0) {
    const epochText = text.slice(0, colon);
    if (!/^\d+$/.test(epochText)) throw new InvalidVersionError(version, 'Debian', 'the epoch is not a number');
    epoch = Number(epochText);
  }
  const rest = text.slice(colon + 1);
  const dash = rest.lastIndexOf('-');
  const upstream = dash >= 0 ? rest.slice(0, dash) : rest;
  if (upstream === '') throw new InvalidVersionError(version, 'Debian', 'the upstream version is empty');
  return { epoch, upstream, revision: dash >= 0 ? rest.slice(dash + 1) : '' };
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** dpkg's order(): "~" lowest, then the end of the string and digits, then letters, then everything else. */
function order(text: string, i: number): number {
  if (i >= text.length) return 0;
  const code = text.charCodeAt(i);
  if (isDigit(code)) return 0;
  if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) return code;
  if (code === 126) return -1; // ~
  return code + 256;
}

export function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const ac = order(a, i);
      const bc = order(b, j);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a.charCodeAt(i) === 48) i++;
    while (b.charCodeAt(j) === 48) j++;
    let firstDiff = 0;
    while (i < a.length && j < b.length && isDigit(a.charCodeAt(i)) && isDigit(b.charCodeAt(j))) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && isDigit(a.charCodeAt(i))) return 1;
    if (j < b.length && isDigit(b.charCodeAt(j))) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

export function compareDebianVersions(a: DebianVersion, b: DebianVersion): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch;
  return verrevcmp(a.upstream, b.upstream) || verrevcmp(a.revision, b.revision);
}

export const debian: VersionComparator = {
  scheme: 'Debian (dpkg)',
  compare: (a, b) => compareDebianVersions(parseDebianVersion(a), parseDebianVersion(b)),
};

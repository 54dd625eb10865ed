import { compare as comparePep440, parse as parsePep440, valid as validPep440 } from '@renovatebot/pep440';
import { compareLists, compareStrings } from './component-order.js';
import type { VersionComparator } from './version-comparator.js';

/**
 * PyPI: PEP 440 through @renovatebot/pep440 (a port of Python's `packaging.version`). PyPI also serves releases
 * from before PEP 440 ("0.9-doduo", "2013-01-21T20:33:09+0100", "trunk") and OSV records list them. `packaging`
 * before version 22 ordered those as LegacyVersion, below every PEP 440 version and among themselves by the
 * setuptools key rebuilt in legacyKey() (the library has no such fallback, so that part is written here).
 */
export const pypi: VersionComparator = {
  scheme: 'PEP 440',
  compare(a, b) {
    const x = a.trim();
    const y = b.trim();
    const xValid = validPep440(x) !== null;
    const yValid = validPep440(y) !== null;
    if (xValid && yValid) return comparePep440(x, y);
    if (xValid !== yValid) return xValid ? 1 : -1;
    return compareLists(legacyKey(x), legacyKey(y), compareStrings);
  },
  canonical(version) {
    const text = version.trim();
    const parsed = validPep440(text) !== null ? parsePep440(text) : null;
    if (!parsed) return `legacy:${legacyKey(text).join(' ')}`;
    // Release segments compare as if padded with zeros, so trailing zeros do not make a different version.
    const release = [...parsed.release];
    while (release.length > 1 && release[release.length - 1] === 0) release.pop();
    return JSON.stringify([parsed.epoch, release, parsed.pre, parsed.post, parsed.dev, parsed.local]);
  },
};

const LEGACY_COMPONENT = /(\d+|[a-z]+|\.|-)/;
const LEGACY_REPLACEMENT: Record<string, string> = { pre: 'c', preview: 'c', '-': 'final-', rc: 'c', dev: '@' };

/** `packaging.version._legacy_cmpkey` (packaging 21): zero-padded numbers, "*"-marked words, trimmed zeros. */
function legacyKey(version: string): string[] {
  const parts: string[] = [];
  for (const part of legacyParts(version.toLowerCase())) {
    if (part.startsWith('*')) {
      // A "-" before a pre-release tag is dropped, and trailing zeros of each numeric run.
      if (part < '*final') while (parts.length > 0 && parts[parts.length - 1] === '*final-') parts.pop();
      while (parts.length > 0 && parts[parts.length - 1] === '00000000') parts.pop();
    }
    parts.push(part);
  }
  return parts;
}

function* legacyParts(version: string): Generator<string> {
  for (const raw of version.split(LEGACY_COMPONENT)) {
    const part = LEGACY_REPLACEMENT[raw] ?? raw;
    if (part === '' || part === '.') continue;
    yield /^[0-9]/.test(part) ? part.padStart(8, '0') : `*${part}`;
  }
  yield '*final';
}

import type { OsRelease } from '../catalogers/os-release.js';
import type { HygieneFinding } from './hygiene-finding.js';

/**
 * End of security support per distribution release. Compiled on 2026-11-27 from the release pages that
 * endoflife.date aggregates (https://endoflife.date/debian, /ubuntu, /alpine-linux, /rhel, /centos,
 * /centos-stream, /rocky-linux, /almalinux, /amazon-linux, /fedora). "eol" is the last day the distribution
 * itself publishes security fixes for free: Debian counts LTS (its security tracker, which OSV's Debian data
 * comes from, keeps covering LTS releases); Ubuntu counts standard support (ESM is paid); RHEL counts the end of
 * maintenance support (ELS is paid). A release missing here is reported as unknown, never as end of life.
 */
export interface EndOfLifeEntry {
  readonly eol: string;
  /** Where the regular support ends earlier than `eol` (Debian before LTS). */
  readonly regularSupportEnds?: string;
}

export const END_OF_LIFE_TABLE_DATE = '2026-11-27';

const TABLE: Readonly<Record<string, Readonly<Record<string, EndOfLifeEntry>>>> = {
  debian: {
    '8': { eol: '2020-06-30', regularSupportEnds: '2018-06-17' },
    '9': { eol: '2022-06-30', regularSupportEnds: '2020-07-06' },
    '10': { eol: '2024-06-30', regularSupportEnds: '2022-09-10' },
    '11': { eol: '2026-08-31', regularSupportEnds: '2024-08-14' },
    '12': { eol: '2028-06-30', regularSupportEnds: '2026-06-10' },
    '13': { eol: '2030-06-30', regularSupportEnds: '2028-08-09' },
  },
  ubuntu: {
    '14.04': { eol: '2019-04-30' },
    '16.04': { eol: '2021-04-30' },
    '18.04': { eol: '2023-05-31' },
    '20.04': { eol: '2025-05-29' },
    '22.04': { eol: '2027-06-01' },
    '23.04': { eol: '2024-01-25' },
    '23.10': { eol: '2024-07-11' },
    '24.04': { eol: '2029-05-31' },
    '24.10': { eol: '2025-07-10' },
    '25.04': { eol: '2026-01-15' },
  },
  alpine: {
    '3.12': { eol: '2022-05-01' },
    '3.13': { eol: '2022-11-01' },
    '3.14': { eol: '2023-05-01' },
    '3.15': { eol: '2023-11-01' },
    '3.16': { eol: '2024-05-23' },
    '3.17': { eol: '2024-11-22' },
    '3.18': { eol: '2025-05-09' },
    '3.19': { eol: '2025-11-01' },
    '3.20': { eol: '2026-04-01' },
    '3.21': { eol: '2026-11-01' },
    '3.22': { eol: '2027-05-01' },
    '3.23': { eol: '2027-11-01' },
  },
  rhel: { '7': { eol: '2024-06-30' }, '8': { eol: '2029-05-31' }, '9': { eol: '2032-05-31' } },
  centos: { '7': { eol: '2024-06-30' }, '8': { eol: '2021-12-31' } },
  'centos-stream': { '8': { eol: '2024-05-31' }, '9': { eol: '2027-05-31' } },
  rocky: { '8': { eol: '2029-05-31' }, '9': { eol: '2032-05-31' } },
  almalinux: { '8': { eol: '2029-05-31' }, '9': { eol: '2032-05-31' } },
  amzn: { '2': { eol: '2026-06-30' }, '2023': { eol: '2029-06-30' } },
  fedora: { '37': { eol: '2023-12-05' }, '38': { eol: '2024-05-21' }, '39': { eol: '2024-11-26' }, '40': { eol: '2025-05-13' } },
};

/** The table key of a release: Ubuntu and Alpine by major.minor, the others by major version. */
function releaseKey(os: OsRelease): { product: string; release: string } | undefined {
  const version = os.versionId;
  if (!version) return undefined;
  const product = os.id === 'centos' && /stream/i.test(os.name ?? os.prettyName ?? '') ? 'centos-stream' : os.id;
  const release = product === 'ubuntu' || product === 'alpine' ? /^\d+\.\d+/.exec(version)?.[0] : /^\d+/.exec(version)?.[0];
  return release ? { product, release } : undefined;
}

/** The table's entry for the image's release, or undefined when the table does not know it. */
export function endOfLifeEntry(os: OsRelease): EndOfLifeEntry | undefined {
  const key = releaseKey(os);
  return key ? TABLE[key.product]?.[key.release] : undefined;
}

/** A finding when `today` (YYYY-MM-DD, passed in: engines do not read the clock) is after the release's end of life. */
export function osEndOfLife(os: OsRelease, today: string): HygieneFinding | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today)) throw new Error(`today must be YYYY-MM-DD, got ${JSON.stringify(today)}`);
  const entry = endOfLifeEntry(os);
  if (!entry || today <= entry.eol) return undefined;
  const name = os.prettyName ?? `${os.id} ${os.versionId}`;
  return {
    kind: 'os-end-of-life',
    message: `${name} reached end of life on ${entry.eol}: it gets no more security fixes`,
    layerDigest: os.layerDigest,
    path: os.path,
    evidence: { os: os.id, release: os.versionId ?? '', eol: entry.eol, tableDate: END_OF_LIFE_TABLE_DATE },
  };
}

import type { OsvAffected, OsvReference } from '../osv/osv-record.js';
import { rangeComparatorsFor } from '../osv/ecosystem-comparators.js';
import { prepareAffected } from '../osv/range-evaluation.js';
import type { VulnerabilityReader } from '../database/vulnerability-store.js';
import { matchPackage, type CandidateEntry, type CandidateVulnerability } from './match-package.js';
import { packageLookups } from './package-lookups.js';
import type { PackageQuery } from './package-query.js';
import type { VulnerabilityFinding } from './vulnerability-finding.js';

/** Prepared entries and records read from one reader, reused across calls while the reader's revision holds. */
interface ReaderCache {
  revision: string | undefined;
  readonly entries: Map<string, CandidateEntry[]>;
  readonly records: Map<string, CandidateVulnerability | null>;
}

/** How many (ecosystem, package) keys and records a reader's cache keeps (oldest dropped first). */
const CACHE_LIMIT = 50_000;
const caches = new WeakMap<VulnerabilityReader, ReaderCache>();

function cacheOf(reader: VulnerabilityReader): ReaderCache {
  const revision = reader.revision?.();
  let cache = caches.get(reader);
  if (!cache || cache.revision !== revision || revision === undefined) {
    cache = { revision, entries: new Map(), records: new Map() };
    caches.set(reader, cache);
  }
  return cache;
}

function remember<K, V>(map: Map<K, V>, key: K, value: V): V {
  if (map.size >= CACHE_LIMIT) map.delete(map.keys().next().value as K);
  map.set(key, value);
  return value;
}

/**
 * The matching API: packages in, findings out (in input order, one per package and vulnerability). Reads the
 * stored rows of each package's (ecosystem, name) keys through the index, prepares each entry once (parsed,
 * events sorted, `versions` as a set) and keeps it for later calls on the same reader while its revision holds,
 * so a warm database matches from memory.
 */
export function matchPackages(reader: VulnerabilityReader, packages: readonly PackageQuery[]): VulnerabilityFinding[] {
  const cache = cacheOf(reader);
  const entriesOf = (ecosystem: string, name: string): CandidateEntry[] => {
    const key = `${ecosystem}\u0000${name}`;
    const cached = cache.entries.get(key);
    if (cached) return cached;
    const comparators = rangeComparatorsFor(ecosystem);
    const entries = reader.affectedRows(ecosystem, name).map(
      (row): CandidateEntry => ({
        vulnerabilityId: row.vulnerabilityId,
        ecosystem: row.ecosystem,
        packageName: row.package,
        entry: prepareAffected(JSON.parse(row.entry) as OsvAffected, comparators),
        severity: JSON.parse(row.severity) as CandidateEntry['severity'],
      }),
    );
    return remember(cache.entries, key, entries);
  };
  const vulnerability = (id: string): CandidateVulnerability | undefined => {
    const cached = cache.records.get(id);
    if (cached !== undefined) return cached ?? undefined;
    const row = reader.vulnerabilityRow(id);
    const record: CandidateVulnerability | null = row
      ? {
          id: row.id,
          aliases: JSON.parse(row.aliases) as string[],
          ...(row.summary ? { summary: row.summary } : {}),
          ...(row.details ? { details: row.details } : {}),
          references: JSON.parse(row.refs) as OsvReference[],
          ...(row.withdrawn ? { withdrawn: row.withdrawn } : {}),
        }
      : null;
    return remember(cache.records, id, record) ?? undefined;
  };
  const findings: VulnerabilityFinding[] = [];
  for (const query of packages) {
    const candidates = packageLookups(query).map((lookup) => ({ lookup, entries: entriesOf(lookup.ecosystem, lookup.name) }));
    findings.push(...matchPackage(query, candidates, vulnerability));
  }
  return findings;
}

import type { OsvReference } from '../osv/osv-record.js';
import { affectedReason, fixedVersionsAbove, type AffectedReason, type PreparedAffected } from '../osv/range-evaluation.js';
import type { VulnerabilitySeverity } from '../severity/vulnerability-severity.js';
import { severityRank } from '../../core/model/severity.js';
import { aliasGroups } from './alias-groups.js';
import type { PackageLookup } from './package-lookups.js';
import type { PackageQuery } from './package-query.js';
import type { VulnerabilityFinding } from './vulnerability-finding.js';

/** One `affected[]` entry stored for a (ecosystem, package) key, prepared for evaluation, its severity scored. */
export interface CandidateEntry {
  readonly vulnerabilityId: string;
  readonly ecosystem: string;
  readonly packageName: string;
  readonly entry: PreparedAffected;
  readonly severity: Omit<VulnerabilitySeverity, 'cvss' | 'invalid'>;
}

/** The record-level facts a finding reports. */
export interface CandidateVulnerability {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly summary?: string;
  readonly details?: string;
  readonly references: readonly OsvReference[];
  readonly withdrawn?: string;
}

/** The record's summary, else the first line of its details (Ubuntu and some Debian records have no summary). */
function summaryOf(records: readonly CandidateVulnerability[], preferred: string): string | undefined {
  const ordered = [...records.filter((r) => r.id === preferred), ...records.filter((r) => r.id !== preferred)];
  const summary = ordered.find((r) => r.summary)?.summary;
  if (summary) return summary;
  const details = ordered.find((r) => r.details?.trim())?.details?.trim();
  if (!details) return undefined;
  const line = details.split('\n')[0]!;
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

interface Hit {
  readonly entry: CandidateEntry;
  readonly lookup: PackageLookup;
  readonly reason: AffectedReason;
}

function describe(hit: Hit): string {
  const where = `${hit.entry.ecosystem} ${hit.entry.packageName}`;
  const reason = hit.reason;
  if (reason.kind === 'listed') return `${where} ${hit.lookup.version} (listed in versions)`;
  const bounds: string[] = [];
  if (reason.introduced !== '0') bounds.push(`>=${reason.introduced}`);
  if (reason.fixed !== undefined) bounds.push(`<${reason.fixed}`);
  if (reason.lastAffected !== undefined) bounds.push(`<=${reason.lastAffected}`);
  return `${where} ${bounds.length > 0 ? bounds.join(', ') : 'all versions'}`;
}

/**
 * Matches one package against the entries stored under its lookups (see packageLookups): evaluates each entry
 * (OSV evaluation, see range-evaluation.ts), drops withdrawn records, and merges the records that alias each
 * other into one finding with the highest severity among them, the union of their fixes, ranges and references.
 */
export function matchPackage(
  query: PackageQuery,
  candidates: ReadonlyArray<{ readonly lookup: PackageLookup; readonly entries: readonly CandidateEntry[] }>,
  vulnerability: (id: string) => CandidateVulnerability | undefined,
): VulnerabilityFinding[] {
  const hits = new Map<string, Hit[]>();
  for (const { lookup, entries } of candidates) {
    for (const entry of entries) {
      const reason = affectedReason(lookup.version, entry.entry);
      if (!reason) continue;
      const list = hits.get(entry.vulnerabilityId) ?? [];
      list.push({ entry, lookup, reason });
      hits.set(entry.vulnerabilityId, list);
    }
  }
  // Record details are read only for the records that matched.
  const records = new Map<string, CandidateVulnerability>();
  for (const id of hits.keys()) {
    const record = vulnerability(id);
    if (record && !record.withdrawn) records.set(id, record);
  }
  return aliasGroups([...records.values()]).map((group) => {
    const groupHits = group.members.flatMap((id) => hits.get(id)!);
    const members = group.members.map((id) => records.get(id)!);
    const severity = groupHits
      .map((h) => h.entry.severity)
      .reduce((best, s) => (rank(s) > rank(best) ? s : best));
    const fixed = new Set<string>();
    for (const hit of groupHits) {
      for (const f of fixedVersionsAbove(hit.lookup.version, hit.entry.entry.affected, hit.entry.entry.comparators)) fixed.add(f);
    }
    const references = new Map<string, OsvReference>();
    for (const record of members) for (const ref of record.references) if (!references.has(ref.url)) references.set(ref.url, ref);
    const summary = summaryOf(members, group.id);
    return {
      id: group.id,
      aliases: group.aliases,
      records: group.members,
      package: query,
      ...(summary ? { summary } : {}),
      severity,
      fixedVersions: [...fixed],
      affectedRanges: [...new Set(groupHits.map(describe))],
      references: [...references.values()],
      ecosystemSpecific: groupHits.flatMap((h) => (h.entry.entry.affected.ecosystem_specific ? [h.entry.entry.affected.ecosystem_specific] : [])),
      databaseSpecific: groupHits.flatMap((h) => (h.entry.entry.affected.database_specific ? [h.entry.entry.affected.database_specific] : [])),
    };
  });
}

/** Known ratings by severity, then by score; unknown lowest. */
function rank(severity: CandidateEntry['severity']): number {
  const rating = severity.rating === 'unknown' ? -1 : severityRank(severity.rating);
  return rating * 100 + (severity.score ?? 0);
}

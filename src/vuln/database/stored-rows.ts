import type { OsvRecord } from '../osv/osv-record.js';
import { normalizePackageName } from '../matching/package-lookups.js';
import { vulnerabilitySeverity } from '../severity/vulnerability-severity.js';
import type { StoredAffectedRow, StoredVulnerabilityRow } from './vulnerability-store.js';

/**
 * A validated record as storage rows: the record, and one row per affected[] entry that names a package, with
 * the package name normalised for lookup and the severity scored once (package-level severity replaces the
 * record's: the schema allows one or the other). GIT-only entries name no package and are not matchable.
 */
export function storedRowsOf(record: OsvRecord): { vulnerability: StoredVulnerabilityRow; affected: StoredAffectedRow[] } {
  const details = record.details?.trim().split('\n')[0]?.slice(0, 200);
  const vulnerability: StoredVulnerabilityRow = {
    id: record.id,
    modified: record.modified,
    published: record.published ?? null,
    withdrawn: record.withdrawn ?? null,
    aliases: JSON.stringify(record.aliases ?? []),
    summary: record.summary ?? null,
    details: details || null,
    refs: JSON.stringify((record.references ?? []).map(({ type, url }) => ({ type, url }))),
  };
  const affected: StoredAffectedRow[] = [];
  for (const entry of record.affected ?? []) {
    if (!entry.package) continue;
    const { package: pkg, ...rest } = entry;
    const databaseSpecific = entry.database_specific?.severity !== undefined ? entry.database_specific : record.database_specific;
    const { cvss: _cvss, invalid: _invalid, ...severity } = vulnerabilitySeverity(entry.severity ?? record.severity ?? [], databaseSpecific);
    affected.push({
      ecosystem: pkg.ecosystem,
      package: normalizePackageName(pkg.ecosystem, pkg.name),
      entry: JSON.stringify(rest),
      severity: JSON.stringify(severity),
    });
  }
  return { vulnerability, affected };
}

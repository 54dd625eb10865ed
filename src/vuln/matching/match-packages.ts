import type { OsvAffected, OsvReference } from '../osv/osv-record.js';
import type { VulnerabilityReader } from '../database/vulnerability-store.js';
import { matchPackage, type CandidateEntry, type CandidateVulnerability } from './match-package.js';
import { packageLookups } from './package-lookups.js';
import type { PackageQuery } from './package-query.js';
import type { VulnerabilityFinding } from './vulnerability-finding.js';

/**
 * The matching API: packages in, findings out (in input order, one per package and vulnerability). Reads only
 * the stored rows of each package's (ecosystem, name) keys; record details are read once per call.
 */
export function matchPackages(reader: VulnerabilityReader, packages: readonly PackageQuery[]): VulnerabilityFinding[] {
  const vulnerabilities = new Map<string, CandidateVulnerability>();
  const load = (id: string): void => {
    if (vulnerabilities.has(id)) return;
    const row = reader.vulnerabilityRow(id);
    if (!row) return;
    vulnerabilities.set(id, {
      id: row.id,
      aliases: JSON.parse(row.aliases) as string[],
      ...(row.summary ? { summary: row.summary } : {}),
      ...(row.details ? { details: row.details } : {}),
      references: JSON.parse(row.refs) as OsvReference[],
      ...(row.withdrawn ? { withdrawn: row.withdrawn } : {}),
    });
  };
  const findings: VulnerabilityFinding[] = [];
  for (const query of packages) {
    const candidates = packageLookups(query).map((lookup) => {
      const entries = reader.affectedRows(lookup.ecosystem, lookup.name).map(
        (row): CandidateEntry => ({
          vulnerabilityId: row.vulnerabilityId,
          ecosystem: row.ecosystem,
          packageName: row.package,
          affected: JSON.parse(row.entry) as OsvAffected,
          severity: JSON.parse(row.severity) as CandidateEntry['severity'],
        }),
      );
      for (const entry of entries) load(entry.vulnerabilityId);
      return { lookup, entries };
    });
    findings.push(...matchPackage(query, candidates, vulnerabilities));
  }
  return findings;
}

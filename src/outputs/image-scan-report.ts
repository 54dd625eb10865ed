/**
 * The result of `aspis scan image` / `aspis scan sbom`: packages and their vulnerabilities, as JSON or a table.
 */
import type { Finding } from '../core/model/finding.js';
import type { PackageQuery } from '../vuln/matching/package-query.js';
import type { VulnerabilityFinding } from '../vuln/matching/vulnerability-finding.js';
import { severityRank, type Severity } from '../core/model/severity.js';

export interface ImageScanReport {
  /** The image (name, digests, os) or the SBOM file scanned. */
  readonly target: Readonly<Record<string, unknown>>;
  readonly packages: readonly PackageQuery[];
  readonly vulnerabilities: readonly VulnerabilityFinding[];
  /** Findings of the image checks (runs as root, secrets in layers…); empty for an SBOM. */
  readonly findings: readonly Finding[];
  readonly problems: readonly string[];
}

export function imageScanJson(report: ImageScanReport): string {
  return `${JSON.stringify(
    {
      target: report.target,
      packages: report.packages,
      vulnerabilities: report.vulnerabilities.map((f) => ({
        id: f.id,
        aliases: f.aliases,
        severity: f.severity.rating,
        ...(f.severity.score !== undefined ? { score: f.severity.score } : {}),
        package: { ecosystem: f.package.ecosystem, name: f.package.name, version: f.package.version, ...(f.package.purl ? { purl: f.package.purl } : {}) },
        fixedVersions: f.fixedVersions,
        affectedRanges: f.affectedRanges,
        ...(f.summary ? { summary: f.summary } : {}),
        records: f.records,
      })),
      problems: report.problems,
    },
    null,
    2,
  )}\n`;
}

const rank = (rating: Severity | 'unknown'): number => (rating === 'unknown' ? -1 : severityRank(rating));

export function imageScanTable(report: ImageScanReport): string {
  const rows = [...report.vulnerabilities]
    .sort((a, b) => rank(b.severity.rating) - rank(a.severity.rating) || a.package.name.localeCompare(b.package.name) || a.id.localeCompare(b.id))
    .map((f) => [f.severity.rating.toUpperCase(), f.id, f.package.name, f.package.version, f.fixedVersions.join(', ') || '-', f.package.ecosystem]);
  const header = ['SEVERITY', 'VULNERABILITY', 'PACKAGE', 'INSTALLED', 'FIXED IN', 'ECOSYSTEM'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const counts = new Map<string, number>();
  for (const f of report.vulnerabilities) counts.set(f.severity.rating, (counts.get(f.severity.rating) ?? 0) + 1);
  const summary = ['critical', 'high', 'medium', 'low', 'info', 'unknown'].filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${s}`);
  const name = typeof report.target.name === 'string' ? report.target.name : 'target';
  return [
    `${name}: ${report.packages.length} packages, ${report.vulnerabilities.length} vulnerabilities${summary.length > 0 ? ` (${summary.join(', ')})` : ''}`,
    ...(rows.length > 0 ? ['', line(header), ...rows.map(line)] : []),
    '',
  ].join('\n');
}

/**
 * The table output of the image scans: per image a summary line, the image check findings, the vulnerabilities in
 * effect, then the suppressed ones with what suppressed them (VEX statement or waiver), then what the filters left
 * out; after the images, waivers to look at (expired, unused, invalid) and problems.
 */
import { severityRank } from '../core/model/severity.js';
import type { TriagedVulnerability, VulnerabilityRating } from '../vuln/triage/triage-vulnerabilities.js';
import { countBySeverity, RATINGS, type ImageScanDocument, type TriagedImageScan } from './image-scan-report.js';
import { compareText } from '../core/model/text-order.js';

const rank = (rating: VulnerabilityRating): number => (rating === 'unknown' ? -1 : severityRank(rating));

export function imageScanTable(document: ImageScanDocument): string {
  const out: string[] = [];
  for (const image of document.images) out.push(...imageSection(image), '');
  if (document.images.length > 1) {
    const active = document.images.reduce((n, i) => n + i.triage.active.length, 0);
    out.push(`${document.images.length} images, ${active} vulnerabilities in effect`, '');
  }
  if (document.waivers.length > 0) {
    out.push('Vulnerability waivers to look at:');
    for (const w of document.waivers) out.push(`  ${w.declaredAt}  ${w.id}  ${w.status}: ${w.message}`);
    out.push('');
  }
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}

function imageSection(image: TriagedImageScan): string[] {
  const { scan, triage } = image;
  const counts = countBySeverity(triage.active);
  const summary = RATINGS.filter((r) => counts[r] > 0).map((r) => `${counts[r]} ${r}`);
  const name = typeof scan.target.name === 'string' ? scan.target.name : 'target';
  const lines = [
    `${name}: ${scan.packages.length} packages, ${triage.active.length} vulnerabilities${summary.length > 0 ? ` (${summary.join(', ')})` : ''}` +
      `${triage.suppressed.length > 0 ? `, ${triage.suppressed.length} suppressed` : ''}${scan.findings.length > 0 ? `, ${scan.findings.length} image check findings` : ''}`,
  ];
  if (image.usedBy && image.usedBy.length > 0) {
    lines.push(`  used by: ${image.usedBy.map((u) => `${u.namespace}/${u.workload ?? `Pod/${u.pod}`} (${u.container})`).filter(unique).join(', ')}`);
  }
  if (scan.findings.length > 0) {
    lines.push('', 'Image checks:');
    lines.push(
      ...columns(
        ['SEVERITY', 'CHECK', 'WHERE', 'MESSAGE'],
        [...scan.findings]
          .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || compareText(a.checkId, b.checkId) || a.path.localeCompare(b.path, 'en', { numeric: true }))
          .map((f) => [f.severity.toUpperCase(), f.checkId, f.path || '-', f.waiver ? `${f.message} (waived: ${f.waiver.reason})` : f.message]),
      ),
    );
  }
  if (triage.active.length > 0) {
    lines.push('', 'Vulnerabilities:');
    lines.push(...columns(['SEVERITY', 'VULNERABILITY', 'PACKAGE', 'INSTALLED', 'FIXED IN', 'ECOSYSTEM'], sorted(triage.active).map((v) => [...vulnerabilityCells(v), v.finding.package.ecosystem + vexNote(v)])));
  }
  if (triage.suppressed.length > 0) {
    lines.push('', 'Suppressed:');
    lines.push(...columns(['SEVERITY', 'VULNERABILITY', 'PACKAGE', 'INSTALLED', 'FIXED IN', 'BY'], sorted(triage.suppressed).map((v) => [...vulnerabilityCells(v), suppressedBy(v)])));
  }
  const { severity, unfixed } = triage.filtered;
  if (severity + unfixed > 0) {
    const parts = [severity > 0 ? `${severity} outside --severity` : '', unfixed > 0 ? `${unfixed} without a fix (--ignore-unfixed)` : ''].filter(Boolean);
    lines.push('', `Not shown: ${parts.join(', ')}.`);
  }
  for (const w of scan.checkWaivers ?? []) lines.push(`check exception at ${w.declaredAt} (${w.checks.join(', ')}) ${w.status}: ${w.message}`);
  for (const problem of scan.problems) lines.push(`problem: ${problem}`);
  for (const note of scan.notes ?? []) lines.push(`note: ${note}`);
  return lines;
}

function sorted(list: readonly TriagedVulnerability[]): TriagedVulnerability[] {
  return [...list].sort(
    (a, b) => rank(b.finding.severity.rating) - rank(a.finding.severity.rating) || compareText(a.finding.package.name, b.finding.package.name) || compareText(a.finding.id, b.finding.id),
  );
}

function vulnerabilityCells(v: TriagedVulnerability): string[] {
  const f = v.finding;
  return [f.severity.rating.toUpperCase(), f.id, f.package.name, f.package.version, f.fixedVersions.join(', ') || '-'];
}

function vexNote(v: TriagedVulnerability): string {
  return v.vex ? ` (VEX: ${v.vex.status} at ${v.vex.declaredAt})` : '';
}

function suppressedBy(v: TriagedVulnerability): string {
  if (v.vex && (v.vex.status === 'not_affected' || v.vex.status === 'fixed')) {
    return `VEX ${v.vex.status}${v.vex.justification ? ` (${v.vex.justification})` : ''} at ${v.vex.declaredAt}`;
  }
  const w = v.waiver!;
  return `waiver at ${w.declaredAt}: ${w.reason}${w.expires ? ` (until ${w.expires})` : ''}`;
}

function columns(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)];
}

function unique(value: string, index: number, all: string[]): boolean {
  return all.indexOf(value) === index;
}

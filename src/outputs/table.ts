/**
 * The terminal table: findings grouped by object, then waived findings, input errors, waivers that need attention
 * and a summary. Colour (severity only) when `options.color`; the text never contains escape codes otherwise.
 */
import type { Finding } from '../core/model/finding.js';
import type { Report } from '../core/model/report.js';
import { SEVERITIES } from '../core/model/severity.js';
import type { Severity } from '../core/model/severity.js';
import { findingPosition, formatErrorSource, formatPosition, formatRef, objectsByRef, printable, refKey } from './text.js';

export interface TableOptions {
  color: boolean;
}

const SEVERITY_COLOR: Record<Severity, string> = {
  critical: '\u001b[1;31m',
  high: '\u001b[31m',
  medium: '\u001b[33m',
  low: '\u001b[36m',
  info: '\u001b[2m',
};
const RESET = '\u001b[0m';

/** Highest severity first, in the summary and the colour legend. */
const SEVERITIES_DESCENDING = [...SEVERITIES].reverse();

export function renderTable(report: Report, options: TableOptions): string {
  const objects = objectsByRef(report);
  const paint = (severity: Severity, text: string) => (options.color ? `${SEVERITY_COLOR[severity]}${text}${RESET}` : text);
  const out: string[] = [];

  // Findings, grouped by object in the order the report sorted them (file, line).
  const groups = new Map<string, { finding: Finding; row: string[] }[]>();
  for (const finding of report.findings) {
    const position = findingPosition(finding, objects);
    const row = [finding.severity, finding.checkId, position?.line === undefined ? '' : String(position.line), printable(finding.path || '(object)')];
    const key = refKey(finding.resource);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push({ finding, row });
  }

  if (report.findings.length === 0) out.push('No findings.', '');
  for (const group of groups.values()) {
    const first = group[0]!.finding;
    // Column widths per object: one long field path elsewhere does not widen every table.
    const widths = [8, 5, 4, 5].map((min, column) => Math.max(min, ...group.map(({ row }) => row[column]!.length)));
    const cell = (text: string, column: number) => text.padEnd(widths[column]!);
    const object = objects.get(refKey(first.resource));
    const file = object?.file ?? first.location?.file;
    const where = file === undefined ? '' : `  ${printable(formatPosition(file, object?.line))}`;
    out.push(`${printable(formatRef(first.resource))}${where}`);
    out.push(`  ${cell('SEVERITY', 0)}  ${cell('CHECK', 1)}  ${cell('LINE', 2)}  ${cell('FIELD', 3)}  MESSAGE`);
    for (const { finding, row } of group) {
      out.push(
        `  ${paint(finding.severity, cell(row[0]!, 0))}  ${cell(row[1]!, 1)}  ${row[2]!.padStart(widths[2]!)}  ${cell(row[3]!, 3)}  ${printable(finding.message)}`,
      );
    }
    out.push('');
  }

  if (report.waived.length > 0) {
    out.push(`Waived findings (${report.waived.length})`);
    for (const finding of report.waived) {
      const waiver = finding.waiver;
      const why = waiver
        ? `${printable(waiver.reason)} (${[waiver.declaredAt, waiver.owner, waiver.expires && `expires ${waiver.expires}`].filter(Boolean).map((s) => printable(s!)).join(', ')})`
        : '';
      out.push(`  ${paint(finding.severity, finding.severity.padEnd(8))}  ${finding.checkId}  ${printable(formatRef(finding.resource))} ${printable(finding.path)}: ${why}`);
    }
    out.push('');
  }

  if (report.errors.length > 0) {
    out.push(`Errors (${report.errors.length})`);
    for (const error of report.errors) {
      out.push(`  ${printable(formatErrorSource(error))}: ${error.field ? `${printable(error.field)}: ` : ''}${printable(error.message)}`);
    }
    out.push('');
  }

  if (report.waivers.length > 0) {
    out.push(`Waivers needing attention (${report.waivers.length})`);
    for (const waiver of report.waivers) {
      out.push(`  ${printable(waiver.declaredAt)}  ${waiver.status}  ${printable(waiver.message)}`);
    }
    out.push('');
  }

  const { summary } = report;
  const bySeverity = SEVERITIES_DESCENDING.filter((s) => summary.bySeverity[s] > 0).map((s) => paint(s, `${s} ${summary.bySeverity[s]}`));
  const waiverCounts = (['expired', 'unused', 'invalid'] as const)
    .map((status) => [status, report.waivers.filter((w) => w.status === status).length] as const)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status}`);
  out.push(
    'Summary',
    `  objects scanned  ${summary.objects}`,
    `  findings         ${summary.findings}${bySeverity.length > 0 ? `  (${bySeverity.join(', ')})` : ''}`,
    `  waived           ${summary.waived}`,
    `  errors           ${summary.errors}`,
    `  waivers          ${waiverCounts.length > 0 ? waiverCounts.join(', ') : 'none expired or unused'}`,
  );
  return `${out.join('\n')}\n`;
}

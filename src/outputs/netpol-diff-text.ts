/**
 * `aspis netpol diff` for a terminal: connections the change opens (+) and closes (-), between workloads and with
 * addresses outside the cluster, then workloads only one side has.
 */
import { netpolColumns } from './netpol-columns.js';
import type { NetpolDiffReport } from './netpol-report.js';
import { printable } from './text.js';

export function renderNetpolDiffText(report: NetpolDiffReport): string {
  const out: string[] = [`NetworkPolicy connectivity: ${printable(report.old)} → ${printable(report.new)}`];
  if (report.opened.length + report.closed.length + report.external.length + report.addedWorkloads.length + report.removedWorkloads.length === 0) {
    out.push('  no connection is opened or closed');
    return `${out.join('\n')}\n`;
  }
  const rows: string[][] = [];
  for (const change of report.opened) rows.push(['+', change.from, change.to, change.ports]);
  for (const change of report.closed) rows.push(['-', change.from, change.to, change.ports]);
  if (rows.length > 0) {
    out.push('', 'Between workloads');
    out.push(...netpolColumns([[' ', 'FROM', 'TO', 'PORTS'], ...rows]));
  }
  if (report.external.length > 0) {
    const external: string[][] = [];
    for (const change of report.external) {
      const [from, to] = change.direction === 'ingress' ? ['outside the cluster', change.workload] : [change.workload, 'outside the cluster'];
      for (const e of change.opened) external.push(['+', from, to, e.addresses.join(', '), e.ports]);
      for (const e of change.closed) external.push(['-', from, to, e.addresses.join(', '), e.ports]);
    }
    out.push('', 'With addresses outside the cluster');
    out.push(...netpolColumns([[' ', 'FROM', 'TO', 'ADDRESSES', 'PORTS'], ...external]));
  }
  if (report.addedWorkloads.length > 0) out.push('', `Workloads only in ${printable(report.new)}: ${report.addedWorkloads.map(printable).join(', ')}`);
  if (report.removedWorkloads.length > 0) out.push('', `Workloads only in ${printable(report.old)}: ${report.removedWorkloads.map(printable).join(', ')}`);
  const s = report.summary;
  out.push('', `Summary: ${s.opened} opened, ${s.closed} closed between workloads; ${s.externalChanges} change(s) with outside addresses`);
  return `${out.join('\n')}\n`;
}

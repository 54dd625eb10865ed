/**
 * `aspis netpol reach` for a terminal: the workloads with their isolation, the allowed connections between them
 * (one line per source → destination, with ports), then traffic with addresses outside the cluster.
 */
import { netpolColumns } from './netpol-columns.js';
import type { NetpolReachReport } from './netpol-report.js';

function isolation(isolated: boolean, policies: string[]): string {
  return isolated ? `isolated (${policies.join(', ')})` : 'open';
}

export function renderNetpolReachTable(report: NetpolReachReport): string {
  const out: string[] = [];
  out.push(`Workloads (${report.workloads.length})`);
  out.push(
    ...netpolColumns([
      ['WORKLOAD', 'PODS', 'INGRESS', 'EGRESS'],
      ...report.workloads.map((w) => [
        w.hostNetwork ? `${w.id} (hostNetwork)` : w.id,
        w.pods === null ? '?' : String(w.pods),
        w.hostNetwork ? 'not subject to NetworkPolicy' : isolation(w.isolated.ingress, w.policies.ingress),
        w.hostNetwork ? 'not subject to NetworkPolicy' : isolation(w.isolated.egress, w.policies.egress),
      ]),
    ]),
  );
  out.push('', `Allowed connections between workloads (${report.edges.length} of ${report.summary.pairs} ordered pairs)`);
  if (report.edges.length === 0) out.push('  none');
  else out.push(...netpolColumns([['FROM', 'TO', 'PORTS'], ...report.edges.map((e) => [e.from, e.to, e.ports])]));
  out.push('', 'From outside the cluster');
  if (report.external.ingress.length === 0) out.push('  none');
  else out.push(...netpolColumns([['TO', 'FROM ADDRESSES', 'PORTS'], ...report.external.ingress.map((e) => [e.workload, e.addresses.join(', '), e.ports])]));
  out.push('', 'To outside the cluster');
  if (report.external.egress.length === 0) out.push('  none');
  else out.push(...netpolColumns([['FROM', 'TO ADDRESSES', 'PORTS'], ...report.external.egress.map((e) => [e.workload, e.addresses.join(', '), e.ports])]));
  const s = report.summary;
  out.push(
    '',
    'Summary',
    `  workloads ${s.workloads}, connected pairs ${s.edges} of ${s.pairs}, isolated for ingress ${s.isolatedForIngress}, for egress ${s.isolatedForEgress}`,
  );
  for (const note of report.notes) out.push(`  note: ${note}`);
  return `${out.join('\n')}\n`;
}

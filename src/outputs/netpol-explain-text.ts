/**
 * `aspis netpol explain` for a terminal: the answer first (allowed / denied / partly), then for each pair of pod
 * groups the two ends stand for, each direction: who decides (the source for egress, the destination for ingress),
 * whether a policy isolates it, and every rule of the isolating policies with whether its peer and its port match,
 * with file:line.
 */
import type { NetpolAdminRuleReport, NetpolDirectionReport, NetpolExplainReport } from './netpol-report.js';
import { printable } from './text.js';

function adminLine(rule: NetpolAdminRuleReport, note: string): string {
  const label = `${printable(rule.policy)}${rule.priority !== undefined ? ` (priority ${rule.priority})` : ''} ${rule.name ? `rule "${printable(rule.name)}"` : `rule ${rule.rule}`}`;
  return `      ${rule.action === 'Allow' ? '✓' : rule.action === 'Deny' ? '✗' : '→'} ${label} at ${printable(rule.location)}: ${rule.action}${note}`;
}

function direction(report: NetpolDirectionReport, out: string[]): void {
  const name = `${report.direction === 'egress' ? 'egress from' : 'ingress to'} ${printable(report.at)}`;
  const verdict = report.allowed ? 'allowed' : 'denied';
  if (report.admin && report.admin.action !== 'Pass') {
    out.push(`    ${name}: ${verdict} by an AdminNetworkPolicy, before any NetworkPolicy`);
    out.push(adminLine(report.admin, ''));
    return;
  }
  const passed = report.admin ? adminLine(report.admin, ': handed on to NetworkPolicy') : undefined;
  if (report.baseline) {
    out.push(`    ${name}: ${verdict} by the BaselineAdminNetworkPolicy (no NetworkPolicy isolates it)`);
    if (passed) out.push(passed);
    out.push(adminLine(report.baseline, ''));
    return;
  }
  if (!report.isolated) {
    const why =
      report.reason === 'outside-cluster'
        ? 'outside the cluster: no NetworkPolicy applies'
        : report.reason === 'host-network'
          ? 'a hostNetwork pod: NetworkPolicy does not apply to it'
          : `no NetworkPolicy selects it for ${report.direction === 'egress' ? 'Egress' : 'Ingress'}: not isolated`;
    out.push(`    ${name}: allowed (${why})`);
    if (passed) out.push(passed);
    return;
  }
  const policies = report.selectedBy.map((p) => `${printable(p.policy)} (${printable(p.location)})`).join(', ');
  out.push(`    ${name}: ${verdict}, isolated by ${policies}`);
  if (passed) out.push(passed);
  if (report.rules.length === 0) out.push('      the isolating policies have no rule for this direction: everything is denied');
  for (const rule of report.rules) {
    const result = rule.matches ? 'MATCHES' : rule.peer === null && rule.port === null ? 'peer and port do not match' : rule.peer === null ? 'peer does not match' : 'port does not match';
    out.push(`      ${rule.matches ? '✓' : '✗'} ${printable(rule.policy)} ${rule.direction}[${rule.rule}] at ${printable(rule.location)}: ${result}`);
    out.push(`          ${printable(rule.text)}`);
  }
}

export function renderNetpolExplainText(report: NetpolExplainReport): string {
  const answer = report.allowed === 'yes' ? 'allowed' : report.allowed === 'no' ? 'denied' : 'partly allowed';
  const out = [`${answer}: ${printable(report.from)} → ${printable(report.to)} port ${printable(report.port)}/${report.protocol}`];
  for (const c of report.cases) {
    const via = c.servicePort ? ` (Service ${printable(c.servicePort.service)} port ${c.servicePort.port} → targetPort ${printable(String(c.servicePort.targetPort))})` : '';
    const state = c.allowed === null ? 'cannot connect' : c.allowed ? 'allowed' : 'denied';
    out.push(`  ${printable(c.from)} → ${printable(c.to)} ${c.port === null ? '' : `${c.port}/${c.protocol}`}${via}: ${state}`);
    if (c.problem) out.push(`    ${printable(c.problem)}`);
    if (c.egress) direction(c.egress, out);
    if (c.ingress) direction(c.ingress, out);
  }
  return `${out.join('\n')}\n`;
}

/**
 * A flow replay as text: "N flows would break", the denied edges (most flows first) with the side that denies and the
 * policies isolating it, then what was not evaluated. Names and reasons come from the input: printed escaped.
 */
import { netpolColumns } from './netpol-columns.js';
import type { NetpolReplayReport } from './netpol-replay-report.js';
import { formatReplayEnd } from './netpol-replay-report.js';
import { printable } from './text.js';

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** Lines about what could not be evaluated: unattributed flows and records not used. */
export function renderReplayNotes(report: NetpolReplayReport): string[] {
  const lines: string[] = [];
  if (report.unattributed.length > 0) {
    lines.push('', `Not evaluated: ${plural(report.input.unattributed, 'flow')} could not be attributed to a workload:`);
    for (const u of report.unattributed) lines.push(printable(`  ${u.side} ${u.subject}: ${u.reason} (${plural(u.flows, 'flow')}, first at ${u.example.file}:${u.example.line})`));
  }
  if (report.skipped.length > 0) {
    lines.push('', 'Records not used:');
    for (const s of report.skipped) lines.push(printable(`  ${plural(s.records, 'record')}: ${s.reason} (first at ${s.example.file}:${s.example.line})`));
  }
  return lines;
}

export function renderNetpolReplayText(report: NetpolReplayReport): string {
  const { summary, input, policies } = report;
  const span = input.firstSeen ? ` seen ${input.firstSeen} … ${input.lastSeen}` : '';
  const against = `${plural(policies.proposed, 'proposed policy', 'proposed policies')}${policies.existing > 0 ? ` and ${plural(policies.existing, 'existing policy', 'existing policies')}` : ''}`;
  const lines = [
    `Replayed ${plural(input.attributed, 'flow')} (${plural(summary.allowedEdges + summary.deniedEdges, 'edge')})${span} against ${against}:`,
    `  ${plural(summary.allowedFlows, 'flow')} allowed (${plural(summary.allowedEdges, 'edge')})`,
    `  ${summary.deniedFlows} flow${summary.deniedFlows === 1 ? '' : 's'} would break (${plural(summary.deniedEdges, 'edge')})`,
  ];
  const denied = report.edges.filter((e) => e.verdict === 'denied').sort((a, b) => b.flows - a.flows);
  if (denied.length > 0) {
    const rows = [['SOURCE', 'DESTINATION', 'PORT', 'FLOWS', 'LAST SEEN', 'DENIED AT (POLICIES ISOLATING IT)']];
    for (const e of denied) {
      const at = `${(e.deniedAt ?? []).join(' and ')}${e.partly ? ' (some pods)' : ''} (${(e.isolatedBy ?? []).join(', ')})`;
      rows.push([formatReplayEnd(e.source), formatReplayEnd(e.destination), `${e.protocol}/${e.port}`, String(e.flows), e.lastSeen ?? '-', at]);
    }
    lines.push('', ...netpolColumns(rows, ''));
  }
  lines.push(...renderReplayNotes(report));
  return `${lines.join('\n')}\n`;
}

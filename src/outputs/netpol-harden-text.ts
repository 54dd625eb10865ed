/** The report of `aspis netpol harden` as text: per hardened workload, why, before and after, what closes; then the replay. */
import { netpolColumns } from './netpol-columns.js';
import type { NetpolHardenAccess, NetpolHardenExposure, NetpolHardenPeer, NetpolHardenReport } from './netpol-harden-report.js';
import { printable } from './text.js';

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

function peers(list: readonly NetpolHardenPeer[]): string {
  if (list.length === 0) return 'no workload';
  const shown = list.slice(0, 6).map((p) => `${p.workload} ${p.ports}`);
  return `${plural(list.length, 'workload')} (${shown.join('; ')}${list.length > 6 ? '; …' : ''})`;
}

function outside(list: readonly NetpolHardenAccess[]): string {
  return list.length === 0 ? 'nothing' : list.map((a) => `${a.addresses.join(', ')} ${a.ports}`).join('; ');
}

function exposureLines(label: string, exposures: readonly NetpolHardenExposure[]): string[] {
  return exposures.flatMap((e) => [
    `  ${label}${exposures.length > 1 ? ` (${e.group})` : ''}: in from ${peers(e.sources)}; from outside the cluster: ${outside(e.fromOutside)}`,
    `  ${' '.repeat(label.length)}  out to ${peers(e.destinations)}; to outside the cluster: ${outside(e.toOutside)}`,
  ]);
}

export function renderNetpolHardenText(report: NetpolHardenReport): string {
  const s = report.summary;
  const lines: string[] = [];
  const basis = report.basis === 'flows' ? 'the observed flows' : 'the current policies (no flows given)';
  lines.push(
    `${plural(s.workloadsHardened, 'workload')} to harden (vulnerabilities at or above ${report.severity} with no fix), from ${plural(s.reports, 'image report')}, on ${basis}: ` +
      `${plural(s.policiesWritten, 'policy', 'policies')} written, ${plural(s.policiesChanged, 'existing policy', 'existing policies')} changed; ` +
      `${plural(s.connectionsClosed, 'connection')} closed, ${s.connectionsOpened} opened.`,
  );
  for (const w of report.workloads) {
    lines.push('', printable(`${w.id}${w.policy ? ` → policy ${w.policy}` : ' (not hardened)'}`));
    for (const v of w.vulnerabilities) {
      lines.push(printable(`  ${v.severity.toUpperCase()} ${v.id}${v.score !== undefined ? ` (${v.score})` : ''} ${v.ecosystem} ${v.package} ${v.version}, no fix: image ${v.image}, container ${v.container}`));
    }
    for (const by of w.internetFacing) lines.push(printable(`  internet-facing: ${by}`));
    for (const e of w.excludedFrom) lines.push(printable(`  policy ${e.policy} changed to exclude it (${e.key} NotIn [${e.value}])`));
    lines.push(...exposureLines('before', w.before).map(printable), ...exposureLines('after', w.after).map(printable));
    const closedExternal = w.external.flatMap((e) => e.closed.map((a) => `${e.direction === 'ingress' ? 'from' : 'to'} outside ${a.addresses.join(', ')} ${a.ports}`));
    lines.push(`  closed: ${plural(w.closed.length, 'connection')} between workloads${closedExternal.length > 0 ? `; ${closedExternal.join('; ')}` : ''}`);
    const openedExternal = w.external.flatMap((e) => e.opened.map((a) => `${e.direction === 'ingress' ? 'from' : 'to'} outside ${a.addresses.join(', ')} ${a.ports}`));
    if (w.opened.length > 0 || openedExternal.length > 0) {
      lines.push(printable(`  opened: ${[...w.opened.map((o) => `${o.from} → ${o.to} ${o.ports}`), ...openedExternal].join('; ')}`));
    }
    for (const l of w.leftOut) lines.push(printable(`  not allowed: ${l.edge} (${plural(l.flows, 'flow')}): ${l.reason}`));
    for (const d of w.dropped) lines.push(printable(`  not carried over: ${d}`));
    for (const p of w.problems) lines.push(printable(`  problem: ${p}`));
  }
  if (report.otherChanges.length > 0) {
    lines.push('', 'Other workloads affected (a hardened policy or change also selects them):');
    for (const c of report.otherChanges) lines.push(printable(`  ${c.from} → ${c.to}: closed ${c.closed}, opened ${c.opened}`));
  }
  const unmatched = report.reports.filter((r) => r.matches.length === 0);
  if (unmatched.length > 0) {
    lines.push('', 'Reports for images no workload of the input runs:');
    for (const r of unmatched) lines.push(printable(`  ${r.source}: ${r.image}`));
  }
  const notes = report.reports.flatMap((r) => r.matches.filter((m) => m.note).map((m) => `${m.workload} container ${m.container} matched ${r.source} by reference: ${m.note}`));
  for (const note of notes) lines.push(printable(`Note: ${note}`));
  if (report.replay) {
    const r = report.replay;
    lines.push(
      '',
      `Replayed ${plural(r.flows, 'flow')} (${plural(r.edges, 'edge')}) against the current and the hardened policies: ${r.brokenFlows} would break` +
        `${r.alreadyDeniedFlows > 0 ? `, ${plural(r.alreadyDeniedFlows, 'flow')} denied already today` : ''}.`,
    );
    if (r.broken.length > 0) {
      const rows = [['SOURCE', 'DESTINATION', 'PORT', 'FLOWS', 'DENIED AT (POLICIES ISOLATING IT)']];
      for (const b of r.broken) rows.push([b.source, b.destination, `${b.protocol}/${b.port}`, String(b.flows), `${b.deniedAt.join(', ')} (${b.isolatedBy.join(', ')})`]);
      lines.push(...netpolColumns(rows).map(printable));
    }
  }
  return `${lines.join('\n')}\n`;
}

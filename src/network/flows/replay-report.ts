/**
 * The report of a replay (`aspis netpol replay -o json`, and the proof `generate` prints): what was read, what would
 * break grouped by edge, what could not be attributed or was skipped, and the input errors. `replayText` is the table
 * form: "N flows would break", then the denied edges.
 */
import type { FlowPosition } from '../../core/model/flow-record.js';
import type { InputError } from '../../core/model/report.js';
import type { ReplayResult } from './replay.js';
import type { EdgeEnd, FlowObservation } from './workload-edge.js';
import { formatEnd, formatTime } from './workload-edge.js';

export interface ReplayEdgeEntry {
  source: EdgeEnd;
  destination: EdgeEnd;
  protocol: string;
  port: number;
  flows: number;
  firstSeen?: string;
  lastSeen?: string;
  services?: string[];
  verdict: 'allowed' | 'denied';
  /** Denied for some pod shapes of the workloads only. */
  partly?: boolean;
  deniedAt?: string[];
  isolatedBy?: string[];
}

export interface ReplayReport {
  policies: { proposed: number; existing: number };
  input: {
    records: number;
    flows: number;
    attributed: number;
    unattributed: number;
    nonPod: number;
    addressRecords: number;
    firstSeen?: string;
    lastSeen?: string;
  };
  summary: { allowedFlows: number; deniedFlows: number; allowedEdges: number; deniedEdges: number };
  edges: ReplayEdgeEntry[];
  unattributed: { side: string; subject: string; reason: string; flows: number; firstSeen?: string; lastSeen?: string; example: FlowPosition }[];
  skipped: { reason: string; records: number; example: FlowPosition }[];
  errors: InputError[];
  errorCount: number;
}

function iso(time: number | undefined): string | undefined {
  return time === undefined ? undefined : formatTime(time);
}

function times(first: number | undefined, last: number | undefined): { firstSeen?: string; lastSeen?: string } {
  return { ...(first !== undefined ? { firstSeen: iso(first)! } : {}), ...(last !== undefined ? { lastSeen: iso(last)! } : {}) };
}

export function replayReport(observation: FlowObservation, replay: ReplayResult, policies: { proposed: number; existing: number }): ReplayReport {
  return {
    policies,
    input: {
      records: observation.records,
      flows: observation.flows,
      attributed: observation.attributedFlows,
      unattributed: observation.unattributedFlows,
      nonPod: observation.nonPodFlows,
      addressRecords: observation.addressRecords,
      ...times(observation.firstSeen, observation.lastSeen),
    },
    summary: { allowedFlows: replay.allowedFlows, deniedFlows: replay.deniedFlows, allowedEdges: replay.allowedEdges, deniedEdges: replay.deniedEdges },
    edges: replay.verdicts.map(({ edge, allowed, partly, deniedAt, isolatedBy }) => ({
      source: edge.from,
      destination: edge.to,
      protocol: edge.protocol,
      port: edge.port,
      flows: edge.count,
      ...times(edge.firstSeen, edge.lastSeen),
      ...(edge.services ? { services: edge.services } : {}),
      verdict: allowed ? 'allowed' : 'denied',
      ...(allowed ? {} : { partly, deniedAt, isolatedBy }),
    })),
    unattributed: observation.unattributed.map((u) => ({ side: u.side, subject: u.subject, reason: u.reason, flows: u.count, ...times(u.firstSeen, u.lastSeen), example: u.example })),
    skipped: observation.skipped.map((s) => ({ reason: s.reason, records: s.count, example: s.example })),
    errors: observation.errors,
    errorCount: observation.errorCount,
  };
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd());
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** Lines about what could not be evaluated: unattributed flows and skipped records. */
export function observationNotes(report: ReplayReport): string[] {
  const lines: string[] = [];
  if (report.unattributed.length > 0) {
    lines.push('', `Not evaluated: ${plural(report.input.unattributed, 'flow')} could not be attributed to a workload:`);
    for (const u of report.unattributed) lines.push(`  ${u.side} ${u.subject}: ${u.reason} (${plural(u.flows, 'flow')}, first at ${u.example.file}:${u.example.line})`);
  }
  if (report.skipped.length > 0) {
    lines.push('', 'Records not used:');
    for (const s of report.skipped) lines.push(`  ${plural(s.records, 'record')}: ${s.reason} (first at ${s.example.file}:${s.example.line})`);
  }
  return lines;
}

export function replayText(report: ReplayReport): string {
  const { summary, input } = report;
  const span = input.firstSeen ? ` seen ${input.firstSeen} … ${input.lastSeen}` : '';
  const lines = [
    `Replayed ${plural(input.attributed, 'flow')} (${plural(summary.allowedEdges + summary.deniedEdges, 'edge')})${span} against ${plural(report.policies.proposed, 'proposed policy', 'proposed policies')}${report.policies.existing > 0 ? ` and ${plural(report.policies.existing, 'existing policy', 'existing policies')}` : ''}:`,
    `  ${plural(summary.allowedFlows, 'flow')} allowed (${plural(summary.allowedEdges, 'edge')})`,
    `  ${summary.deniedFlows} flow${summary.deniedFlows === 1 ? '' : 's'} would break (${plural(summary.deniedEdges, 'edge')})`,
  ];
  const denied = report.edges.filter((e) => e.verdict === 'denied').sort((a, b) => b.flows - a.flows);
  if (denied.length > 0) {
    lines.push('');
    const rows = [['SOURCE', 'DESTINATION', 'PORT', 'FLOWS', 'LAST SEEN', 'DENIED AT (POLICIES ISOLATING IT)']];
    for (const e of denied) {
      const at = `${e.deniedAt!.join(' and ')}${e.partly ? ' (some pods)' : ''} (${e.isolatedBy!.join(', ')})`;
      rows.push([formatEnd(e.source), formatEnd(e.destination), `${e.protocol}/${e.port}`, String(e.flows), e.lastSeen ?? '-', at]);
    }
    lines.push(...table(rows));
  }
  lines.push(...observationNotes(report));
  return `${lines.join('\n')}\n`;
}

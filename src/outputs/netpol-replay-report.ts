/**
 * The report of a flow replay (`aspis netpol replay -o json`, and the proof `aspis netpol generate` prints): what was
 * read, the verdict of every workload edge, what could not be attributed or was not used, and the input errors.
 * Times are RFC 3339 in UTC. Built by src/cli/commands/netpol-flow-report.ts, written as text by
 * netpol-replay-text.ts.
 */
import type { InputError } from '../core/model/report.js';

/** One end of an edge: a workload (pods grouped by top-most owner) or an address outside the pod network. */
export type NetpolReplayEnd = { type: 'workload'; namespace: string; kind: string; name: string } | { type: 'external'; ip: string; what?: string };

/** Where a record was read. */
export interface NetpolReplayPosition {
  file: string;
  line: number;
}

export interface NetpolReplayEdge {
  source: NetpolReplayEnd;
  destination: NetpolReplayEnd;
  protocol: string;
  /** The port the destination receives on. */
  port: number;
  flows: number;
  firstSeen?: string;
  lastSeen?: string;
  /** Services the flows were addressed to, `namespace/name:port`. */
  services?: string[];
  verdict: 'allowed' | 'denied';
  /** Denied for some pod shapes of the workloads only. */
  partly?: boolean;
  /** `egress` (at the source) and/or `ingress` (at the destination). */
  deniedAt?: string[];
  /** The policies isolating the denying side(s), `namespace/name`. */
  isolatedBy?: string[];
}

export interface NetpolReplayReport {
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
  edges: NetpolReplayEdge[];
  unattributed: { side: string; subject: string; reason: string; flows: number; firstSeen?: string; lastSeen?: string; example: NetpolReplayPosition }[];
  skipped: { reason: string; records: number; example: NetpolReplayPosition }[];
  errors: InputError[];
  errorCount: number;
}

/** `Deployment/shop/cart`, `203.0.113.7`, `10.0.0.1 (node)`. */
export function formatReplayEnd(end: NetpolReplayEnd): string {
  if (end.type === 'workload') return `${end.kind}/${end.namespace}/${end.name}`;
  return end.what ? `${end.ip} (${end.what})` : end.ip;
}

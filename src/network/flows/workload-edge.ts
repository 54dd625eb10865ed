/**
 * Flows aggregated to workload edges: (source workload, destination workload, protocol, port) with how many flows,
 * first and last seen. What the observation of a million flows between a hundred workloads comes down to; memory
 * grows with distinct edges, not with flows.
 */
import type { Protocol } from '../../core/k8s/port-set.js';
import type { FlowPosition } from '../../core/model/flow-record.js';
import type { InputError } from '../../core/model/report.js';
import type { PodGroup } from '../pod-groups.js';

/** One end of an edge: a workload (pods grouped by top-most owner), or an address outside the pod network. */
export type EdgeEnd =
  | { type: 'workload'; namespace: string; kind: string; name: string }
  /**
   * `what`: how the address was known when it is not an outside host: `node` (a hostNetwork pod's address),
   * or a Hubble reserved identity (`host`, `remote-node`, `kube-apiserver`…); absent for an outside address.
   */
  | { type: 'external'; ip: string; what?: string };

export interface WorkloadEdge {
  from: EdgeEnd;
  to: EdgeEnd;
  protocol: Protocol;
  /** The port the destination receives on (a Service port translated to the backend's target port). */
  port: number;
  /** Flows (connections) seen. */
  count: number;
  /** Milliseconds since the epoch; absent when no flow of the edge had a time. */
  firstSeen?: number;
  lastSeen?: number;
  /** Services the flows were addressed to, as `namespace/name:port`, sorted. */
  services?: string[];
}

/** Flows whose source or destination could not be attributed: not evaluated, never silently dropped. */
export interface UnattributedFlows {
  side: 'source' | 'destination';
  /** What could not be attributed: an address, `pod ns/name`, `workload ns/Kind/name`, `Service ns/name:port/TCP`. */
  subject: string;
  reason: string;
  count: number;
  firstSeen?: number;
  lastSeen?: number;
  /** The first flow it happened to. */
  example: FlowPosition;
}

/** Records deliberately not used (replies, dropped flows, UPDATE events…), counted by reason. */
export interface SkippedRecords {
  reason: string;
  count: number;
  example: FlowPosition;
}

/** A workload flows were attributed to. */
export interface FlowWorkload {
  /** `namespace/Kind/name`. */
  id: string;
  namespace: string;
  kind: string;
  name: string;
  /** Its pod groups in the inventory; empty when the inventory does not have it (known only from the flows). */
  groups: PodGroup[];
  /** Pod labels the flows gave, for a workload the inventory does not have. */
  observedLabels?: Readonly<Record<string, string>>;
}

export interface FlowObservation {
  edges: WorkloadEdge[];
  unattributed: UnattributedFlows[];
  skipped: SkippedRecords[];
  /** The first errors (bad lines, bad address records), at most `maxErrors`; `errorCount` has them all. */
  errors: InputError[];
  errorCount: number;
  /** Flow records read and the flows they stand for (records may carry a count). */
  records: number;
  flows: number;
  /** Flows attributed at both ends (the edges' counts add up to at least this: a Service with several backends counts once per backend). */
  attributedFlows: number;
  unattributedFlows: number;
  /** Flows with no pod at either end (node or outside traffic), counted among the skipped records too. */
  nonPodFlows: number;
  addressRecords: number;
  firstSeen?: number;
  lastSeen?: number;
  /** Every workload an edge names, by id. */
  workloads: ReadonlyMap<string, FlowWorkload>;
}

export function workloadId(namespace: string, kind: string, name: string): string {
  return `${namespace}/${kind}/${name}`;
}

export function endKey(end: EdgeEnd): string {
  return end.type === 'workload' ? workloadId(end.namespace, end.kind, end.name) : end.ip;
}

/** The identity of an edge: both ends, protocol and port. */
export function edgeKey(edge: Pick<WorkloadEdge, 'from' | 'to' | 'protocol' | 'port'>): string {
  return `${endKey(edge.from)}|${endKey(edge.to)}|${edge.protocol}|${edge.port}`;
}

/** `Deployment/shop/cart`, `203.0.113.7`, `10.0.0.1 (node)`. */
export function formatEnd(end: EdgeEnd): string {
  if (end.type === 'workload') return `${end.kind}/${end.namespace}/${end.name}`;
  return end.what ? `${end.ip} (${end.what})` : end.ip;
}

/** RFC 3339 in UTC, without milliseconds when they are zero (times of edges in reports and comments). */
export function formatTime(time: number): string {
  return new Date(time).toISOString().replace('.000Z', 'Z');
}

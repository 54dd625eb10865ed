/**
 * Aggregates a stream of flow records into workload edges (see workload-edge.ts). Shaped as the sink a flow source
 * writes to: flows, address records, skipped records and errors arrive one at a time, in file order; nothing is kept
 * per flow, so memory grows with distinct edges, unattributed subjects and skip reasons, not with flows. Errors are
 * counted in full but only the first `maxErrors` are kept.
 */
import type { AddressRecord, FlowPosition, FlowRecord } from '../../core/model/flow-record.js';
import type { InputError } from '../../core/model/report.js';
import type { Protocol } from '../../core/k8s/port-set.js';
import type { AttributedEnd, Attribution, FlowAttributor } from './flow-attribution.js';
import type { FlowObservation, SkippedRecords, UnattributedFlows, WorkloadEdge } from './workload-edge.js';
import { endKey } from './workload-edge.js';
import { compareText } from '../../core/model/text-order.js';

export interface FlowAggregatorOptions {
  /** Errors kept (default 200); the count is always complete. */
  maxErrors?: number;
  /**
   * Called for every flow record after attribution with the edges it counts for: several for a Service with several
   * backend workloads, none for traffic with no pod at either end, undefined when an end is unattributed.
   */
  onFlow?: (at: FlowPosition, record: FlowRecord, edges: readonly WorkloadEdge[] | undefined) => void;
}

function widen(target: { firstSeen?: number; lastSeen?: number }, time: number | undefined): void {
  if (time === undefined) return;
  if (target.firstSeen === undefined || time < target.firstSeen) target.firstSeen = time;
  if (target.lastSeen === undefined || time > target.lastSeen) target.lastSeen = time;
}

export class FlowAggregator {
  private readonly edges = new Map<string, WorkloadEdge>();
  private readonly byEnds = new Map<AttributedEnd, Map<AttributedEnd, (WorkloadEdge | undefined)[]>>();
  private readonly unattributed = new Map<string, UnattributedFlows>();
  private readonly skipped = new Map<string, SkippedRecords>();
  private readonly errors: InputError[] = [];
  private errorCount = 0;
  private records = 0;
  private flows = 0;
  private attributedFlows = 0;
  private unattributedFlows = 0;
  private nonPodFlows = 0;
  private addressRecords = 0;
  private readonly span: { firstSeen?: number; lastSeen?: number } = {};
  private readonly maxErrors: number;
  private readonly onFlow: FlowAggregatorOptions['onFlow'];

  constructor(
    private readonly attributor: FlowAttributor,
    options: FlowAggregatorOptions = {},
  ) {
    this.maxErrors = options.maxErrors ?? 200;
    this.onFlow = options.onFlow;
  }

  flow(record: FlowRecord, at: FlowPosition): void {
    this.records++;
    this.flows += record.count;
    widen(this.span, record.time);
    const source = this.attributor.attributeSource(record.source, record.time);
    const destination = this.attributor.attributeDestination(record.destination, record.time, record.port, record.protocol);
    // Both sides are noted, so an unattributed source and destination both show in their buckets.
    const sourceMissing = this.noteUnattributed('source', source, record, at);
    const destinationMissing = this.noteUnattributed('destination', destination, record, at);
    if (!('ends' in source) || !('ends' in destination) || sourceMissing || destinationMissing) {
      this.unattributedFlows += record.count;
      this.onFlow?.(at, record, undefined);
      return;
    }
    if (source.ends.every((e) => e.end.type === 'external') && destination.ends.every((e) => e.end.type === 'external')) {
      // Node-to-node or node-to-outside traffic (conntrack on a node sees it too): no NetworkPolicy governs it.
      this.skip('neither end is a pod (node or outside traffic, which NetworkPolicy does not govern)', at);
      this.nonPodFlows += record.count;
      this.onFlow?.(at, record, []);
      return;
    }
    this.attributedFlows += record.count;
    const touched: WorkloadEdge[] | undefined = this.onFlow ? [] : undefined;
    for (const from of source.ends) {
      for (const to of destination.ends) {
        const edge = this.edgeOf(from, to, record.protocol);
        edge.count += record.count;
        widen(edge, record.time);
        if (to.service && !edge.services?.includes(to.service)) (edge.services ??= []).push(to.service);
        touched?.push(edge);
      }
    }
    if (touched) this.onFlow!(at, record, touched);
  }

  /** The edge of two attributed ends (shared objects: found by identity, the key text built once per edge). */
  private edgeOf(from: AttributedEnd, to: AttributedEnd, protocol: Protocol): WorkloadEdge {
    let row = this.byEnds.get(from);
    if (!row) this.byEnds.set(from, (row = new Map()));
    let cell = row.get(to);
    if (!cell) row.set(to, (cell = []));
    const index = protocol === 'TCP' ? 0 : protocol === 'UDP' ? 1 : 2;
    let edge = cell[index];
    if (!edge) {
      // Same text as edgeKey(edge).
      const key = `${from.key}|${to.key}|${protocol}|${to.port}`;
      edge = this.edges.get(key);
      if (!edge) this.edges.set(key, (edge = { from: from.end, to: to.end, protocol, port: to.port, count: 0 }));
      cell[index] = edge;
    }
    return edge;
  }

  /** Whether the side is unattributed (then counted in its bucket). */
  private noteUnattributed(side: 'source' | 'destination', attribution: Attribution, record: FlowRecord, at: FlowPosition): boolean {
    if ('ends' in attribution) return false;
    const { subject, reason } = attribution.unattributed;
    const key = `${side}\u0000${subject}\u0000${reason}`;
    let bucket = this.unattributed.get(key);
    if (!bucket) this.unattributed.set(key, (bucket = { side, subject, reason, count: 0, example: at }));
    bucket.count += record.count;
    widen(bucket, record.time);
    return true;
  }

  address(record: AddressRecord, at: FlowPosition): void {
    this.addressRecords++;
    const problem = this.attributor.addAddress(record);
    if (problem) this.error({ source: at.file, line: at.line, message: `address record for ${record.ip}: ${problem}` });
  }

  skip(reason: string, at: FlowPosition): void {
    const entry = this.skipped.get(reason);
    if (entry) entry.count++;
    else this.skipped.set(reason, { reason, count: 1, example: at });
  }

  error(error: InputError): void {
    this.errorCount++;
    if (this.errors.length < this.maxErrors) this.errors.push(error);
  }

  result(): FlowObservation {
    const edges = [...this.edges.values()];
    for (const edge of edges) edge.services?.sort(compareText);
    edges.sort((a, b) => compareText(endKey(a.from), endKey(b.from)) || compareText(endKey(a.to), endKey(b.to)) || compareText(a.protocol, b.protocol) || a.port - b.port);
    const unattributed = [...this.unattributed.values()].sort((a, b) => b.count - a.count || compareText(a.subject, b.subject));
    const skipped = [...this.skipped.values()].sort((a, b) => b.count - a.count || compareText(a.reason, b.reason));
    const named = new Set(edges.flatMap((e) => [endKey(e.from), endKey(e.to)]));
    const workloads = new Map([...this.attributor.workloads].filter(([id]) => named.has(id)));
    return {
      edges,
      unattributed,
      skipped,
      errors: this.errors,
      errorCount: this.errorCount,
      records: this.records,
      flows: this.flows,
      attributedFlows: this.attributedFlows,
      unattributedFlows: this.unattributedFlows,
      nonPodFlows: this.nonPodFlows,
      addressRecords: this.addressRecords,
      ...this.span,
      workloads,
    };
  }
}

/**
 * The connectivity matrix between workloads (pod groups), plus each group's traffic with the outside of the cluster:
 * what `aspis netpol reach` prints and `aspis netpol diff` compares. Only allowed connections are kept (a sparse
 * matrix: rows of destination indexes and port sets), so memory grows with allowed edges.
 */
import { IpSet } from '../core/k8s/ip-set.js';
import { PortSet } from '../core/k8s/port-set.js';
import type { NetworkModel } from './network-model.js';
import type { PodGroup } from './pod-groups.js';
import type { ExternalAccess } from './reachability.js';
import { Reachability } from './reachability.js';

export interface ReachEdge {
  from: number;
  to: number;
  ports: PortSet;
}

export interface ReachMatrix {
  groups: readonly PodGroup[];
  /** Per source group: the destination groups it may reach (ascending) and on which ports. */
  rows: { to: number[]; ports: PortSet[] }[];
  /** Per group: external addresses that may open connections to it. */
  fromExternal: (readonly ExternalAccess[])[];
  /** Per group: external addresses it may open connections to. */
  toExternal: (readonly ExternalAccess[])[];
  /** Per group: whether a policy isolates it for ingress / egress. */
  isolated: { ingress: boolean; egress: boolean }[];
}

export function reachMatrix(model: NetworkModel, engine: Reachability = new Reachability(model)): ReachMatrix {
  const count = engine.groups.length;
  const rows: ReachMatrix['rows'] = Array.from({ length: count }, () => ({ to: [], ports: [] }));
  // Destination by destination (ascending, so each row comes out sorted): see Reachability.allowedSources.
  for (let destination = 0; destination < count; destination++) {
    for (const { from, ports } of engine.allowedSources(destination)) {
      rows[from]!.to.push(destination);
      rows[from]!.ports.push(ports);
    }
  }
  const fromExternal: (readonly ExternalAccess[])[] = [];
  const toExternal: (readonly ExternalAccess[])[] = [];
  const isolated: ReachMatrix['isolated'] = [];
  for (let group = 0; group < count; group++) {
    fromExternal.push(engine.fromExternal(group));
    toExternal.push(engine.toExternal(group));
    isolated.push({ ingress: engine.isIsolated(group, 'ingress'), egress: engine.isIsolated(group, 'egress') });
  }
  return { groups: engine.groups, rows, fromExternal, toExternal, isolated };
}

/** Every allowed edge, row by row. */
export function* matrixEdges(matrix: ReachMatrix): Generator<ReachEdge> {
  for (let from = 0; from < matrix.rows.length; from++) {
    const row = matrix.rows[from]!;
    for (let k = 0; k < row.to.length; k++) yield { from, to: row.to[k]!, ports: row.ports[k]! };
  }
}

/** The ports allowed from `from` to `to` in a matrix (NONE when there is no edge). */
export function matrixPorts(matrix: ReachMatrix, from: number, to: number): PortSet {
  const row = matrix.rows[from];
  if (!row) return PortSet.NONE;
  // Rows are sorted by destination: binary search.
  let lo = 0;
  let hi = row.to.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const value = row.to[mid]!;
    if (value === to) return row.ports[mid]!;
    if (value < to) lo = mid + 1;
    else hi = mid - 1;
  }
  return PortSet.NONE;
}

/** Whether external access allows every address (of both families) on some port: "reachable from everywhere". */
export function portsFromEverywhere(access: readonly ExternalAccess[]): PortSet {
  // Canonical entries have disjoint addresses; ports open to every address are those every entry shares, when the
  // entries together cover every address.
  const covered = access.reduce((set, entry) => set.union(entry.addresses), IpSet.EMPTY);
  if (!covered.isAll()) return PortSet.NONE;
  return access.reduce((ports, entry) => ports.intersect(entry.ports), PortSet.ALL);
}

/**
 * `aspis netpol diff OLD NEW`: which connections a change opens or closes, compared on the connectivity matrices (so
 * reordering, renaming or splitting policies changes nothing, and a one-line selector change shows every connection it
 * affects). Pod groups are matched by id (`namespace/Kind/name`); connections of a group only one side has count as
 * opened (added group) or closed (removed group).
 */
import { IpSet } from '../core/k8s/ip-set.js';
import { PortSet } from '../core/k8s/port-set.js';
import type { ReachMatrix } from './reach-matrix.js';
import type { ExternalAccess } from './reachability.js';
import { canonicalExternal } from './reachability.js';

export interface EdgeChange {
  from: string;
  to: string;
  opened: PortSet;
  closed: PortSet;
}

export interface ExternalChange {
  group: string;
  /** `ingress`: from external addresses to the group; `egress`: from the group to external addresses. */
  direction: 'ingress' | 'egress';
  opened: ExternalAccess[];
  closed: ExternalAccess[];
}

export interface ReachDiff {
  edges: EdgeChange[];
  external: ExternalChange[];
  addedGroups: string[];
  removedGroups: string[];
}

function portsAt(access: readonly ExternalAccess[], atom: IpSet): PortSet {
  let ports = PortSet.NONE;
  for (const entry of access) if (entry.addresses.covers(atom)) ports = ports.union(entry.ports);
  return ports;
}

/** The difference of two canonical external accesses: what `next` allows and `old` does not, and the reverse. */
export function diffExternal(old: readonly ExternalAccess[], next: readonly ExternalAccess[]): { opened: ExternalAccess[]; closed: ExternalAccess[] } {
  const opened: ExternalAccess[] = [];
  const closed: ExternalAccess[] = [];
  for (const atom of IpSet.atoms([...old, ...next].map((e) => e.addresses))) {
    const before = portsAt(old, atom);
    const after = portsAt(next, atom);
    opened.push({ addresses: atom, ports: after.subtract(before) });
    closed.push({ addresses: atom, ports: before.subtract(after) });
  }
  return { opened: canonicalExternal(opened), closed: canonicalExternal(closed) };
}

/** A row's edges as (destination id, ports), ascending by id. */
function rowOf(matrix: ReachMatrix, index: number | undefined): { id: string; ports: PortSet }[] {
  if (index === undefined) return [];
  const row = matrix.rows[index]!;
  return row.to.map((to, k) => ({ id: matrix.groups[to]!.id, ports: row.ports[k]! })).sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

export function diffReach(old: ReachMatrix, next: ReachMatrix): ReachDiff {
  const oldIndex = new Map(old.groups.map((g, i) => [g.id, i]));
  const nextIndex = new Map(next.groups.map((g, i) => [g.id, i]));
  const ids = [...new Set([...oldIndex.keys(), ...nextIndex.keys()])].sort();
  const edges: EdgeChange[] = [];
  const external: ExternalChange[] = [];
  for (const from of ids) {
    const a = oldIndex.get(from);
    const b = nextIndex.get(from);
    // Merge the two sorted rows: cost follows the allowed edges, not groups².
    const before = rowOf(old, a);
    const after = rowOf(next, b);
    let i = 0;
    let j = 0;
    while (i < before.length || j < after.length) {
      const left = before[i];
      const right = after[j];
      const to = left && (!right || left.id <= right.id) ? left.id : right!.id;
      const was = left?.id === to ? (i++, left.ports) : PortSet.NONE;
      const now = right?.id === to ? (j++, right.ports) : PortSet.NONE;
      if (!was.equals(now)) edges.push({ from, to, opened: now.subtract(was), closed: was.subtract(now) });
    }
    for (const direction of ['ingress', 'egress'] as const) {
      const list = direction === 'ingress' ? 'fromExternal' : 'toExternal';
      const change = diffExternal(a === undefined ? [] : old[list][a]!, b === undefined ? [] : next[list][b]!);
      if (change.opened.length > 0 || change.closed.length > 0) external.push({ group: from, direction, ...change });
    }
  }
  return {
    edges,
    external,
    addedGroups: ids.filter((id) => !oldIndex.has(id)),
    removedGroups: ids.filter((id) => !nextIndex.has(id)),
  };
}

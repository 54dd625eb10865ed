/**
 * Replay: the verdict of a set of NetworkPolicies on every observed flow. A flow's verdict depends only on its edge
 * (source and destination workload, protocol, port), so each edge is evaluated once with the per-connection
 * semantics of src/core/k8s/network-verdict.ts and its verdict holds for all of its flows. A workload with pods of
 * several shapes (a rollout in progress) is evaluated for every pair of shapes; the edge is allowed only when all
 * pairs are. Pod groups are exact for the policies of the model they come from; replaying other policies (generate's
 * own, harden's), give them as `policies`: the pods of a group their ipBlocks tell apart are then evaluated apart.
 */
import { parseIpAddress } from '../../core/k8s/ip-set.js';
import type { Direction, NetworkPolicy } from '../../core/k8s/network-policy.js';
import { formatPolicyRef } from '../../core/k8s/network-policy.js';
import type { Endpoint, PolicyLookup } from '../../core/k8s/network-verdict.js';
import { evaluateConnection } from '../../core/k8s/network-verdict.js';
import type { EdgeEnd, FlowWorkload, WorkloadEdge } from './workload-edge.js';
import { endKey } from './workload-edge.js';
import type { PodGroup } from '../pod-groups.js';
import { AddressClasses } from '../address-classes.js';
import { podAddressesOf } from '../pod-addresses.js';

/** A group's pods split by the address classes of the replayed policies (the group itself when one class). */
class ReplaySplit {
  private readonly parts = new Map<PodGroup, PodGroup[]>();

  constructor(private readonly classes: AddressClasses) {}

  of(group: PodGroup): PodGroup[] {
    if (!this.classes.separates || !group.addresses || group.objects.length < 2) return [group];
    let parts = this.parts.get(group);
    if (parts) return parts;
    const byClass = new Map<string, PodGroup>();
    for (const pod of group.objects) {
      const addresses = podAddressesOf(pod);
      const key = this.classes.classOf(addresses);
      const part = byClass.get(key);
      if (!part) {
        const { addresses: _all, ...rest } = group;
        byClass.set(key, { ...rest, ...(addresses.length > 0 ? { addresses } : {}), objects: [pod] });
      } else {
        part.objects.push(pod);
        if (addresses.length > 0) part.addresses = [...(part.addresses ?? []), ...addresses];
      }
    }
    parts = [...byClass.values()];
    this.parts.set(group, parts);
    return parts;
  }
}

export interface ReplayOptions {
  /** The policies `lookup` holds, when they are not those the pod groups were built for. */
  policies?: readonly NetworkPolicy[];
}

const splits = new WeakMap<readonly NetworkPolicy[], ReplaySplit>();

function splitFor(options: ReplayOptions): ReplaySplit | undefined {
  if (!options.policies) return undefined;
  let split = splits.get(options.policies);
  if (!split) splits.set(options.policies, (split = new ReplaySplit(AddressClasses.of(options.policies, []))));
  return split;
}

export interface EdgeVerdict {
  edge: WorkloadEdge;
  allowed: boolean;
  /** Some pod-shape pairs of the two workloads are allowed and some not. */
  partly: boolean;
  /** Where a denied edge is stopped: egress at the source, ingress at the destination (or both). */
  deniedAt: Direction[];
  /** The policies isolating the side(s) that deny, `namespace/name`, sorted. */
  isolatedBy: string[];
}

export interface ReplayResult {
  verdicts: EdgeVerdict[];
  allowedEdges: number;
  deniedEdges: number;
  /** Flows of allowed and denied edges (a flow to a Service with several backend workloads counts once per backend). */
  allowedFlows: number;
  deniedFlows: number;
}

function endpointsOf(end: EdgeEnd, workloads: ReadonlyMap<string, FlowWorkload>, split: ReplaySplit | undefined): Endpoint[] {
  if (end.type === 'external') {
    const address = parseIpAddress(end.ip);
    return [{ kind: 'external', ...(address ? { address } : {}) }];
  }
  const workload = workloads.get(endKey(end));
  if (!workload) throw new Error(`replay: workload ${endKey(end)} of an edge is unknown`);
  if (workload.groups.length > 0) return (split ? workload.groups.flatMap((group) => split.of(group)) : workload.groups).map((pod) => ({ kind: 'pod', pod }));
  return [{ kind: 'pod', pod: { namespace: workload.namespace, labels: workload.observedLabels ?? {}, ports: [], hostNetwork: false } }];
}

export function replayEdge(edge: WorkloadEdge, workloads: ReadonlyMap<string, FlowWorkload>, lookup: PolicyLookup, options: ReplayOptions = {}): EdgeVerdict {
  const split = splitFor(options);
  let allowedPairs = 0;
  let pairs = 0;
  const deniedAt = new Set<Direction>();
  const isolatedBy = new Set<string>();
  for (const from of endpointsOf(edge.from, workloads, split)) {
    for (const to of endpointsOf(edge.to, workloads, split)) {
      pairs++;
      const verdict = evaluateConnection(lookup, { from, to, port: edge.port, protocol: edge.protocol });
      if (verdict.allowed) {
        allowedPairs++;
        continue;
      }
      for (const side of [verdict.egress, verdict.ingress]) {
        if (side.allowed || !side.isolated) continue;
        deniedAt.add(side.direction);
        for (const policy of side.selectedBy) isolatedBy.add(formatPolicyRef(policy));
      }
    }
  }
  const allowed = allowedPairs === pairs;
  return {
    edge,
    allowed,
    partly: !allowed && allowedPairs > 0,
    deniedAt: (['egress', 'ingress'] as const).filter((d) => deniedAt.has(d)),
    isolatedBy: [...isolatedBy].sort(),
  };
}

export function replayEdges(edges: readonly WorkloadEdge[], workloads: ReadonlyMap<string, FlowWorkload>, lookup: PolicyLookup, options: ReplayOptions = {}): ReplayResult {
  const result: ReplayResult = { verdicts: [], allowedEdges: 0, deniedEdges: 0, allowedFlows: 0, deniedFlows: 0 };
  for (const edge of edges) {
    const verdict = replayEdge(edge, workloads, lookup, options);
    result.verdicts.push(verdict);
    if (verdict.allowed) {
      result.allowedEdges++;
      result.allowedFlows += edge.count;
    } else {
      result.deniedEdges++;
      result.deniedFlows += edge.count;
    }
  }
  return result;
}

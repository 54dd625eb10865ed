/**
 * Replay: the verdict of a set of NetworkPolicies on every observed flow. A flow's verdict depends only on its edge
 * (source and destination workload, protocol, port), so each edge is evaluated once with the per-connection
 * semantics of src/core/k8s/network-verdict.ts and its verdict holds for all of its flows. A workload with pods of
 * several shapes (a rollout in progress) is evaluated for every pair of shapes; the edge is allowed only when all
 * pairs are.
 */
import { parseIpAddress } from '../../core/k8s/ip-set.js';
import type { Direction } from '../../core/k8s/network-policy.js';
import { formatPolicyRef } from '../../core/k8s/network-policy.js';
import type { Endpoint, PolicyLookup } from '../../core/k8s/network-verdict.js';
import { evaluateConnection } from '../../core/k8s/network-verdict.js';
import type { EdgeEnd, FlowWorkload, WorkloadEdge } from './workload-edge.js';
import { endKey } from './workload-edge.js';

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

function endpointsOf(end: EdgeEnd, workloads: ReadonlyMap<string, FlowWorkload>): Endpoint[] {
  if (end.type === 'external') {
    const address = parseIpAddress(end.ip);
    return [{ kind: 'external', ...(address ? { address } : {}) }];
  }
  const workload = workloads.get(endKey(end));
  if (!workload) throw new Error(`replay: workload ${endKey(end)} of an edge is unknown`);
  if (workload.groups.length > 0) return workload.groups.map((pod) => ({ kind: 'pod', pod }));
  return [{ kind: 'pod', pod: { namespace: workload.namespace, labels: workload.observedLabels ?? {}, ports: [], hostNetwork: false } }];
}

export function replayEdge(edge: WorkloadEdge, workloads: ReadonlyMap<string, FlowWorkload>, lookup: PolicyLookup): EdgeVerdict {
  let allowedPairs = 0;
  let pairs = 0;
  const deniedAt = new Set<Direction>();
  const isolatedBy = new Set<string>();
  for (const from of endpointsOf(edge.from, workloads)) {
    for (const to of endpointsOf(edge.to, workloads)) {
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

export function replayEdges(edges: readonly WorkloadEdge[], workloads: ReadonlyMap<string, FlowWorkload>, lookup: PolicyLookup): ReplayResult {
  const result: ReplayResult = { verdicts: [], allowedEdges: 0, deniedEdges: 0, allowedFlows: 0, deniedFlows: 0 };
  for (const edge of edges) {
    const verdict = replayEdge(edge, workloads, lookup);
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

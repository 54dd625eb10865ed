/**
 * The AdminNetworkPolicy and BaselineAdminNetworkPolicy tiers of the verdict on one connection (see
 * admin-network-policy.ts for the order): which admin rule matches first at one end of a connection.
 */
import type { AdminPeer, AdminPodSet, AdminPolicy, AdminPort, AdminRule } from './admin-network-policy.js';
import type { Direction } from './network-policy.js';
import type { Connection, Endpoint, PolicyLookup } from './network-verdict.js';
import { blockHolds } from './network-verdict.js';
import type { PodNetwork } from './pod-network.js';
import type { Protocol } from './port-set.js';

/** The first admin rule that matched a connection at one end. */
export interface AdminRuleMatch {
  policy: AdminPolicy;
  rule: AdminRule;
  /** Index of the matching peer in the rule's from/to. */
  peer: number;
  /** Index of the matching port, or `all` for a rule without ports. */
  port: number | 'all';
}

/** Whether a pod set (a subject, or a pods/namespaces peer) holds a pod; hostNetwork pods never are. */
export function podSetHolds(lookup: PolicyLookup, set: AdminPodSet, pod: PodNetwork): boolean {
  return !pod.hostNetwork && set.matchesNamespaceLabels(lookup.namespaceLabels(pod.namespace)) && set.matchesPodLabels(pod.labels);
}

export function adminPeerMatches(lookup: PolicyLookup, peer: AdminPeer, endpoint: Endpoint): boolean {
  if (peer.kind === 'nodes') return false;
  if (peer.kind === 'networks') return blockHolds(peer.addresses, endpoint.kind === 'external' ? (endpoint.address ? [endpoint.address] : undefined) : endpoint.pod.addresses);
  return endpoint.kind === 'pod' && podSetHolds(lookup, peer, endpoint.pod);
}

/** Whether an admin port entry admits `port`/`protocol` at `destination` (a named port resolves on a destination pod). */
export function adminPortMatches(entry: AdminPort, port: number, protocol: Protocol, destination: Endpoint): boolean {
  if (entry.kind === 'number') return entry.protocol === protocol && entry.port === port;
  if (entry.kind === 'range') return entry.protocol === protocol && port >= entry.start && port <= entry.end;
  return destination.kind === 'pod' && destination.pod.ports.some((p) => p.name === entry.name && p.protocol === protocol && p.port === port);
}

/** The first rule of `policies` (in order) applying to the end of `connection` for `direction` that matches it. */
export function firstAdminMatch(lookup: PolicyLookup, policies: readonly AdminPolicy[], connection: Connection, direction: Direction): AdminRuleMatch | undefined {
  const end = direction === 'egress' ? connection.from : connection.to;
  const other = direction === 'egress' ? connection.to : connection.from;
  if (end.kind !== 'pod') return undefined;
  for (const policy of policies) {
    if (!podSetHolds(lookup, policy.subject, end.pod)) continue;
    for (const rule of policy[direction]) {
      const peer = rule.peers.find((p) => adminPeerMatches(lookup, p, other));
      if (!peer) continue;
      const port = rule.ports === undefined ? 'all' : rule.ports.find((p) => adminPortMatches(p, connection.port, connection.protocol, connection.to))?.index;
      if (port === undefined) continue;
      return { policy, rule, peer: peer.index, port };
    }
  }
  return undefined;
}

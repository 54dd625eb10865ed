/**
 * The verdict of NetworkPolicy on one connection (source, destination, port, protocol), with every policy and rule
 * that took part, so that a user can see exactly why (`aspis netpol explain`) and checks can ask one question.
 *
 * A connection is allowed when both ends allow it:
 * - egress, at the source: if no policy of the source's namespace selects the source pod with Egress isolation, the
 *   source is not isolated for egress and may send anything; otherwise some egress rule of one of those policies
 *   must match (peer and port). Policies are additive: rules are ORed across all selecting policies.
 * - ingress, at the destination: the same with Ingress isolation and ingress rules.
 * Outside the cluster, and on pods with `hostNetwork: true`, no NetworkPolicy applies. Such pods are not matched by
 * pod/namespace selectors either: their traffic is the node's traffic. Kubernetes leaves hostNetwork behaviour to the
 * network plugin; this is the "most common implementation" the API documentation describes.
 *
 * An ipBlock peer matches by address, pods included: the upstream e2e suite (test/e2e/network/netpol, "should allow
 * egress access to server in CIDR block", "should enforce except clause while egress access to server in CIDR block")
 * expects a pod's IP inside an ipBlock to be matched by it. When the address of an end is unknown (pods read from
 * templates, a hostNetwork pod's node), only a block holding every address of a family (0.0.0.0/0 or ::/0 without
 * except) is sure to hold it, so only such a block matches; `explain` says when an address was unknown.
 *
 * A port rule matches when its protocol equals the connection's and the port is in it: a number (or `port`–`endPort`
 * range), a name resolved on the destination pod's container ports (never matching a destination outside the pod
 * network), or no port at all (every port of the protocol).
 */
import type { AdminPolicy } from './admin-network-policy.js';
import type { AdminRuleMatch } from './admin-network-policy-verdict.js';
import { firstAdminMatch } from './admin-network-policy-verdict.js';
import type { IpAddress } from './ip-set.js';
import { IpSet } from './ip-set.js';
import type { Direction, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicyRule } from './network-policy.js';
import type { PodNetwork } from './pod-network.js';
import { resolveNamedPort } from './pod-network.js';
import type { Protocol } from './port-set.js';

/**
 * One end of a connection: a pod (its network identity, with its addresses when known), or an address outside the pod
 * network. An `external` endpoint without an address is "some host whose address we do not know": only an ipBlock
 * covering a whole address family (0.0.0.0/0 or ::/0) matches it.
 */
export type Endpoint = { kind: 'pod'; pod: PodNetwork } | { kind: 'external'; address?: IpAddress };

/** Whether an ipBlock's addresses hold an end's address; an unknown address is held only by a whole family. */
export function blockHolds(addresses: IpSet, known: readonly IpAddress[] | undefined): boolean {
  if (known && known.length > 0) return known.some((address) => addresses.has(address));
  return coversAddressFamily(addresses);
}

export interface Connection {
  from: Endpoint;
  to: Endpoint;
  port: number;
  protocol: Protocol;
}

/** Where the policies and namespace labels come from (an index, or a plain list for small inputs). */
export interface PolicyLookup {
  /** The policies of one namespace. */
  policiesIn(namespace: string): readonly NetworkPolicy[];
  /** The labels of a namespace, `kubernetes.io/metadata.name` included. */
  namespaceLabels(namespace: string): Readonly<Record<string, string>>;
  /** AdminNetworkPolicies in evaluation order (adminEvaluationOrder), evaluated before NetworkPolicy. */
  adminPolicies?: readonly AdminPolicy[];
  /** The BaselineAdminNetworkPolicy, evaluated where no NetworkPolicy isolates the pod. */
  baselinePolicy?: AdminPolicy;
}

/** How one rule of a selecting policy fared against the connection. */
export interface RuleEvaluation {
  policy: NetworkPolicy;
  rule: NetworkPolicyRule;
  /** The matching peer's index, `all` when the rule has no peers list, undefined when no peer matches. */
  peer: number | 'all' | undefined;
  /** The matching port's index, `all` when the rule has no ports list, undefined when no port matches. */
  port: number | 'all' | undefined;
  matches: boolean;
}

/** What the admin tiers said, when the lookup has AdminNetworkPolicies or a BaselineAdminNetworkPolicy. */
export interface AdminTiers {
  /**
   * The first AdminNetworkPolicy rule that matched: its Allow or Deny decided (`allowed` follows it, the
   * NetworkPolicy fields only inform), or its Pass sent the connection to NetworkPolicy.
   */
  admin?: AdminRuleMatch;
  /** The BaselineAdminNetworkPolicy rule that decided, where no NetworkPolicy isolates the pod. */
  baseline?: AdminRuleMatch;
}

export type DirectionVerdict =
  | ({
      direction: Direction;
      /** No NetworkPolicy applies at this end: it is not a pod, a hostNetwork pod, or no policy isolates it. */
      isolated: false;
      reason: 'outside-cluster' | 'host-network' | 'not-selected';
      /** True unless an admin tier denies. */
      allowed: boolean;
    } & AdminTiers)
  | ({
      direction: Direction;
      isolated: true;
      /** The policies selecting the pod for this direction (at least one). */
      selectedBy: NetworkPolicy[];
      /** Every rule of those policies, in order. */
      rules: RuleEvaluation[];
      allowed: boolean;
    } & AdminTiers);

export interface ConnectionVerdict {
  allowed: boolean;
  egress: DirectionVerdict;
  ingress: DirectionVerdict;
}

/** A lookup over a plain list of policies (checks, tests). */
export function policyList(policies: readonly NetworkPolicy[], namespaceLabels: (namespace: string) => Readonly<Record<string, string>>): PolicyLookup {
  const byNamespace = new Map<string, NetworkPolicy[]>();
  for (const policy of policies) {
    let list = byNamespace.get(policy.namespace);
    if (!list) byNamespace.set(policy.namespace, (list = []));
    list.push(policy);
  }
  return { policiesIn: (namespace) => byNamespace.get(namespace) ?? [], namespaceLabels };
}

/** Whether a pod is subject to NetworkPolicy (hostNetwork pods are not; see the file comment). */
export function isPolicyPod(endpoint: Endpoint): endpoint is { kind: 'pod'; pod: PodNetwork } {
  return endpoint.kind === 'pod' && !endpoint.pod.hostNetwork;
}

/** The policies isolating `pod` for `direction`, in input order. */
export function policiesIsolating(lookup: PolicyLookup, pod: PodNetwork, direction: Direction): NetworkPolicy[] {
  if (pod.hostNetwork) return [];
  return lookup.policiesIn(pod.namespace).filter((policy) => policy.isolates[direction] && policy.selectsPodLabels(pod.labels));
}

/** Whether a peer of `policy` designates `endpoint`. */
export function peerMatches(lookup: PolicyLookup, policy: NetworkPolicy, peer: NetworkPolicyPeer, endpoint: Endpoint): boolean {
  if (peer.kind === 'ipBlock') {
    if (endpoint.kind === 'external') return blockHolds(peer.addresses, endpoint.address ? [endpoint.address] : undefined);
    return blockHolds(peer.addresses, endpoint.pod.addresses);
  }
  if (!isPolicyPod(endpoint)) return false;
  const pod = endpoint.pod;
  if (peer.matchesNamespaceLabels) {
    if (!peer.matchesNamespaceLabels(lookup.namespaceLabels(pod.namespace))) return false;
  } else if (pod.namespace !== policy.namespace) return false;
  return peer.matchesPodLabels(pod.labels);
}

const ALL_V4 = IpSet.ofCidr({ family: 4, start: 0n, end: (1n << 32n) - 1n, prefix: 0 });
const ALL_V6 = IpSet.ofCidr({ family: 6, start: 0n, end: (1n << 128n) - 1n, prefix: 0 });

/** Whether a set holds every IPv4 or every IPv6 address: it matches a host whatever its address in that family. */
export function coversAddressFamily(addresses: IpSet): boolean {
  return addresses.covers(ALL_V4) || addresses.covers(ALL_V6);
}

/** Whether a port entry admits `port`/`protocol` at `destination` (named ports resolve on a destination pod). */
export function portMatches(entry: NetworkPolicyPort, port: number, protocol: Protocol, destination: Endpoint): boolean {
  if (entry.protocol !== protocol) return false;
  if (entry.port === undefined) return true;
  if (typeof entry.port === 'number') return port >= entry.port && port <= (entry.endPort ?? entry.port);
  if (destination.kind !== 'pod') return false;
  return resolveNamedPort(destination.pod.ports, entry.port, protocol).includes(port);
}

function evaluateRule(lookup: PolicyLookup, policy: NetworkPolicy, rule: NetworkPolicyRule, connection: Connection): RuleEvaluation {
  const other = rule.direction === 'ingress' ? connection.from : connection.to;
  const peer = rule.peers === undefined ? 'all' : rule.peers.find((p) => peerMatches(lookup, policy, p, other))?.index;
  const port = rule.ports === undefined ? 'all' : rule.ports.find((p) => portMatches(p, connection.port, connection.protocol, connection.to))?.index;
  return { policy, rule, peer, port, matches: peer !== undefined && port !== undefined };
}

/**
 * The verdict of one direction: egress at `connection.from`, ingress at `connection.to`. With admin policies in the
 * lookup: the first matching AdminNetworkPolicy rule's Allow or Deny, else (no match, or Pass) NetworkPolicy when it
 * isolates the pod, else the BaselineAdminNetworkPolicy's first matching rule, else allowed.
 */
export function evaluateDirection(lookup: PolicyLookup, connection: Connection, direction: Direction): DirectionVerdict {
  const verdict = networkPolicyDirection(lookup, connection, direction);
  if (!lookup.adminPolicies?.length && !lookup.baselinePolicy) return verdict;
  const admin = firstAdminMatch(lookup, lookup.adminPolicies ?? [], connection, direction);
  if (admin && admin.rule.action !== 'Pass') return { ...verdict, allowed: admin.rule.action === 'Allow', admin };
  const passed = admin ? { ...verdict, admin } : verdict;
  if (passed.isolated || !lookup.baselinePolicy) return passed;
  const baseline = firstAdminMatch(lookup, [lookup.baselinePolicy], connection, direction);
  return baseline ? { ...passed, allowed: baseline.rule.action === 'Allow', baseline } : passed;
}

function networkPolicyDirection(lookup: PolicyLookup, connection: Connection, direction: Direction): DirectionVerdict {
  const end = direction === 'egress' ? connection.from : connection.to;
  if (end.kind !== 'pod') return { direction, isolated: false, reason: 'outside-cluster', allowed: true };
  if (end.pod.hostNetwork) return { direction, isolated: false, reason: 'host-network', allowed: true };
  const selectedBy = policiesIsolating(lookup, end.pod, direction);
  if (selectedBy.length === 0) return { direction, isolated: false, reason: 'not-selected', allowed: true };
  const rules: RuleEvaluation[] = [];
  for (const policy of selectedBy) for (const rule of policy[direction]) rules.push(evaluateRule(lookup, policy, rule, connection));
  return { direction, isolated: true, selectedBy, rules, allowed: rules.some((r) => r.matches) };
}

export function evaluateConnection(lookup: PolicyLookup, connection: Connection): ConnectionVerdict {
  const egress = evaluateDirection(lookup, connection, 'egress');
  const ingress = evaluateDirection(lookup, connection, 'ingress');
  return { allowed: egress.allowed && ingress.allowed, egress, ingress };
}

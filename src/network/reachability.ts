/**
 * The connectivity engine for many workloads at once: which ports each pod group may open to each other group, and
 * which external addresses each group may reach or be reached from, under the model's NetworkPolicies.
 *
 * Same semantics as the per-connection evaluation of src/core/k8s/network-verdict.ts (a property test holds the two to
 * agreement), organised for scale:
 * - each policy's selected groups are computed once, from the groups of its own namespace only;
 * - each peer's matching groups are computed once: a namespaceSelector is evaluated once per namespace, then the
 *   podSelector on the groups of the matching namespaces;
 * - a group's ingress side is one vector "ports allowed from each source group" (a base for rules open to every
 *   source plus a sparse map), its egress side likewise per destination; a matrix cell is the intersection of the
 *   source's egress entry and the destination's ingress entry.
 * Cost is about (groups² + Σ rules × matched groups), independent of pods per group.
 */
import { IpSet } from '../core/k8s/ip-set.js';
import type { Direction, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicyRule } from '../core/k8s/network-policy.js';
import { blockHolds, coversAddressFamily } from '../core/k8s/network-verdict.js';
import { resolveNamedPort } from '../core/k8s/pod-network.js';
import { PortSet } from '../core/k8s/port-set.js';
import { AdminTierEngine } from './admin-tiers.js';
import type { NetworkModel } from './network-model.js';
import type { PodGroup } from './pod-groups.js';

/** Ports allowed for a set of external addresses. */
export interface ExternalAccess {
  addresses: IpSet;
  ports: PortSet;
}

/** One side of a group: what it allows, by peer group, and for external addresses. */
interface SideVector {
  /** Ports allowed for every peer group (rules without a peer list; everything when the side is not isolated). */
  base: PortSet;
  /** Extra ports for some peer groups. */
  perGroup: Map<number, PortSet>;
  /** Egress only: rules with named ports, resolved per destination (base rules, and per group). */
  namedBase: NetworkPolicyRule[];
  namedPerGroup: Map<number, NetworkPolicyRule[]>;
  /** Products (addresses × ports) allowed for external peers. */
  external: ExternalAccess[];
}

const OPEN: SideVector = Object.freeze({
  base: PortSet.ALL,
  perGroup: new Map(),
  namedBase: [],
  namedPerGroup: new Map(),
  external: [{ addresses: IpSet.ALL, ports: PortSet.ALL }],
}) as SideVector;

function portsOfEntry(entry: NetworkPolicyPort): PortSet {
  if (entry.port === undefined) return PortSet.protocol(entry.protocol);
  if (typeof entry.port === 'number') return PortSet.range(entry.protocol, entry.port, entry.endPort ?? entry.port);
  return PortSet.NONE;
}

/** Puts a union of (addresses × ports) products in canonical form: disjoint addresses, distinct port sets, sorted. */
export function canonicalExternal(entries: readonly ExternalAccess[]): ExternalAccess[] {
  const useful = entries.filter((e) => !e.addresses.isEmpty() && !e.ports.isEmpty());
  if (useful.length === 0) return [];
  if (useful.length === 1) return [useful[0]!];
  const byPorts = new Map<string, ExternalAccess>();
  for (const atom of IpSet.atoms(useful.map((e) => e.addresses))) {
    let ports = PortSet.NONE;
    for (const entry of useful) if (entry.addresses.covers(atom)) ports = ports.union(entry.ports);
    if (ports.isEmpty()) continue;
    const key = ports.toString();
    const existing = byPorts.get(key);
    byPorts.set(key, existing ? { addresses: existing.addresses.union(atom), ports } : { addresses: atom, ports });
  }
  return [...byPorts.values()].sort((a, b) => (a.addresses.toString() < b.addresses.toString() ? -1 : 1));
}

export class Reachability {
  readonly groups: readonly PodGroup[];
  private readonly groupsByNamespace = new Map<string, number[]>();
  private readonly allGroups: number[] = [];
  private readonly isolatingPolicies: Record<Direction, NetworkPolicy[][]>;
  private readonly peerGroups = new Map<NetworkPolicyPeer, readonly number[]>();
  /** The same selectors recur across policies (`app: web`, `team: payments`): their groups are computed once. */
  private readonly selectorGroups = new Map<string, readonly number[]>();
  /** Likewise the groups an ipBlock's addresses hold, by the block. */
  private readonly blockGroups = new Map<string, readonly number[]>();
  private readonly numericPorts = new Map<NetworkPolicyRule, PortSet>();
  private readonly namedPorts = new Map<NetworkPolicyRule, NetworkPolicyPort[]>();
  private readonly ingressVectors: (SideVector | undefined)[];
  private readonly egressVectors: (SideVector | undefined)[];
  /** AdminNetworkPolicy / BaselineAdminNetworkPolicy tiers, when the model has any. */
  private readonly admin: AdminTierEngine | undefined;

  constructor(private readonly model: NetworkModel) {
    this.groups = model.groups;
    this.groups.forEach((group, index) => {
      this.allGroups.push(index);
      if (group.hostNetwork) return;
      let list = this.groupsByNamespace.get(group.namespace);
      if (!list) this.groupsByNamespace.set(group.namespace, (list = []));
      list.push(index);
    });
    this.isolatingPolicies = { ingress: this.groups.map(() => []), egress: this.groups.map(() => []) };
    for (const policy of model.policies) {
      if (!policy.isolates.ingress && !policy.isolates.egress) continue;
      for (const index of this.groupsByNamespace.get(policy.namespace) ?? []) {
        if (!policy.selectsPodLabels(this.groups[index]!.labels)) continue;
        if (policy.isolates.ingress) this.isolatingPolicies.ingress[index]!.push(policy);
        if (policy.isolates.egress) this.isolatingPolicies.egress[index]!.push(policy);
      }
    }
    this.ingressVectors = new Array(this.groups.length);
    this.egressVectors = new Array(this.groups.length);
    this.admin = model.adminPolicies.length > 0 || model.baselinePolicy ? new AdminTierEngine(model, this.groups) : undefined;
  }

  /** The policies isolating a group for one direction (none for hostNetwork groups). */
  isolating(group: number, direction: Direction): readonly NetworkPolicy[] {
    return this.isolatingPolicies[direction][group]!;
  }

  /** The groups a peer of `policy` designates. */
  peerMatches(policy: NetworkPolicy, peer: NetworkPolicyPeer): readonly number[] {
    let matched = this.peerGroups.get(peer);
    if (matched) return matched;
    const out: number[] = [];
    if (peer.kind === 'ipBlock') {
      // By the groups' addresses (a group's pods are all held or none: pod-groups.ts); a group of unknown addresses
      // (templates) only by a block covering a whole address family. The same block recurs: computed once.
      const key = peer.addresses.toString();
      const known = this.blockGroups.get(key);
      if (known) {
        this.peerGroups.set(peer, known);
        return known;
      }
      const family = coversAddressFamily(peer.addresses);
      for (const index of this.allGroups) {
        const addresses = this.groups[index]!.addresses;
        if (addresses && addresses.length > 0 ? blockHolds(peer.addresses, addresses) : family) out.push(index);
      }
      this.blockGroups.set(key, out);
    } else {
      const key = JSON.stringify([peer.namespaceSelector ?? policy.namespace, peer.podSelector ?? {}]);
      const known = this.selectorGroups.get(key);
      if (known) {
        this.peerGroups.set(peer, known);
        return known;
      }
      const namespaces = peer.matchesNamespaceLabels
        ? [...this.groupsByNamespace.keys()].filter((ns) => peer.matchesNamespaceLabels!(this.model.lookup.namespaceLabels(ns)))
        : [policy.namespace];
      for (const ns of namespaces) {
        for (const index of this.groupsByNamespace.get(ns) ?? []) if (peer.matchesPodLabels(this.groups[index]!.labels)) out.push(index);
      }
      out.sort((a, b) => a - b);
      this.selectorGroups.set(key, out);
    }
    matched = out;
    this.peerGroups.set(peer, matched);
    return matched;
  }

  private numeric(rule: NetworkPolicyRule): PortSet {
    let ports = this.numericPorts.get(rule);
    if (ports) return ports;
    ports = rule.ports === undefined ? PortSet.ALL : rule.ports.reduce((set, entry) => set.union(portsOfEntry(entry)), PortSet.NONE);
    this.numericPorts.set(rule, ports);
    this.namedPorts.set(rule, (rule.ports ?? []).filter((entry) => typeof entry.port === 'string'));
    return ports;
  }

  private named(rule: NetworkPolicyRule): NetworkPolicyPort[] {
    this.numeric(rule);
    return this.namedPorts.get(rule)!;
  }

  /** The ports a rule admits towards a destination group (named ports resolved on it), or an external one. */
  rulePorts(rule: NetworkPolicyRule, destination: number | 'external'): PortSet {
    let ports = this.numeric(rule);
    if (destination === 'external') return ports;
    for (const entry of this.named(rule)) {
      for (const port of resolveNamedPort(this.groups[destination]!.ports, entry.port as string, entry.protocol)) {
        ports = ports.union(PortSet.range(entry.protocol, port));
      }
    }
    return ports;
  }

  private ingress(group: number): SideVector {
    const cached = this.ingressVectors[group];
    if (cached) return cached;
    const policies = this.isolatingPolicies.ingress[group]!;
    let vector = OPEN;
    if (policies.length > 0) {
      vector = { base: PortSet.NONE, perGroup: new Map(), namedBase: [], namedPerGroup: new Map(), external: [] };
      for (const policy of policies) {
        for (const rule of policy.ingress) {
          const ports = this.rulePorts(rule, group);
          if (ports.isEmpty()) continue;
          if (rule.peers === undefined) {
            vector.base = vector.base.union(ports);
            vector.external.push({ addresses: IpSet.ALL, ports });
            continue;
          }
          for (const peer of rule.peers) {
            if (peer.kind === 'ipBlock') vector.external.push({ addresses: peer.addresses, ports });
            for (const source of this.peerMatches(policy, peer)) vector.perGroup.set(source, (vector.perGroup.get(source) ?? PortSet.NONE).union(ports));
          }
        }
      }
      vector.external = canonicalExternal(vector.external);
    }
    this.ingressVectors[group] = vector;
    return vector;
  }

  private egress(group: number): SideVector {
    const cached = this.egressVectors[group];
    if (cached) return cached;
    const policies = this.isolatingPolicies.egress[group]!;
    let vector = OPEN;
    if (policies.length > 0) {
      vector = { base: PortSet.NONE, perGroup: new Map(), namedBase: [], namedPerGroup: new Map(), external: [] };
      for (const policy of policies) {
        for (const rule of policy.egress) {
          const ports = this.numeric(rule);
          const named = this.named(rule).length > 0;
          if (rule.peers === undefined) {
            vector.base = vector.base.union(ports);
            if (named) vector.namedBase.push(rule);
            vector.external.push({ addresses: IpSet.ALL, ports });
            continue;
          }
          for (const peer of rule.peers) {
            if (peer.kind === 'ipBlock') vector.external.push({ addresses: peer.addresses, ports });
            for (const destination of this.peerMatches(policy, peer)) {
              if (!ports.isEmpty()) vector.perGroup.set(destination, (vector.perGroup.get(destination) ?? PortSet.NONE).union(ports));
              if (named) {
                let list = vector.namedPerGroup.get(destination);
                if (!list) vector.namedPerGroup.set(destination, (list = []));
                list.push(rule);
              }
            }
          }
        }
      }
      vector.external = canonicalExternal(vector.external);
    }
    this.egressVectors[group] = vector;
    return vector;
  }

  /** Ports group `source` may send to group `destination` on (both ends' policies applied). */
  ports(source: number, destination: number): PortSet {
    const ingress = this.ingress(destination);
    let inbound = ingress === OPEN ? PortSet.ALL : ingress.base.union(ingress.perGroup.get(source) ?? PortSet.NONE);
    if (this.admin) inbound = this.admin.side(destination, 'ingress', { group: source }, destination, inbound, this.isIsolated(destination, 'ingress'));
    if (inbound.isEmpty()) return inbound;
    return this.outbound(source, destination, inbound);
  }

  /** What the source's egress side allows towards `destination` (NetworkPolicy, then the admin tiers). */
  private egressPorts(source: number, destination: number): PortSet {
    const egress = this.egress(source);
    let outbound = PortSet.ALL;
    if (egress !== OPEN) {
      outbound = egress.base.union(egress.perGroup.get(destination) ?? PortSet.NONE);
      const named = egress.namedPerGroup.get(destination);
      if (egress.namedBase.length > 0 || named) {
        for (const rule of [...egress.namedBase, ...(named ?? [])]) outbound = outbound.union(this.rulePorts(rule, destination));
      }
    }
    if (this.admin) outbound = this.admin.side(source, 'egress', { group: destination }, destination, outbound, this.isIsolated(source, 'egress'));
    return outbound;
  }

  /** `inbound` restricted to what the source's egress side allows towards `destination`. */
  private outbound(source: number, destination: number, inbound: PortSet): PortSet {
    if (!this.admin && this.egress(source) === OPEN) return inbound;
    return inbound.intersect(this.egressPorts(source, destination));
  }

  /**
   * Every source group that may reach `destination`, ascending, with the ports. Only the sources some ingress rule
   * names are visited when no rule of the destination admits every source: the matrix costs what its ingress sides
   * allow, not groups².
   */
  allowedSources(destination: number): { from: number; ports: PortSet }[] {
    const ingress = this.ingress(destination);
    if (this.admin) {
      // An AdminNetworkPolicy may allow what NetworkPolicy denies: every source is a candidate.
      const all: { from: number; ports: PortSet }[] = [];
      for (const source of this.allGroups) {
        const ports = this.ports(source, destination);
        if (!ports.isEmpty()) all.push({ from: source, ports });
      }
      return all;
    }
    const everyone = ingress === OPEN || !ingress.base.isEmpty();
    const candidates = everyone ? this.allGroups : [...ingress.perGroup.keys()].sort((a, b) => a - b);
    const out: { from: number; ports: PortSet }[] = [];
    for (const source of candidates) {
      const inbound = ingress === OPEN ? PortSet.ALL : ingress.base.union(ingress.perGroup.get(source) ?? PortSet.NONE);
      if (inbound.isEmpty()) continue;
      const ports = this.outbound(source, destination, inbound);
      if (!ports.isEmpty()) out.push({ from: source, ports });
    }
    return out;
  }

  /**
   * What external addresses may open to a group, on which ports (canonical form; everything when not isolated).
   * AdminNetworkPolicy ingress peers are pods and namespaces only, so the admin tiers never change it.
   */
  fromExternal(destination: number): readonly ExternalAccess[] {
    return this.ingress(destination).external;
  }

  /** What a group may open to external addresses (canonical form; everything when not isolated for egress). */
  toExternal(source: number): readonly ExternalAccess[] {
    const access = this.egress(source).external;
    return this.admin ? this.admin.egressToExternal(source, access, this.isIsolated(source, 'egress')) : access;
  }

  /** Whether a group is isolated for a direction (some policy selects it for that direction). */
  isIsolated(group: number, direction: Direction): boolean {
    return this.isolatingPolicies[direction][group]!.length > 0;
  }
}

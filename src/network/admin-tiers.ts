/**
 * AdminNetworkPolicy and BaselineAdminNetworkPolicy for the matrix (Reachability): the ports one end of a connection
 * allows once the admin tiers are applied around what NetworkPolicy allows there, computed on port sets so that a cell
 * stays exact for every port at once. Per end and direction:
 *
 *   undecided = every port; allowed = none; passed = none
 *   for each AdminNetworkPolicy rule applying (priority order, rule order) whose peer matches the other end:
 *     ports = the rule's ports ∩ undecided: Allow adds them to allowed, Pass to passed, Deny to neither;
 *     undecided -= ports
 *   left = undecided ∪ passed
 *   isolated by NetworkPolicy: allowed ∪ (left ∩ what NetworkPolicy allows)
 *   otherwise: the BaselineAdminNetworkPolicy's rules decide within left in the same way, the rest is allowed.
 *
 * The same order as the per-connection verdict (src/core/k8s/network-verdict.ts); a property test holds them equal.
 */
import type { AdminPeer, AdminPolicy, AdminRule } from '../core/k8s/admin-network-policy.js';
import { IpSet } from '../core/k8s/ip-set.js';
import type { Direction } from '../core/k8s/network-policy.js';
import { blockHolds } from '../core/k8s/network-verdict.js';
import { PortSet } from '../core/k8s/port-set.js';
import type { NetworkModel } from './network-model.js';
import type { PodGroup } from './pod-groups.js';
import type { ExternalAccess } from './reachability.js';
import { canonicalExternal } from './reachability.js';

/** The other end of a connection: a group, or external addresses (an atom, wholly in or out of every networks peer). */
type Other = { group: number } | { addresses: IpSet };

export class AdminTierEngine {
  private readonly subjects = new Map<AdminPolicy, Set<number>>();
  private readonly peerGroups = new Map<AdminPeer, Set<number>>();
  private readonly order: AdminPolicy[];

  constructor(
    private readonly model: NetworkModel,
    private readonly groups: readonly PodGroup[],
  ) {
    this.order = model.adminPolicies;
  }

  private podSet(set: AdminPolicy['subject']): Set<number> {
    const out = new Set<number>();
    this.groups.forEach((group, index) => {
      if (!group.hostNetwork && set.matchesNamespaceLabels(this.model.lookup.namespaceLabels(group.namespace)) && set.matchesPodLabels(group.labels)) out.add(index);
    });
    return out;
  }

  private applies(policy: AdminPolicy, group: number): boolean {
    let set = this.subjects.get(policy);
    if (!set) this.subjects.set(policy, (set = this.podSet(policy.subject)));
    return set.has(group);
  }

  private peerMatches(peer: AdminPeer, other: Other): boolean {
    if (peer.kind === 'nodes') return false;
    if (peer.kind === 'networks') {
      // By the group's addresses (unknown: only a whole address family holds them), as for ipBlock.
      return 'addresses' in other ? peer.addresses.covers(other.addresses) : blockHolds(peer.addresses, this.groups[other.group]!.addresses);
    }
    if ('addresses' in other) return false;
    let set = this.peerGroups.get(peer);
    if (!set) this.peerGroups.set(peer, (set = this.podSet(peer)));
    return set.has(other.group);
  }

  /** The ports a rule names at a destination group (named ports resolved on it), or outside the cluster. */
  private rulePorts(rule: AdminRule, destination: number | 'external'): PortSet {
    if (rule.ports === undefined) return PortSet.ALL;
    let ports = PortSet.NONE;
    for (const entry of rule.ports) {
      if (entry.kind === 'number') ports = ports.union(PortSet.range(entry.protocol, entry.port));
      else if (entry.kind === 'range') ports = ports.union(PortSet.range(entry.protocol, entry.start, entry.end));
      else if (destination !== 'external') {
        for (const port of this.groups[destination]!.ports) if (port.name === entry.name) ports = ports.union(PortSet.range(port.protocol, port.port));
      }
    }
    return ports;
  }

  /** Runs one tier's rules over `undecided`; returns what they allow, pass, and leave undecided. */
  private tier(policies: readonly AdminPolicy[], group: number, direction: Direction, other: Other, destination: number | 'external', undecided: PortSet) {
    let allowed = PortSet.NONE;
    let passed = PortSet.NONE;
    for (const policy of policies) {
      if (undecided.isEmpty()) break;
      if (!this.applies(policy, group)) continue;
      for (const rule of policy[direction]) {
        if (undecided.isEmpty()) break;
        if (!rule.peers.some((peer) => this.peerMatches(peer, other))) continue;
        const ports = this.rulePorts(rule, destination).intersect(undecided);
        if (ports.isEmpty()) continue;
        if (rule.action === 'Allow') allowed = allowed.union(ports);
        else if (rule.action === 'Pass') passed = passed.union(ports);
        undecided = undecided.subtract(ports);
      }
    }
    return { allowed, passed, undecided };
  }

  /**
   * What `group` allows for `direction` towards/from `other`, given what NetworkPolicy allows there (`networkPolicy`)
   * and whether NetworkPolicy isolates it. `destination` is where named ports resolve.
   */
  side(group: number, direction: Direction, other: Other, destination: number | 'external', networkPolicy: PortSet, isolated: boolean): PortSet {
    if (this.groups[group]!.hostNetwork) return networkPolicy;
    const admin = this.tier(this.order, group, direction, other, destination, PortSet.ALL);
    const left = admin.undecided.union(admin.passed);
    if (isolated) return admin.allowed.union(left.intersect(networkPolicy));
    if (!this.model.baselinePolicy) return admin.allowed.union(left);
    const baseline = this.tier([this.model.baselinePolicy], group, direction, other, destination, left);
    return admin.allowed.union(baseline.allowed).union(baseline.undecided);
  }

  /** What `group` may open to external addresses, given NetworkPolicy's external access and isolation. */
  egressToExternal(group: number, networkPolicy: readonly ExternalAccess[], isolated: boolean): ExternalAccess[] {
    const sets: IpSet[] = [IpSet.ALL, ...networkPolicy.map((a) => a.addresses)];
    for (const policy of [...this.order, ...(this.model.baselinePolicy ? [this.model.baselinePolicy] : [])]) {
      for (const rule of policy.egress) for (const peer of rule.peers) if (peer.kind === 'networks') sets.push(peer.addresses);
    }
    const out: ExternalAccess[] = [];
    for (const atom of IpSet.atoms(sets)) {
      let allowedByPolicy = PortSet.NONE;
      for (const entry of networkPolicy) if (entry.addresses.covers(atom)) allowedByPolicy = allowedByPolicy.union(entry.ports);
      out.push({ addresses: atom, ports: this.side(group, 'egress', { addresses: atom }, 'external', allowedByPolicy, isolated) });
    }
    return canonicalExternal(out);
  }
}

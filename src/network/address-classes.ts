/**
 * Pods told apart by address, as far as the policies can tell them apart. Every ipBlock (NetworkPolicy) and
 * `networks` peer (AdminNetworkPolicy) of the model is a set of addresses; two pods whose addresses are held by
 * exactly the same of those sets are indistinguishable to every rule, so they may share a pod group, and pods an
 * ipBlock boundary (a cidr or an except) separates get different classes. The class of a pod is the list of the
 * distinct blocks holding it, by the same rule the per-connection verdict applies (`blockHolds`: any of its
 * addresses; an unknown address only by a block covering a whole address family).
 */
import type { AdminPolicy } from '../core/k8s/admin-network-policy.js';
import type { IpAddress, IpSet } from '../core/k8s/ip-set.js';
import type { NetworkPolicy } from '../core/k8s/network-policy.js';
import { blockHolds } from '../core/k8s/network-verdict.js';

export class AddressClasses {
  /** The distinct address sets of the peers. */
  private readonly blocks: IpSet[] = [];
  /** Per address (`family:value`): the indexes of the blocks holding it. */
  private readonly membership = new Map<string, readonly number[]>();
  private unknownClass: string | undefined;

  constructor(blocks: Iterable<IpSet>) {
    const seen = new Set<string>();
    for (const block of blocks) {
      const key = block.toString();
      if (seen.has(key)) continue;
      seen.add(key);
      this.blocks.push(block);
    }
  }

  /** The blocks of every ipBlock and `networks` peer of the policies. */
  static of(policies: readonly NetworkPolicy[], adminPolicies: readonly AdminPolicy[]): AddressClasses {
    const blocks: IpSet[] = [];
    for (const policy of policies) {
      for (const rule of [...policy.ingress, ...policy.egress]) for (const peer of rule.peers ?? []) if (peer.kind === 'ipBlock') blocks.push(peer.addresses);
    }
    for (const policy of adminPolicies) {
      for (const rule of [...policy.ingress, ...policy.egress]) for (const peer of rule.peers) if (peer.kind === 'networks') blocks.push(peer.addresses);
    }
    return new AddressClasses(blocks);
  }

  /** Whether any peer has addresses: otherwise every pod is of one class. */
  get separates(): boolean {
    return this.blocks.length > 0;
  }

  private holding(address: IpAddress): readonly number[] {
    const key = `${address.family}:${address.value}`;
    let held = this.membership.get(key);
    if (!held) {
      const list: number[] = [];
      this.blocks.forEach((block, index) => {
        if (block.has(address)) list.push(index);
      });
      this.membership.set(key, (held = list));
    }
    return held;
  }

  /** The class of a pod with these addresses (none: unknown): equal strings, equal verdicts for every peer. */
  classOf(addresses: readonly IpAddress[]): string {
    if (this.blocks.length === 0) return '';
    if (addresses.length === 0) {
      this.unknownClass ??= this.blocks.flatMap((block, index) => (blockHolds(block, undefined) ? [index] : [])).join(',');
      return this.unknownClass;
    }
    if (addresses.length === 1) return this.holding(addresses[0]!).join(',');
    const held = new Set<number>();
    for (const address of addresses) for (const index of this.holding(address)) held.add(index);
    return [...held].sort((a, b) => a - b).join(',');
  }
}

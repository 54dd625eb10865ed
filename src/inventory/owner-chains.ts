/**
 * Ownership among the workloads read: each workload's controller (from metadata.ownerReferences) when that owner was
 * read too, the full controller chain (Pod → ReplicaSet → Deployment, Pod → Job → CronJob), and the "top-most"
 * representatives of a set of workloads, so that one Deployment stands for its ReplicaSets and Pods in lists.
 *
 * Owners are matched by uid (live objects); an owner without a uid (hand-written manifests) matches by namespace,
 * kind and name.
 */
import type { OwnerLink } from './inventory.js';
import type { WorkloadRecord } from './workload-record.js';

export class OwnerChains {
  /** Index of each workload's controller among the records, or -1 when it has none in the input. */
  private readonly parent: Int32Array;
  private readonly chains: (OwnerLink[] | undefined)[];

  constructor(private readonly records: readonly WorkloadRecord[]) {
    const byUid = new Map<string, number>();
    const byName = new Map<string, number>();
    records.forEach((record, index) => {
      if (record.ref.uid) byUid.set(record.ref.uid, index);
      byName.set(nameKey(record.namespace, record.ref.kind, record.ref.name), index);
    });
    this.parent = new Int32Array(records.length).fill(-1);
    records.forEach((record, index) => {
      const owner = record.owner;
      if (!owner) return;
      let found = owner.uid ? byUid.get(owner.uid) : undefined;
      if (found === undefined) {
        const candidate = byName.get(nameKey(record.namespace, owner.kind, owner.name));
        // A different uid under the same name is another object (the owner was deleted and recreated).
        if (candidate !== undefined && (!owner.uid || !records[candidate]!.ref.uid)) found = candidate;
      }
      if (found !== undefined && found !== index) this.parent[index] = found;
    });
    this.chains = new Array<OwnerLink[] | undefined>(records.length);
  }

  /** The controller of a workload among the records, or -1. */
  parentOf(index: number): number {
    return this.parent[index]!;
  }

  /** The controller chain of a workload, the direct owner first; stops at an owner not in the input (or a cycle). */
  chainOf(index: number): OwnerLink[] {
    const cached = this.chains[index];
    if (cached) return cached;
    const chain: OwnerLink[] = [];
    const seen = new Set<number>([index]);
    let current = index;
    for (;;) {
      const owner = this.records[current]!.owner;
      if (!owner) break;
      const next = this.parent[current]!;
      const link: OwnerLink = { kind: owner.kind, name: owner.name, ...(owner.uid ? { uid: owner.uid } : {}), inInput: next >= 0 };
      chain.push(link);
      if (next < 0 || seen.has(next)) break;
      seen.add(next);
      current = next;
    }
    this.chains[index] = chain;
    return chain;
  }

  /**
   * The members of `indices` (all satisfying `has`) whose controller does not satisfy `has` too: a Pod running an image
   * is listed only when its ReplicaSet does not run it as well.
   */
  topMost(indices: readonly number[], has: (index: number) => boolean): number[] {
    return indices.filter((index) => {
      const parent = this.parent[index]!;
      return parent < 0 || !has(parent);
    });
  }
}

function nameKey(namespace: string, kind: string, name: string): string {
  return `${namespace}\u0000${kind}\u0000${name}`;
}

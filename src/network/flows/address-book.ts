/**
 * Which pod, Service or node held an address when. Pods come and go and their addresses are reused, so an address is
 * kept with the time intervals it was assigned, and a flow is attributed through the assignment valid at the flow's
 * time. A flow without a time is attributed only when every assignment of its address names the same holder.
 *
 * Addresses are compared in canonical form (`fd00::1` and `fd00:0::1` are one address); the canonical form of each
 * text seen is cached, so a million flows between a few hundred pods parse each address once.
 */
import { formatIpAddress, parseIpAddress } from '../../core/k8s/ip-set.js';

export interface Assignment<T> {
  /** Milliseconds since the epoch, inclusive; -Infinity: since before any flow. */
  from: number;
  /** Exclusive; Infinity: still held. */
  until: number;
  holder: T;
  /** Identity of the holder: assignments with equal keys are the same holder (one pod seen twice). */
  key: string;
  /** The lookup answer naming it, made once. */
  found?: { found: T };
}

const MISSING = { missing: true } as const;

export type AddressLookup<T> =
  | { found: T }
  | { ambiguous: T[] }
  /** Nobody held it then; `nearest` is an assignment of the address at another time, for the message. */
  | { missing: true; nearest?: Assignment<T> };

export class AddressBook<T> {
  private readonly byAddress = new Map<string, Assignment<T>[]>();
  private readonly canonical = new Map<string, string | null>();

  /** The canonical text of an address, or undefined when `text` is not one. */
  canonicalAddress(text: string): string | undefined {
    let canonical = this.canonical.get(text);
    if (canonical === undefined) {
      const address = parseIpAddress(text);
      canonical = address ? formatIpAddress(address.family, address.value) : null;
      if (this.canonical.size > 100_000) this.canonical.clear();
      this.canonical.set(text, canonical);
    }
    return canonical ?? undefined;
  }

  /** Records an assignment; returns false when `address` is not an IP address. */
  assign(address: string, assignment: Assignment<T>): boolean {
    const canonical = this.canonicalAddress(address);
    if (!canonical) return false;
    let list = this.byAddress.get(canonical);
    if (!list) this.byAddress.set(canonical, (list = []));
    // The same holder seen again (a pod listed, then recorded) extends one assignment instead of adding one.
    const same = list.find((a) => a.key === assignment.key && a.from <= assignment.until && assignment.from <= a.until);
    if (same) {
      same.from = Math.min(same.from, assignment.from);
      same.until = Math.max(same.until, assignment.until);
    } else list.push(assignment);
    return true;
  }

  /** Whether the holder of `address` can depend on time (more than one assignment, or one that is not open-ended). */
  timeDependent(canonical: string): boolean {
    const list = this.byAddress.get(canonical);
    return list !== undefined && (list.length > 1 || list[0]!.from !== -Infinity || list[0]!.until !== Infinity);
  }

  has(canonical: string): boolean {
    return this.byAddress.has(canonical);
  }

  /** The holder of a canonical address at `time` (undefined: the flow has no time). */
  lookup(canonical: string, time: number | undefined): AddressLookup<T> {
    const list = this.byAddress.get(canonical);
    if (!list) return MISSING;
    // The common case, one assignment valid at the flow's time, without allocating.
    if (list.length === 1) {
      const only = list[0]!;
      if (time === undefined || (only.from <= time && time < only.until)) return (only.found ??= { found: only.holder });
    }
    const valid = time === undefined ? list : list.filter((a) => a.from <= time && time < a.until);
    if (valid.length === 0) {
      let nearest: Assignment<T> | undefined;
      let distance = Infinity;
      for (const a of list) {
        const d = time! < a.from ? a.from - time! : time! - a.until;
        if (d < distance) [nearest, distance] = [a, d];
      }
      return nearest ? { missing: true, nearest } : MISSING;
    }
    const keys = new Set(valid.map((a) => a.key));
    if (keys.size === 1) return { found: valid[0]!.holder };
    const holders: T[] = [];
    const seen = new Set<string>();
    for (const a of valid) if (!seen.has(a.key)) (seen.add(a.key), holders.push(a.holder));
    return { ambiguous: holders };
  }
}

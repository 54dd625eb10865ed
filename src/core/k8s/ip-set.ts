/**
 * IP addresses and CIDR ranges (IPv4 and IPv6) as sets of integer intervals, for NetworkPolicy `ipBlock`s.
 *
 * Parsing follows what the API server accepts for `ipBlock.cidr` (Go's `ParseCIDRSloppy`): IPv4 dotted quads (a
 * leading zero is read as decimal, as Kubernetes' legacy parser does), IPv6 in any RFC 4291 text form including `::`
 * and an embedded IPv4 tail, no zone. Host bits set below the prefix are masked off (`10.0.0.1/8` is `10.0.0.0/8`).
 * The two families are separate address spaces: an IPv4 block never contains an IPv6 address, not even an
 * IPv4-mapped one (`::ffff:10.0.0.1`), as in Go's `net.IPNet.Contains`.
 *
 * Written without `node:net`: engines stay free of I/O modules (architecture rule 1).
 */

export type IpFamily = 4 | 6;

export interface IpAddress {
  family: IpFamily;
  value: bigint;
}

export interface Cidr {
  family: IpFamily;
  /** First and last address of the range. */
  start: bigint;
  end: bigint;
  prefix: number;
}

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^[0-9]{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (text.includes('%')) return undefined;
  let groups: number[] = [];
  let tail = text;
  // An embedded IPv4 address stands for the last two groups.
  let ipv4: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.slice(lastColon + 1).includes('.')) {
    ipv4 = parseIpv4(text.slice(lastColon + 1));
    if (ipv4 === undefined) return undefined;
    tail = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = tail.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const group of part.split(':')) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(group)) return undefined;
      out.push(parseInt(group, 16));
    }
    return out;
  };
  const head = parseGroups(halves[0]!);
  if (!head) return undefined;
  if (halves.length === 2) {
    const rest = parseGroups(halves[1]!);
    if (!rest || head.length + rest.length > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - head.length - rest.length).fill(0), ...rest];
  } else {
    if (head.length !== 8) return undefined;
    groups = head;
  }
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(group);
  if (ipv4 !== undefined) value = (value & ~0xffffffffn) | ipv4;
  return value;
}

/** Parses one IP address, or undefined when it is not one. */
export function parseIpAddress(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { family: 4, value };
}

/** Parses `address/prefix`; returns a message saying what is wrong instead when it is not a CIDR. */
export function parseCidr(text: string): Cidr | string {
  if (typeof text !== 'string') return 'must be a string in CIDR notation, e.g. 10.0.0.0/8 or fd00::/8';
  const slash = text.indexOf('/');
  if (slash < 0) return `"${text}" is not in CIDR notation (address/prefix length), e.g. 10.0.0.0/8 or fd00::/8`;
  const address = parseIpAddress(text.slice(0, slash));
  if (!address) return `"${text}": "${text.slice(0, slash)}" is not an IPv4 or IPv6 address`;
  const prefixText = text.slice(slash + 1);
  const bits = BITS[address.family];
  if (!/^[0-9]{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
    return `"${text}": prefix length must be a number from 0 to ${bits}`;
  }
  const prefix = Number(prefixText);
  const hostBits = BigInt(bits - prefix);
  const start = (address.value >> hostBits) << hostBits;
  return { family: address.family, start, end: start + (1n << hostBits) - 1n, prefix };
}

export function formatIpAddress(family: IpFamily, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  // RFC 5952: the longest run (≥ 2) of zero groups becomes `::`.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIpAddress(cidr.family, cidr.start)}/${cidr.prefix}`;
}

/** A closed interval of addresses of one family. */
interface Interval {
  start: bigint;
  end: bigint;
}

function normalise(intervals: Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.start <= i.end).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: Interval[] = [];
  for (const interval of sorted) {
    const last = out[out.length - 1];
    if (last && interval.start <= last.end + 1n) {
      if (interval.end > last.end) last.end = interval.end;
    } else out.push({ ...interval });
  }
  return out;
}

function subtractIntervals(from: readonly Interval[], remove: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const interval of from) {
    let pieces: Interval[] = [{ ...interval }];
    for (const cut of remove) {
      const next: Interval[] = [];
      for (const piece of pieces) {
        if (cut.end < piece.start || cut.start > piece.end) {
          next.push(piece);
          continue;
        }
        if (cut.start > piece.start) next.push({ start: piece.start, end: cut.start - 1n });
        if (cut.end < piece.end) next.push({ start: cut.end + 1n, end: piece.end });
      }
      pieces = next;
    }
    out.push(...pieces);
  }
  return normalise(out);
}

/** An immutable set of IPv4 and IPv6 addresses. */
export class IpSet {
  static readonly EMPTY = new IpSet([], []);
  static readonly ALL = new IpSet([{ start: 0n, end: (1n << 32n) - 1n }], [{ start: 0n, end: (1n << 128n) - 1n }]);

  private constructor(
    private readonly v4: readonly Interval[],
    private readonly v6: readonly Interval[],
  ) {}

  static ofCidr(cidr: Cidr): IpSet {
    const interval = [{ start: cidr.start, end: cidr.end }];
    return cidr.family === 4 ? new IpSet(interval, []) : new IpSet([], interval);
  }

  static ofAddress(address: IpAddress): IpSet {
    const interval = [{ start: address.value, end: address.value }];
    return address.family === 4 ? new IpSet(interval, []) : new IpSet([], interval);
  }

  /** The addresses of `cidr` but not of any of `except` (a NetworkPolicy ipBlock). */
  static ofBlock(cidr: Cidr, except: readonly Cidr[]): IpSet {
    let set = IpSet.ofCidr(cidr);
    for (const cut of except) set = set.subtract(IpSet.ofCidr(cut));
    return set;
  }

  /**
   * The coarsest disjoint sets ("atoms") such that every address of any input set is in exactly one atom and every
   * input set is a union of atoms: lets a union of (addresses × ports) products be put in a canonical form.
   */
  static atoms(sets: readonly IpSet[]): IpSet[] {
    const out: IpSet[] = [];
    for (const family of [4, 6] as const) {
      const lists = sets.map((set) => (family === 4 ? set.v4 : set.v6));
      const points = new Set<bigint>();
      for (const list of lists) for (const i of list) points.add(i.start).add(i.end + 1n);
      const sorted = [...points].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      for (let k = 0; k + 1 < sorted.length; k++) {
        const start = sorted[k]!;
        const end = sorted[k + 1]! - 1n;
        if (!lists.some((list) => list.some((i) => i.start <= start && start <= i.end))) continue;
        const interval = [{ start, end }];
        out.push(family === 4 ? new IpSet(interval, []) : new IpSet([], interval));
      }
    }
    return out;
  }

  union(other: IpSet): IpSet {
    if (other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    return new IpSet(normalise([...this.v4, ...other.v4]), normalise([...this.v6, ...other.v6]));
  }

  subtract(other: IpSet): IpSet {
    if (other.isEmpty() || this.isEmpty()) return this;
    return new IpSet(subtractIntervals(this.v4, other.v4), subtractIntervals(this.v6, other.v6));
  }

  intersect(other: IpSet): IpSet {
    return this.subtract(this.subtract(other));
  }

  isEmpty(): boolean {
    return this.v4.length === 0 && this.v6.length === 0;
  }

  /** Whether this set holds every IPv4 and every IPv6 address. */
  isAll(): boolean {
    return this.subtractFrom(IpSet.ALL).isEmpty();
  }

  private subtractFrom(other: IpSet): IpSet {
    return other.subtract(this);
  }

  has(address: IpAddress): boolean {
    const list = address.family === 4 ? this.v4 : this.v6;
    return list.some((i) => i.start <= address.value && address.value <= i.end);
  }

  /** Whether every address of `other` is in this set. */
  covers(other: IpSet): boolean {
    return other.subtract(this).isEmpty();
  }

  equals(other: IpSet): boolean {
    return this.covers(other) && other.covers(this);
  }

  /** The set as a minimal list of CIDRs, IPv4 first, in address order. */
  toCidrs(): Cidr[] {
    const out: Cidr[] = [];
    for (const [family, list] of [[4, this.v4], [6, this.v6]] as const) {
      const bits = BigInt(BITS[family]);
      for (const interval of list) {
        let start = interval.start;
        while (start <= interval.end) {
          // The largest aligned block starting at `start` that fits in the interval.
          let size = 0n;
          while (size < bits && ((start >> size) & 1n) === 0n && start + (1n << (size + 1n)) - 1n <= interval.end) size++;
          out.push({ family, start, end: start + (1n << size) - 1n, prefix: Number(bits - size) });
          start += 1n << size;
        }
      }
    }
    return out;
  }

  /** `10.0.0.0/8, fd00::/8`, `0.0.0.0/0, ::/0` for everything, `none` when empty. */
  toString(): string {
    if (this.isEmpty()) return 'none';
    return this.toCidrs().map(formatCidr).join(', ');
  }
}

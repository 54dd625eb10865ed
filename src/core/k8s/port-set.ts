/**
 * Sets of (protocol, port) pairs: what a NetworkPolicy rule admits, and what a connectivity matrix cell allows.
 * Ports are 1–65535 per protocol (TCP, UDP, SCTP: the protocols NetworkPolicy knows). Immutable; the empty and the
 * full set are shared constants so cells of a large matrix cost nothing when they are either.
 */

export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export const MIN_PORT = 1;
export const MAX_PORT = 65535;

/** Closed port intervals, sorted, disjoint and not adjacent. */
type Ranges = readonly (readonly [number, number])[];

const FULL: Ranges = [[MIN_PORT, MAX_PORT]];
const NONE: Ranges = [];

function unionRanges(a: Ranges, b: Ranges): Ranges {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  if (a === FULL || b === FULL) return FULL;
  const all = [...a, ...b].sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of all) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out.length === 1 && out[0]![0] === MIN_PORT && out[0]![1] === MAX_PORT ? FULL : out;
}

function intersectRanges(a: Ranges, b: Ranges): Ranges {
  if (a.length === 0 || b.length === 0) return NONE;
  if (a === FULL) return b;
  if (b === FULL) return a;
  const out: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i]![0], b[j]![0]);
    const hi = Math.min(a[i]![1], b[j]![1]);
    if (lo <= hi) out.push([lo, hi]);
    if (a[i]![1] < b[j]![1]) i++;
    else j++;
  }
  return out;
}

function subtractRanges(a: Ranges, b: Ranges): Ranges {
  if (a.length === 0 || b.length === 0) return a;
  const complement: [number, number][] = [];
  let next = MIN_PORT;
  for (const [lo, hi] of b) {
    if (lo > next) complement.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_PORT) complement.push([next, MAX_PORT]);
  return intersectRanges(a, complement);
}

function sameRanges(a: Ranges, b: Ranges): boolean {
  return a.length === b.length && a.every((r, i) => r[0] === b[i]![0] && r[1] === b[i]![1]);
}

export class PortSet {
  static readonly NONE = new PortSet(NONE, NONE, NONE);
  static readonly ALL = new PortSet(FULL, FULL, FULL);

  private constructor(
    private readonly tcp: Ranges,
    private readonly udp: Ranges,
    private readonly sctp: Ranges,
  ) {}

  private static of(tcp: Ranges, udp: Ranges, sctp: Ranges): PortSet {
    if (tcp.length === 0 && udp.length === 0 && sctp.length === 0) return PortSet.NONE;
    if (tcp === FULL && udp === FULL && sctp === FULL) return PortSet.ALL;
    return new PortSet(tcp, udp, sctp);
  }

  private ranges(protocol: Protocol): Ranges {
    return protocol === 'TCP' ? this.tcp : protocol === 'UDP' ? this.udp : this.sctp;
  }

  /** Ports `from`–`to` (inclusive) of one protocol; `to` defaults to `from`. */
  static range(protocol: Protocol, from: number, to: number = from): PortSet {
    const lo = Math.max(MIN_PORT, from);
    const hi = Math.min(MAX_PORT, to);
    if (lo > hi) return PortSet.NONE;
    const ranges: Ranges = lo === MIN_PORT && hi === MAX_PORT ? FULL : [[lo, hi]];
    return PortSet.of(protocol === 'TCP' ? ranges : NONE, protocol === 'UDP' ? ranges : NONE, protocol === 'SCTP' ? ranges : NONE);
  }

  /** Every port of one protocol. */
  static protocol(protocol: Protocol): PortSet {
    return PortSet.range(protocol, MIN_PORT, MAX_PORT);
  }

  union(other: PortSet): PortSet {
    if (other === PortSet.NONE || this === PortSet.ALL) return this;
    if (this === PortSet.NONE || other === PortSet.ALL) return other;
    return PortSet.of(unionRanges(this.tcp, other.tcp), unionRanges(this.udp, other.udp), unionRanges(this.sctp, other.sctp));
  }

  intersect(other: PortSet): PortSet {
    if (other === PortSet.ALL || this === PortSet.NONE) return this;
    if (this === PortSet.ALL || other === PortSet.NONE) return other;
    return PortSet.of(intersectRanges(this.tcp, other.tcp), intersectRanges(this.udp, other.udp), intersectRanges(this.sctp, other.sctp));
  }

  subtract(other: PortSet): PortSet {
    if (other === PortSet.NONE || this === PortSet.NONE) return this;
    if (other === PortSet.ALL) return PortSet.NONE;
    return PortSet.of(subtractRanges(this.tcp, other.tcp), subtractRanges(this.udp, other.udp), subtractRanges(this.sctp, other.sctp));
  }

  isEmpty(): boolean {
    return this === PortSet.NONE;
  }

  isAll(): boolean {
    return this === PortSet.ALL;
  }

  has(protocol: Protocol, port: number): boolean {
    return this.ranges(protocol).some(([lo, hi]) => lo <= port && port <= hi);
  }

  equals(other: PortSet): boolean {
    return this === other || (sameRanges(this.tcp, other.tcp) && sameRanges(this.udp, other.udp) && sameRanges(this.sctp, other.sctp));
  }

  /** The ranges of each protocol (for JSON): `{TCP: [[80, 80], [8000, 8080]]}`; protocols without ports left out. */
  toJSON(): Partial<Record<Protocol, [number, number][]>> {
    const out: Partial<Record<Protocol, [number, number][]>> = {};
    for (const protocol of PROTOCOLS) {
      const ranges = this.ranges(protocol);
      if (ranges.length > 0) out[protocol] = ranges.map(([lo, hi]) => [lo, hi]);
    }
    return out;
  }

  /** `all`, `none`, or `TCP:80,8000-8080 UDP:53` (`TCP:*` for every TCP port). */
  toString(): string {
    if (this === PortSet.ALL) return 'all';
    if (this === PortSet.NONE) return 'none';
    const parts: string[] = [];
    for (const protocol of PROTOCOLS) {
      const ranges = this.ranges(protocol);
      if (ranges.length === 0) continue;
      const text = ranges === FULL ? '*' : ranges.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(',');
      parts.push(`${protocol}:${text}`);
    }
    return parts.join(' ');
  }
}

/**
 * Kubernetes' IP and CIDR libraries: ip(), isIP(), ip.isCanonical(), family, isUnspecified, isLoopback,
 * isLinkLocalMulticast, isLinkLocalUnicast, isGlobalUnicast, string(ip); cidr(), isCIDR(), containsIP, containsCIDR,
 * ip(), prefixLength, masked, string(cidr). Parsing follows Go's net/netip (no leading zeros in IPv4 octets, no
 * zones, no IPv4-mapped IPv6 as Kubernetes forbids them); formatting is netip's (RFC 5952 for IPv6).
 */
import { CelError, noSuchOverload } from '../errors.js';
import type { FunctionTable } from '../function-table.js';
import { CelType, Opaque, type Value } from '../values.js';

const IP_TYPE = new CelType('net.IP');
const CIDR_TYPE = new CelType('net.CIDR');

export class IpAddress extends Opaque {
  readonly celType = IP_TYPE;
  constructor(readonly bytes: Uint8Array) {
    super();
  }
  get family(): 4 | 6 {
    return this.bytes.length === 4 ? 4 : 6;
  }
  equals(other: Value): boolean {
    return other instanceof IpAddress && other.bytes.length === this.bytes.length && other.bytes.every((b, i) => b === this.bytes[i]);
  }
  override toString(): string {
    if (this.bytes.length === 4) return Array.from(this.bytes).join('.');
    const groups: number[] = [];
    for (let i = 0; i < 16; i += 2) groups.push((this.bytes[i]! << 8) | this.bytes[i + 1]!);
    // Longest run of two or more zero groups becomes "::" (first one on ties).
    let bestStart = -1;
    let bestLength = 1;
    for (let i = 0; i < 8; ) {
      if (groups[i] !== 0) { i++; continue; }
      let j = i;
      while (j < 8 && groups[j] === 0) j++;
      if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
      i = j;
    }
    const hex = groups.map((g) => g.toString(16));
    if (bestStart < 0) return hex.join(':');
    return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
  }
}

export class Cidr extends Opaque {
  readonly celType = CIDR_TYPE;
  constructor(readonly address: IpAddress, readonly prefixLength: number) {
    super();
  }
  equals(other: Value): boolean {
    return other instanceof Cidr && other.prefixLength === this.prefixLength && other.address.equals(this.address);
  }
  masked(): Cidr {
    const bytes = Uint8Array.from(this.address.bytes);
    for (let bit = this.prefixLength; bit < bytes.length * 8; bit++) bytes[bit >> 3]! &= ~(0x80 >> (bit & 7));
    return new Cidr(new IpAddress(bytes), this.prefixLength);
  }
  contains(ip: IpAddress): boolean {
    if (ip.bytes.length !== this.address.bytes.length) return false;
    for (let bit = 0; bit < this.prefixLength; bit++) {
      const mask = 0x80 >> (bit & 7);
      if ((ip.bytes[bit >> 3]! & mask) !== (this.address.bytes[bit >> 3]! & mask)) return false;
    }
    return true;
  }
  override toString(): string {
    return `${this.address}/${this.prefixLength}`;
  }
}

/** netip.ParseAddr, returning the reason on failure. */
function parseAddr(raw: string): { bytes: Uint8Array; zone?: string; mapped?: boolean } | string {
  if (raw === '') return 'unable to parse IP';
  if (raw.includes(':')) return parseIPv6(raw);
  if (raw.includes('.')) return parseIPv4(raw);
  return 'unable to parse IP';
}

function parseIPv4(raw: string): { bytes: Uint8Array } | string {
  const parts = raw.split('.');
  if (parts.length !== 4) return parts.length < 4 ? 'IPv4 address too short' : 'IPv4 address too long';
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p)) return p === '' ? 'IPv4 field must have at least one digit' : 'unexpected character';
    if (p.length > 1 && p.startsWith('0')) return 'IPv4 field has octet with leading zero';
    const n = Number(p);
    if (n > 255) return 'IPv4 field has value >255';
    bytes[i] = n;
  }
  return { bytes };
}

function parseIPv6(raw: string): { bytes: Uint8Array; zone?: string; mapped?: boolean } | string {
  let text = raw;
  let zone: string | undefined;
  const percent = text.indexOf('%');
  if (percent >= 0) {
    zone = text.slice(percent + 1);
    text = text.slice(0, percent);
    if (zone === '') return 'zone must be a non-empty string';
  }
  const groups: number[] = [];
  let ellipsis = -1;
  let rest = text;
  if (rest.startsWith('::')) {
    ellipsis = 0;
    rest = rest.slice(2);
  }
  while (rest.length > 0) {
    const m = /^[0-9a-fA-F]{1,4}/.exec(rest);
    if (!m) return 'each colon-separated field must have at least one digit';
    if (rest[m[0].length] === '.') {
      if (groups.length > 6) return 'too many fields';
      const v4 = parseIPv4(rest);
      if (typeof v4 === 'string') return v4;
      groups.push((v4.bytes[0]! << 8) | v4.bytes[1]!, (v4.bytes[2]! << 8) | v4.bytes[3]!);
      rest = '';
      break;
    }
    groups.push(parseInt(m[0], 16));
    rest = rest.slice(m[0].length);
    if (rest.length === 0) break;
    if (!rest.startsWith(':')) return 'unexpected character';
    if (rest.startsWith('::')) {
      if (ellipsis >= 0) return 'multiple :: in address';
      ellipsis = groups.length;
      rest = rest.slice(2);
    } else {
      rest = rest.slice(1);
      if (rest.length === 0) return 'colon must be followed by more characters';
    }
    if (groups.length > 8) return 'too many fields';
  }
  if (ellipsis < 0 && groups.length !== 8) return 'address string too short';
  if (ellipsis >= 0 && groups.length > 7) return 'the :: must expand to at least one field of zeros';
  const full = ellipsis < 0 ? groups : [...groups.slice(0, ellipsis), ...new Array(8 - groups.length).fill(0), ...groups.slice(ellipsis)];
  const bytes = new Uint8Array(16);
  full.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return { bytes, ...(zone !== undefined ? { zone } : {}), mapped };
}

function ipFromString(raw: string): IpAddress {
  const parsed = parseAddr(raw);
  if (typeof parsed === 'string') throw new CelError(`IP Address ${JSON.stringify(raw)} parse error during conversion from string: ParseAddr(${JSON.stringify(raw)}): ${parsed}`);
  if (parsed.zone !== undefined) throw new CelError(`IP address ${JSON.stringify(raw)} with zone value is not allowed`);
  if (parsed.mapped) throw new CelError(`IPv4-mapped IPv6 address ${JSON.stringify(raw)} is not allowed`);
  return new IpAddress(parsed.bytes);
}

function cidrFromString(raw: string): Cidr {
  const fail = (why: string): never => {
    throw new CelError(`network address parse error during conversion from string: netip.ParsePrefix(${JSON.stringify(raw)}): ${why}`);
  };
  const slash = raw.lastIndexOf('/');
  if (slash < 0) fail('no \'/\'');
  const addrText = raw.slice(0, slash);
  const bitsText = raw.slice(slash + 1);
  const parsed = parseAddr(addrText);
  if (typeof parsed === 'string') return fail(`ParseAddr(${JSON.stringify(addrText)}): ${parsed}`);
  if (parsed.zone !== undefined) fail('IPv6 zones cannot be present in a prefix');
  if (!/^\d+$/.test(bitsText) || (bitsText.length > 1 && bitsText.startsWith('0'))) fail(`bad bits after slash: ${JSON.stringify(bitsText)}`);
  const bits = Number(bitsText);
  if (bits > parsed.bytes.length * 8) fail(`prefix length out of range`);
  if (parsed.mapped) throw new CelError(`IPv4-mapped IPv6 address ${JSON.stringify(raw)} is not allowed`);
  return new Cidr(new IpAddress(parsed.bytes), bits);
}

function ip(v: Value): IpAddress {
  if (!(v instanceof IpAddress)) throw noSuchOverload();
  return v;
}
function cidr(v: Value): Cidr {
  if (!(v instanceof Cidr)) throw noSuchOverload();
  return v;
}
function str(v: Value): string {
  if (typeof v !== 'string') throw noSuchOverload();
  return v;
}

function isLoopback(a: IpAddress): boolean {
  return a.family === 4 ? a.bytes[0] === 127 : a.bytes.every((b, i) => (i === 15 ? b === 1 : b === 0));
}
function isGlobalUnicast(a: IpAddress): boolean {
  const b = a.bytes;
  if (a.family === 4) {
    if (b.every((x) => x === 255)) return false;
  } else if (b[0] === 0xff) return false;
  if (b.every((x) => x === 0)) return false;
  if (isLoopback(a)) return false;
  if (a.family === 4 ? b[0]! >= 224 && b[0]! <= 239 : false) return false;
  if (a.family === 4 ? b[0] === 169 && b[1] === 254 : b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return false;
  return true;
}

const IP = ['net.IP'] as const;
const CIDR = ['net.CIDR'] as const;

export const NETWORK_ADDRESS_LIBRARY: FunctionTable = {
  ip: {
    global: { 1: (s: Value) => ipFromString(str(s)) },
    method: { 0: (c: Value) => cidr(c).address },
    result: 'net.IP',
  },
  isIP: {
    global: {
      1: (s: Value) => {
        try {
          ipFromString(str(s));
          return true;
        } catch (e) {
          if (e instanceof CelError) return false;
          throw e;
        }
      },
    },
    result: 'bool',
  },
  'ip.isCanonical': { global: { 1: (s: Value) => ipFromString(str(s)).toString() === s }, result: 'bool' },
  family: { method: { 0: (a: Value) => BigInt(ip(a).family) }, result: 'int', receivers: IP },
  isUnspecified: { method: { 0: (a: Value) => ip(a).bytes.every((b) => b === 0) }, result: 'bool', receivers: IP },
  isLoopback: { method: { 0: (a: Value) => isLoopback(ip(a)) }, result: 'bool', receivers: IP },
  isLinkLocalMulticast: {
    method: { 0: (a: Value) => { const x = ip(a); return x.family === 4 ? x.bytes[0] === 224 && x.bytes[1] === 0 && x.bytes[2] === 0 : x.bytes[0] === 0xff && (x.bytes[1]! & 0x0f) === 0x02; } },
    result: 'bool',
    receivers: IP,
  },
  isLinkLocalUnicast: {
    method: { 0: (a: Value) => { const x = ip(a); return x.family === 4 ? x.bytes[0] === 169 && x.bytes[1] === 254 : x.bytes[0] === 0xfe && (x.bytes[1]! & 0xc0) === 0x80; } },
    result: 'bool',
    receivers: IP,
  },
  isGlobalUnicast: { method: { 0: (a: Value) => isGlobalUnicast(ip(a)) }, result: 'bool', receivers: IP },
  cidr: { global: { 1: (s: Value) => cidrFromString(str(s)) }, result: 'net.CIDR' },
  isCIDR: {
    global: {
      1: (s: Value) => {
        try {
          cidrFromString(str(s));
          return true;
        } catch (e) {
          if (e instanceof CelError) return false;
          throw e;
        }
      },
    },
    result: 'bool',
  },
  containsIP: {
    method: { 1: (c: Value, other: Value) => cidr(c).contains(typeof other === 'string' ? ipFromString(other) : ip(other)) },
    result: 'bool',
    receivers: CIDR,
  },
  containsCIDR: {
    method: {
      1: (c: Value, other: Value) => {
        const inner = typeof other === 'string' ? cidrFromString(other) : cidr(other);
        const outer = cidr(c);
        return inner.prefixLength >= outer.prefixLength && outer.contains(inner.address);
      },
    },
    result: 'bool',
    receivers: CIDR,
  },
  prefixLength: { method: { 0: (c: Value) => BigInt(cidr(c).prefixLength) }, result: 'int', receivers: CIDR },
  masked: { method: { 0: (c: Value) => cidr(c).masked() }, result: 'net.CIDR', receivers: CIDR },
};

/** string(ip) and string(cidr) extend the standard string() conversion. */
export function networkAddressToString(v: Value): string | undefined {
  return v instanceof IpAddress || v instanceof Cidr ? v.toString() : undefined;
}

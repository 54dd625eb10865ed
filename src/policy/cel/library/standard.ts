/**
 * The CEL standard library as cel-go implements it: arithmetic with overflow checks, comparisons (cross-type numeric
 * ordering on, as Kubernetes enables it), `in`, size, string predicates, `matches` (RE2), type conversions, and
 * timestamp/duration accessors. Error texts are cel-go's.
 */
import { CelError, noSuchOverload } from '../errors.js';
import type { FunctionTable, StaticType } from '../function-table.js';
import { compileRegex } from '../regex-cache.js';
import {
  calendarOf, checkedDuration, checkedTimestamp, formatDuration, formatTimestamp, parseDuration, parseTimestamp,
} from '../time-values.js';
import {
  CelDuration, CelTimestamp, CelType, CelUint, celCompare, celEquals, formatDouble, isMap, mapHas, mapSize, typeOf,
  type Value,
} from '../values.js';

const INT64_MIN = -9223372036854775808n;
const INT64_MAX = 9223372036854775807n;
const UINT64_MAX = 18446744073709551615n;

function int64(value: bigint): bigint {
  if (value < INT64_MIN || value > INT64_MAX) throw new CelError('integer overflow');
  return value;
}
function uint64(value: bigint): CelUint {
  if (value < 0n || value > UINT64_MAX) throw new CelError('unsigned integer overflow');
  return new CelUint(value);
}

function add(a: Value, b: Value): Value {
  if (typeof a === 'bigint' && typeof b === 'bigint') return int64(a + b);
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === 0 ? b : b.length === 0 ? a : [...a, ...b];
  if (a instanceof CelUint && b instanceof CelUint) return uint64(a.value + b.value);
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    const out = new Uint8Array(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  }
  if (a instanceof CelDuration && b instanceof CelDuration) return checkedDuration(a.nanos + b.nanos);
  if (a instanceof CelTimestamp && b instanceof CelDuration) return checkedTimestamp(a.nanos + b.nanos);
  if (a instanceof CelDuration && b instanceof CelTimestamp) return checkedTimestamp(a.nanos + b.nanos);
  throw noSuchOverload();
}

function subtract(a: Value, b: Value): Value {
  if (typeof a === 'bigint' && typeof b === 'bigint') return int64(a - b);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (a instanceof CelUint && b instanceof CelUint) return uint64(a.value - b.value);
  if (a instanceof CelDuration && b instanceof CelDuration) return checkedDuration(a.nanos - b.nanos);
  if (a instanceof CelTimestamp && b instanceof CelDuration) return checkedTimestamp(a.nanos - b.nanos);
  if (a instanceof CelTimestamp && b instanceof CelTimestamp) return checkedDuration(a.nanos - b.nanos);
  throw noSuchOverload();
}

function multiply(a: Value, b: Value): Value {
  if (typeof a === 'bigint' && typeof b === 'bigint') return int64(a * b);
  if (typeof a === 'number' && typeof b === 'number') return a * b;
  if (a instanceof CelUint && b instanceof CelUint) return uint64(a.value * b.value);
  throw noSuchOverload();
}

function divide(a: Value, b: Value): Value {
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    if (b === 0n) throw new CelError('division by zero');
    return int64(a / b);
  }
  if (typeof a === 'number' && typeof b === 'number') return a / b;
  if (a instanceof CelUint && b instanceof CelUint) {
    if (b.value === 0n) throw new CelError('division by zero');
    return new CelUint(a.value / b.value);
  }
  throw noSuchOverload();
}

function modulo(a: Value, b: Value): Value {
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    if (b === 0n) throw new CelError('modulus by zero');
    if (a === INT64_MIN && b === -1n) throw new CelError('integer overflow');
    return a % b;
  }
  if (a instanceof CelUint && b instanceof CelUint) {
    if (b.value === 0n) throw new CelError('modulus by zero');
    return new CelUint(a.value % b.value);
  }
  throw noSuchOverload();
}

function negate(a: Value): Value {
  if (typeof a === 'bigint') return int64(-a);
  if (typeof a === 'number') return -a;
  throw noSuchOverload();
}

function not(a: Value): Value {
  if (typeof a === 'boolean') return !a;
  throw noSuchOverload();
}

function ordered(test: (c: number) => boolean): (a: Value, b: Value) => boolean {
  return (a, b) => {
    const c = celCompare(a, b);
    return !Number.isNaN(c) && test(c);
  };
}

function inOperator(element: Value, container: Value): boolean {
  if (Array.isArray(container)) {
    for (const item of container) if (celEquals(item, element)) return true;
    return false;
  }
  if (isMap(container)) return mapHas(container, element);
  throw noSuchOverload();
}

export function sizeOf(value: Value): bigint {
  if (typeof value === 'string') {
    let n = 0;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c < 0xd800 || c > 0xdbff) n++;
    }
    return BigInt(n);
  }
  if (Array.isArray(value)) return BigInt(value.length);
  if (value instanceof Uint8Array) return BigInt(value.length);
  if (isMap(value)) return BigInt(mapSize(value));
  throw noSuchOverload();
}

function stringMethod(test: (s: string, arg: string) => boolean) {
  return (s: Value, arg: Value): boolean => {
    if (typeof s !== 'string' || typeof arg !== 'string') throw noSuchOverload();
    return test(s, arg);
  };
}

function matches(s: Value, pattern: Value): boolean {
  if (typeof s !== 'string' || typeof pattern !== 'string') throw noSuchOverload();
  return compileRegex(pattern).matcher(s).find();
}

const GO_INT = /^[+-]?\d+$/;

function parseGoInt(text: string, kind: 'int' | 'uint'): bigint {
  const fn = kind === 'int' ? 'ParseInt' : 'ParseUint';
  if (!(kind === 'int' ? GO_INT : /^\+?\d+$/).test(text)) throw new CelError(`strconv.${fn}: parsing ${JSON.stringify(text)}: invalid syntax`);
  const value = BigInt(text);
  if (kind === 'int' ? value < INT64_MIN || value > INT64_MAX : value > UINT64_MAX) {
    throw new CelError(`strconv.${fn}: parsing ${JSON.stringify(text)}: value out of range`);
  }
  return value;
}

function toInt(v: Value): bigint {
  if (typeof v === 'bigint') return v;
  if (v instanceof CelUint) return int64(v.value);
  if (typeof v === 'number') {
    if (!(v > -9223372036854775808 && v < 9223372036854775808)) throw new CelError('integer overflow');
    return BigInt(Math.trunc(v));
  }
  if (typeof v === 'string') return parseGoInt(v, 'int');
  if (v instanceof CelTimestamp) return v.nanos / 1_000_000_000n - (v.nanos % 1_000_000_000n < 0n ? 1n : 0n);
  if (v instanceof CelDuration) return v.nanos;
  throw noSuchOverload();
}

function toUint(v: Value): CelUint {
  if (v instanceof CelUint) return v;
  if (typeof v === 'bigint') return uint64(v);
  if (typeof v === 'number') {
    if (!(v >= 0 && v < 18446744073709551616)) throw new CelError('unsigned integer overflow');
    return new CelUint(BigInt(Math.trunc(v)));
  }
  if (typeof v === 'string') return new CelUint(parseGoInt(v, 'uint'));
  throw noSuchOverload();
}

function toDouble(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof CelUint) return Number(v.value);
  if (typeof v === 'string') {
    const t = v.trim() === v ? v : '';
    if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
    if (/^nan$/i.test(t)) return NaN;
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) || /^[+-]?0[xX][0-9a-fA-F]+(\.[0-9a-fA-F]*)?([pP][+-]?\d+)?$/.test(t)) {
      return Number(t);
    }
    throw new CelError(`strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
  }
  throw noSuchOverload();
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

export function toCelString(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return formatDouble(v);
  if (v instanceof CelUint) return v.value.toString();
  if (v instanceof Uint8Array) {
    try {
      return UTF8.decode(v);
    } catch {
      throw new CelError('invalid UTF-8 in bytes, cannot convert to string');
    }
  }
  if (v instanceof CelTimestamp) return formatTimestamp(v);
  if (v instanceof CelDuration) return formatDuration(v);
  if (v instanceof CelType) return v.name;
  throw noSuchOverload();
}

function toBool(v: Value): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
    if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
    throw new CelError(`strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
  }
  throw noSuchOverload();
}

function toBytes(v: Value): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return new Uint8Array(Buffer.from(v, 'utf8'));
  throw noSuchOverload();
}

function toTimestamp(v: Value): CelTimestamp {
  if (v instanceof CelTimestamp) return v;
  if (typeof v === 'string') return parseTimestamp(v);
  if (typeof v === 'bigint') return checkedTimestamp(v * 1_000_000_000n);
  throw noSuchOverload();
}

function toDuration(v: Value): CelDuration {
  if (v instanceof CelDuration) return v;
  if (typeof v === 'string') return parseDuration(v);
  if (typeof v === 'bigint') return checkedDuration(v);
  throw noSuchOverload();
}

type CalendarField = keyof ReturnType<typeof calendarOf>;

function timestampAccessor(field: CalendarField, adjust = 0) {
  const read = (ts: Value, zone?: Value): bigint => {
    if (!(ts instanceof CelTimestamp) || (zone !== undefined && typeof zone !== 'string')) throw noSuchOverload();
    return BigInt(calendarOf(ts, zone as string | undefined)[field] + adjust);
  };
  return { 0: (ts: Value) => read(ts), 1: (ts: Value, zone: Value) => read(ts, zone) };
}

function durationOrTimestamp(field: CalendarField, durationUnit: bigint | undefined) {
  const ts = timestampAccessor(field);
  return {
    0: (v: Value) => {
      if (v instanceof CelDuration && durationUnit !== undefined) return v.nanos / durationUnit;
      return ts[0](v);
    },
    1: ts[1],
  };
}

const sameAsFirst = (args: StaticType[]): StaticType => args[0] ?? 'dyn';

export const STANDARD_LIBRARY: FunctionTable = {
  '_+_': { global: { 2: add }, result: sameAsFirst },
  '_-_': { global: { 2: subtract }, result: (a) => (a[0] === 'google.protobuf.Timestamp' && a[1] === 'google.protobuf.Timestamp' ? 'google.protobuf.Duration' : sameAsFirst(a)) },
  '_*_': { global: { 2: multiply }, result: sameAsFirst },
  '_/_': { global: { 2: divide }, result: sameAsFirst },
  '_%_': { global: { 2: modulo }, result: sameAsFirst },
  '-_': { global: { 1: negate }, result: sameAsFirst },
  '!_': { global: { 1: not }, result: 'bool' },
  '_==_': { global: { 2: celEquals }, result: 'bool' },
  '_!=_': { global: { 2: (a: Value, b: Value) => !celEquals(a, b) }, result: 'bool' },
  '_<_': { global: { 2: ordered((c) => c < 0) }, result: 'bool' },
  '_<=_': { global: { 2: ordered((c) => c <= 0) }, result: 'bool' },
  '_>_': { global: { 2: ordered((c) => c > 0) }, result: 'bool' },
  '_>=_': { global: { 2: ordered((c) => c >= 0) }, result: 'bool' },
  '@in': { global: { 2: inOperator }, result: 'bool' },
  size: { global: { 1: sizeOf }, method: { 0: sizeOf }, result: 'int', receivers: ['string', 'bytes', 'list', 'map'] },
  contains: { method: { 1: stringMethod((s, a) => s.includes(a)) }, result: 'bool', receivers: ['string'] },
  startsWith: { method: { 1: stringMethod((s, a) => s.startsWith(a)) }, result: 'bool', receivers: ['string'] },
  endsWith: { method: { 1: stringMethod((s, a) => s.endsWith(a)) }, result: 'bool', receivers: ['string'] },
  matches: { global: { 2: matches }, method: { 1: matches }, result: 'bool', receivers: ['string'] },
  int: { global: { 1: toInt }, result: 'int' },
  uint: { global: { 1: toUint }, result: 'uint' },
  double: { global: { 1: toDouble }, result: 'double' },
  string: { global: { 1: toCelString }, result: 'string' },
  bool: { global: { 1: toBool }, result: 'bool' },
  bytes: { global: { 1: toBytes }, result: 'bytes' },
  dyn: { global: { 1: (v: Value) => v }, result: 'dyn' },
  type: { global: { 1: typeOf }, result: 'type' },
  timestamp: { global: { 1: toTimestamp }, result: 'google.protobuf.Timestamp' },
  duration: { global: { 1: toDuration }, result: 'google.protobuf.Duration' },
  getFullYear: { method: timestampAccessor('year'), result: 'int' },
  getMonth: { method: timestampAccessor('month'), result: 'int' },
  getDate: { method: timestampAccessor('day'), result: 'int' },
  getDayOfMonth: { method: timestampAccessor('day', -1), result: 'int' },
  getDayOfWeek: { method: timestampAccessor('dayOfWeek'), result: 'int' },
  getDayOfYear: { method: timestampAccessor('dayOfYear'), result: 'int' },
  getHours: { method: durationOrTimestamp('hours', 3_600_000_000_000n), result: 'int' },
  getMinutes: { method: durationOrTimestamp('minutes', 60_000_000_000n), result: 'int' },
  getSeconds: { method: durationOrTimestamp('seconds', 1_000_000_000n), result: 'int' },
  getMilliseconds: {
    method: {
      0: (v: Value) => (v instanceof CelDuration ? v.nanos / 1_000_000n : timestampAccessor('milliseconds')[0](v)),
      1: timestampAccessor('milliseconds')[1],
    },
    result: 'int',
  },
};

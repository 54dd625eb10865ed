/**
 * How CEL values are held in JavaScript, and the operations every part of the runtime needs on them.
 *
 *   CEL type        JS representation
 *   int             bigint (always within int64: arithmetic checks overflow)
 *   uint            CelUint
 *   double          number
 *   bool, string    boolean, string
 *   bytes           Uint8Array
 *   null_type       null
 *   list            readonly array of values
 *   map             plain object (string keys, as decoded from JSON, prototype Object or null) or CelMap
 *   type            CelType
 *   optional_type   CelOptional
 *   timestamp       CelTimestamp; duration: CelDuration
 *   Kubernetes      OpaqueValue classes (Quantity, URL, IP, CIDR, Semver, Format, authorizer values)
 *
 * Kubernetes objects come in as JSON; {@link celValueOf} converts them once per request (numbers become int when
 * integral, as the apiserver's unstructured decoding does, otherwise double).
 */
import { CelError, noSuchKey, noSuchOverload } from './errors.js';

export type Value = unknown;

export class CelUint {
  constructor(readonly value: bigint) {}
}

export class CelType {
  constructor(readonly name: string) {}
  toString(): string {
    return this.name;
  }
}

export const TYPES = {
  int: new CelType('int'),
  uint: new CelType('uint'),
  double: new CelType('double'),
  bool: new CelType('bool'),
  string: new CelType('string'),
  bytes: new CelType('bytes'),
  null: new CelType('null_type'),
  list: new CelType('list'),
  map: new CelType('map'),
  type: new CelType('type'),
  optional: new CelType('optional_type'),
  timestamp: new CelType('google.protobuf.Timestamp'),
  duration: new CelType('google.protobuf.Duration'),
} as const;

export class CelOptional {
  private constructor(readonly value: Value | undefined) {}
  static readonly NONE = new CelOptional(undefined);
  static of(value: Value): CelOptional {
    return new CelOptional(value);
  }
  hasValue(): boolean {
    return this.value !== undefined;
  }
}

/** A Kubernetes library value (Quantity, URL, IP, …): its own type, equality and ordering. */
export interface OpaqueValue {
  readonly celType: CelType;
  equals(other: Value): boolean;
  compare?(other: Value): number;
}

export abstract class Opaque implements OpaqueValue {
  abstract readonly celType: CelType;
  abstract equals(other: Value): boolean;
}

export class CelTimestamp {
  /** Nanoseconds since the Unix epoch. */
  constructor(readonly nanos: bigint) {}
}

export class CelDuration {
  constructor(readonly nanos: bigint) {}
}

/** A CEL map with non-string keys (int, uint, bool) or built by the language. Numeric keys compare by value. */
export class CelMap {
  private readonly entries = new Map<string | bigint | boolean, [Value, Value]>();
  static keyOf(key: Value): string | bigint | boolean | undefined {
    if (typeof key === 'string' || typeof key === 'bigint' || typeof key === 'boolean') return key;
    if (key instanceof CelUint) return key.value;
    if (typeof key === 'number' && Number.isInteger(key)) return BigInt(key);
    return undefined;
  }
  set(key: Value, value: Value): void {
    const k = CelMap.keyOf(key);
    if (k === undefined) throw new CelError(`unsupported key type`);
    this.entries.set(k, [key, value]);
  }
  hasKey(key: Value): boolean {
    const k = CelMap.keyOf(key);
    return k !== undefined && this.entries.has(k);
  }
  get(key: Value): Value | undefined {
    const k = CelMap.keyOf(key);
    return k === undefined ? undefined : this.entries.get(k)?.[1];
  }
  get size(): number {
    return this.entries.size;
  }
  *keys(): IterableIterator<Value> {
    for (const [key] of this.entries.values()) yield key;
  }
  *pairs(): IterableIterator<[Value, Value]> {
    yield* this.entries.values();
  }
}

export function isPlainObject(value: unknown): value is Record<string, Value> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function isMap(value: unknown): value is Record<string, Value> | CelMap {
  return value instanceof CelMap || isPlainObject(value);
}

export function isOpaque(value: unknown): value is OpaqueValue {
  return value instanceof Opaque;
}

const hasOwn = Object.prototype.hasOwnProperty;

export function mapSize(map: Record<string, Value> | CelMap): number {
  return map instanceof CelMap ? map.size : Object.keys(map).length;
}

export function mapHas(map: Record<string, Value> | CelMap, key: Value): boolean {
  if (map instanceof CelMap) return map.hasKey(key);
  return typeof key === 'string' && hasOwn.call(map, key);
}

/** The value under `key`, or undefined when absent. */
export function mapGet(map: Record<string, Value> | CelMap, key: Value): Value | undefined {
  if (map instanceof CelMap) return map.get(key);
  return typeof key === 'string' && hasOwn.call(map, key) ? map[key] : undefined;
}

export function mapKeys(map: Record<string, Value> | CelMap): Value[] {
  return map instanceof CelMap ? [...map.keys()] : Object.keys(map);
}

export function mapEntries(map: Record<string, Value> | CelMap): [Value, Value][] {
  return map instanceof CelMap ? [...map.pairs()] : Object.entries(map);
}

/** Field selection `m.f` on a map: the value, or cel-go's "no such key" error. */
export function selectField(operand: Value, field: string): Value {
  if (isPlainObject(operand)) {
    if (hasOwn.call(operand, field)) return operand[field];
    throw noSuchKey(field);
  }
  if (operand instanceof CelMap) {
    const value = operand.get(field);
    if (value === undefined) throw noSuchKey(field);
    return value;
  }
  if (isFieldHolder(operand)) return operand.selectField(field);
  throw noSuchOverload();
}

/** An opaque value with fields (the lazily evaluated `variables`). */
export interface FieldHolder {
  selectField(field: string): Value;
  hasField(field: string): boolean;
}

export function isFieldHolder(value: unknown): value is FieldHolder {
  return isOpaque(value) && typeof (value as Partial<FieldHolder>).selectField === 'function';
}

/** `has(m.f)`: presence of a key. */
export function hasField(operand: Value, field: string): boolean {
  if (isPlainObject(operand)) return hasOwn.call(operand, field);
  if (operand instanceof CelMap) return operand.hasKey(field);
  if (isFieldHolder(operand)) return operand.hasField(field);
  throw noSuchOverload();
}

/** Converts decoded JSON into CEL values: integral numbers become int, other numbers double. Copies containers. */
export function celValueOf(json: unknown): Value {
  switch (typeof json) {
    case 'number':
      if (Number.isInteger(json) && json >= -9223372036854775808 && json < 9223372036854775808) return BigInt(json);
      return json;
    case 'object': {
      if (json === null) return null;
      if (Array.isArray(json)) {
        const out = new Array(json.length);
        for (let i = 0; i < json.length; i++) out[i] = celValueOf(json[i]);
        return out;
      }
      if (!isPlainObject(json)) return json;
      const out: Record<string, Value> = Object.create(null);
      for (const key of Object.keys(json)) {
        const v = json[key];
        if (v !== undefined) out[key] = celValueOf(v);
      }
      return out;
    }
    case 'undefined':
      return null;
    default:
      return json;
  }
}

/** Converts a CEL value back to JSON-able data (int → number; used for results shown to users). */
export function jsonOf(value: Value): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof CelUint) return Number(value.value);
  if (Array.isArray(value)) return value.map(jsonOf);
  if (value instanceof CelMap) return Object.fromEntries([...value.pairs()].map(([k, v]) => [String(jsonOf(k)), jsonOf(v)]));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonOf(v)]));
  if (value instanceof CelOptional) return value.hasValue() ? jsonOf(value.value) : null;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof CelType) return value.name;
  if (isOpaque(value)) return String(value);
  return value;
}

export function typeOf(value: Value): CelType {
  switch (typeof value) {
    case 'bigint':
      return TYPES.int;
    case 'number':
      return TYPES.double;
    case 'string':
      return TYPES.string;
    case 'boolean':
      return TYPES.bool;
    case 'object':
      if (value === null) return TYPES.null;
      if (Array.isArray(value)) return TYPES.list;
      if (value instanceof CelUint) return TYPES.uint;
      if (value instanceof Uint8Array) return TYPES.bytes;
      if (value instanceof CelOptional) return TYPES.optional;
      if (value instanceof CelType) return TYPES.type;
      if (value instanceof CelTimestamp) return TYPES.timestamp;
      if (value instanceof CelDuration) return TYPES.duration;
      if (isOpaque(value)) return value.celType;
      if (isMap(value)) return TYPES.map;
  }
  throw new CelError(`unsupported value: ${String(value)}`);
}

function numericValue(value: Value): number | bigint | undefined {
  if (typeof value === 'bigint' || typeof value === 'number') return value;
  if (value instanceof CelUint) return value.value;
  return undefined;
}

/** Compares two numbers of any CEL numeric type exactly (cross-type numeric comparison). NaN gives NaN. */
export function compareNumbers(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : a === b ? 0 : NaN;
  // Mixed int/double: compare exactly, not through a lossy conversion.
  const d = typeof a === 'number' ? a : (b as number);
  const i = typeof a === 'bigint' ? a : (b as bigint);
  const sign = typeof a === 'number' ? 1 : -1;
  if (Number.isNaN(d)) return NaN;
  if (d === Infinity) return sign;
  if (d === -Infinity) return -sign;
  const floor = BigInt(Math.floor(d));
  let result: number;
  if (floor < i) result = -1;
  else if (floor > i) result = 1;
  else result = Number.isInteger(d) ? 0 : 1;
  return sign * result;
}

/** CEL equality (heterogeneous: values of different types are unequal, numbers compare across types). */
export function celEquals(a: Value, b: Value): boolean {
  if (a === b) return typeof a !== 'number' || !Number.isNaN(a);
  const na = numericValue(a);
  if (na !== undefined) {
    const nb = numericValue(b);
    return nb !== undefined && compareNumbers(na, nb) === 0;
  }
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!celEquals(a[i], b[i])) return false;
    return true;
  }
  if (isMap(a)) {
    if (!isMap(b) || mapSize(a) !== mapSize(b)) return false;
    for (const [key, value] of mapEntries(a)) {
      const other = mapGet(b, key);
      if (other === undefined || !celEquals(value, other)) return false;
    }
    return true;
  }
  if (a instanceof Uint8Array) {
    if (!(b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (a instanceof CelOptional) {
    if (!(b instanceof CelOptional)) return false;
    if (!a.hasValue() || !b.hasValue()) return a.hasValue() === b.hasValue();
    return celEquals(a.value, b.value);
  }
  if (a instanceof CelType) return b instanceof CelType && a.name === b.name;
  if (a instanceof CelTimestamp) return b instanceof CelTimestamp && a.nanos === b.nanos;
  if (a instanceof CelDuration) return b instanceof CelDuration && a.nanos === b.nanos;
  if (isOpaque(a)) return a.equals(b);
  return false;
}

function compareStrings(a: string, b: string): number {
  // Go compares strings by UTF-8 bytes, which orders like code points, not like UTF-16 code units.
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Ordering for `<`, `<=`, `>`, `>=`, sort, min and max; throws "no such overload" for unordered pairs. */
export function celCompare(a: Value, b: Value): number {
  const na = numericValue(a);
  if (na !== undefined) {
    const nb = numericValue(b);
    if (nb === undefined) throw noSuchOverload();
    return compareNumbers(na, nb);
  }
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
    return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
  }
  if (a instanceof CelTimestamp && b instanceof CelTimestamp) return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
  if (a instanceof CelDuration && b instanceof CelDuration) return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
  if (isOpaque(a) && a.compare && typeOf(b) === a.celType) return a.compare(b);
  throw noSuchOverload();
}

/** Formats a double the way Go's strconv.FormatFloat(f, 'g', -1, 64) does (cel-go's string(double)). */
export function formatDouble(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [mantissa, expText] = value.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  // %g with the shortest precision switches to exponent form outside [1e-4, 1e6).
  if (exp < -4 || exp >= 6) {
    const abs = Math.abs(exp);
    return `${mantissa}e${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
  }
  return value.toString();
}

/** Shape of a value for "no such overload" style messages and for `string()` of lists in messages. */
export function describeType(value: Value): string {
  return typeOf(value).name;
}

/**
 * Kubernetes' quantity library: quantity(), isQuantity(), sign, isGreaterThan, isLessThan, compareTo,
 * asApproximateFloat, asInteger, isInteger, add, sub. A quantity is held exactly as numerator / 10^scale (binary
 * suffixes multiply the numerator), so comparisons and sums never round.
 */
import { CelError, noSuchOverload } from '../errors.js';
import type { FunctionTable } from '../function-table.js';
import { CelType, Opaque, type Value } from '../values.js';

const QUANTITY_TYPE = new CelType('kubernetes.Quantity');
const PATTERN_TEXT = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
const PATTERN = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const INT64_MIN = -9223372036854775808n;
const INT64_MAX = 9223372036854775807n;

const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Record<string, bigint> = { Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n };

export class Quantity extends Opaque {
  readonly celType = QUANTITY_TYPE;
  /** value = numerator / 10^scale, scale ≥ 0. */
  constructor(readonly numerator: bigint, readonly scale: number, private readonly text?: string) {
    super();
  }

  static parse(text: string): Quantity {
    const invalid = (): never => {
      throw new CelError(`quantities must match the regular expression '${PATTERN_TEXT}'`);
    };
    const m = PATTERN.exec(text);
    if (!m) invalid();
    const [, number, suffix] = m as unknown as [string, string, string];
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(number)) invalid();
    let exponent10 = 0;
    let multiplier = 1n;
    if (suffix in BINARY_SUFFIX) multiplier = BINARY_SUFFIX[suffix]!;
    else if (suffix in DECIMAL_SUFFIX) exponent10 = DECIMAL_SUFFIX[suffix]!;
    else if (/^[eE][-+]?\d+$/.test(suffix)) exponent10 = Number(suffix.slice(1));
    else invalid();
    const negative = number.startsWith('-');
    const digits = number.replace(/^[+-]/, '');
    const [whole = '', frac = ''] = digits.split('.');
    let numerator = BigInt((whole + frac) || '0') * multiplier;
    let scale = frac.length - exponent10;
    if (scale < 0) {
      numerator *= 10n ** BigInt(-scale);
      scale = 0;
    }
    // The apiserver rounds anything finer than nano (10^-9) up, away from zero.
    if (scale > 9) {
      const divisor = 10n ** BigInt(scale - 9);
      numerator = (numerator + divisor - 1n) / divisor;
      scale = 9;
    }
    return new Quantity(negative ? -numerator : numerator, scale, text);
  }

  static ofInt(value: bigint): Quantity {
    return new Quantity(value, 0);
  }

  private aligned(other: Quantity): [bigint, bigint, number] {
    const scale = Math.max(this.scale, other.scale);
    return [this.numerator * 10n ** BigInt(scale - this.scale), other.numerator * 10n ** BigInt(scale - other.scale), scale];
  }

  compareTo(other: Quantity): number {
    const [a, b] = this.aligned(other);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  plus(other: Quantity, sign: 1n | -1n): Quantity {
    const [a, b, scale] = this.aligned(other);
    return new Quantity(a + sign * b, scale);
  }

  sign(): bigint {
    return this.numerator < 0n ? -1n : this.numerator > 0n ? 1n : 0n;
  }

  /** The value as an int64, or undefined when it is fractional or out of range (Quantity.AsInt64). */
  asInt64(): bigint | undefined {
    const divisor = 10n ** BigInt(this.scale);
    if (this.numerator % divisor !== 0n) return undefined;
    const value = this.numerator / divisor;
    return value < INT64_MIN || value > INT64_MAX ? undefined : value;
  }

  asApproximateFloat(): number {
    return Number(this.numerator) / 10 ** this.scale;
  }

  equals(other: Value): boolean {
    return other instanceof Quantity && this.compareTo(other) === 0;
  }

  override toString(): string {
    return this.text ?? (this.scale === 0 ? this.numerator.toString() : `${this.numerator}e-${this.scale}`);
  }
}

function q(v: Value): Quantity {
  if (!(v instanceof Quantity)) throw noSuchOverload();
  return v;
}

function operand(v: Value): Quantity {
  if (typeof v === 'bigint') return Quantity.ofInt(v);
  return q(v);
}

const QUANTITY = ['kubernetes.Quantity'] as const;

export const QUANTITY_LIBRARY: FunctionTable = {
  quantity: {
    global: {
      1: (s: Value) => {
        if (typeof s !== 'string') throw noSuchOverload();
        return Quantity.parse(s);
      },
    },
    result: 'kubernetes.Quantity',
  },
  isQuantity: {
    global: {
      1: (s: Value) => {
        if (typeof s !== 'string') throw noSuchOverload();
        try {
          Quantity.parse(s);
          return true;
        } catch {
          return false;
        }
      },
    },
    result: 'bool',
  },
  sign: { method: { 0: (a: Value) => q(a).sign() }, result: 'int', receivers: QUANTITY },
  isGreaterThan: { method: { 1: (a: Value, b: Value) => q(a).compareTo(q(b)) === 1 }, result: 'bool', receivers: QUANTITY },
  isLessThan: { method: { 1: (a: Value, b: Value) => q(a).compareTo(q(b)) === -1 }, result: 'bool', receivers: QUANTITY },
  compareTo: { method: { 1: (a: Value, b: Value) => BigInt(q(a).compareTo(q(b))) }, result: 'int', receivers: QUANTITY },
  asApproximateFloat: { method: { 0: (a: Value) => q(a).asApproximateFloat() }, result: 'double', receivers: QUANTITY },
  asInteger: {
    method: {
      0: (a: Value) => {
        const value = q(a).asInt64();
        if (value === undefined) throw new CelError('cannot convert value to integer');
        return value;
      },
    },
    result: 'int',
    receivers: QUANTITY,
  },
  isInteger: { method: { 0: (a: Value) => q(a).asInt64() !== undefined }, result: 'bool', receivers: QUANTITY },
  add: { method: { 1: (a: Value, b: Value) => q(a).plus(operand(b), 1n) }, result: 'kubernetes.Quantity', receivers: QUANTITY },
  sub: { method: { 1: (a: Value, b: Value) => q(a).plus(operand(b), -1n) }, result: 'kubernetes.Quantity', receivers: QUANTITY },
};

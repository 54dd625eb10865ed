/**
 * Kubernetes' regex library (find, findAll over RE2) and cel-go's optional type functions (optional.of,
 * optional.ofNonZeroValue, optional.none, hasValue, value, or, orValue; optMap/optFlatMap are parser macros).
 */
import { CelError, noSuchOverload } from '../errors.js';
import type { FunctionTable } from '../function-table.js';
import { compileRegex } from '../regex-cache.js';
import { CelOptional, CelUint, isMap, mapSize, type Value } from '../values.js';

function illegal(e: unknown): CelError {
  return new CelError(`Illegal regex: ${e instanceof CelError ? e.message : String(e)}`);
}

function regexOf(pattern: Value) {
  if (typeof pattern !== 'string') throw noSuchOverload();
  try {
    return compileRegex(pattern);
  } catch (e) {
    throw illegal(e);
  }
}

function find(s: Value, pattern: Value): string {
  if (typeof s !== 'string') throw noSuchOverload();
  const m = regexOf(pattern).matcher(s);
  return m.find() ? (m.group(0) ?? '') : '';
}

function findAll(s: Value, pattern: Value, limit: Value = -1n): string[] {
  if (typeof s !== 'string' || typeof limit !== 'bigint') throw noSuchOverload();
  const m = regexOf(pattern).matcher(s);
  const out: string[] = [];
  let n = Number(limit);
  if (n === 0) return out;
  // Go's FindAllString skips an empty match right after the previous match.
  let lastEnd = -1;
  while (m.find()) {
    const start = m.start();
    const end = m.end();
    if (start === end && start === lastEnd) continue;
    out.push(m.group(0) ?? '');
    lastEnd = end;
    if (n > 0 && --n === 0) break;
  }
  return out;
}

function optional(v: Value): CelOptional {
  if (!(v instanceof CelOptional)) throw noSuchOverload();
  return v;
}

function isZeroValue(v: Value): boolean {
  if (v === null || v === false || v === '' || v === 0n || v === 0) return true;
  if (v instanceof CelUint) return v.value === 0n;
  if (Array.isArray(v)) return v.length === 0;
  if (v instanceof Uint8Array) return v.length === 0;
  if (isMap(v)) return mapSize(v) === 0;
  return false;
}

export const REGEX_LIBRARY: FunctionTable = {
  find: { method: { 1: find }, result: 'string', receivers: ['string'] },
  findAll: { method: { 1: findAll, 2: findAll }, result: 'list', receivers: ['string'] },
  '@validateRegex': { global: { 1: (p: Value) => regexOf(p) } },
};

export const OPTIONAL_LIBRARY: FunctionTable = {
  'optional.of': { global: { 1: (v: Value) => CelOptional.of(v) }, result: 'optional' },
  'optional.ofNonZeroValue': { global: { 1: (v: Value) => (isZeroValue(v) ? CelOptional.NONE : CelOptional.of(v)) }, result: 'optional' },
  'optional.none': { global: { 0: () => CelOptional.NONE }, result: 'optional' },
  hasValue: { method: { 0: (o: Value) => optional(o).hasValue() }, result: 'bool', receivers: ['optional'] },
  value: {
    method: {
      0: (o: Value) => {
        const opt = optional(o);
        if (!opt.hasValue()) throw new CelError('optional.none() dereference');
        return opt.value;
      },
    },
    receivers: ['optional'],
  },
  or: { method: { 1: (o: Value, other: Value) => (optional(o).hasValue() ? o : optional(other)) }, result: 'optional', receivers: ['optional'] },
  orValue: { method: { 1: (o: Value, other: Value) => { const opt = optional(o); return opt.hasValue() ? opt.value : other; } }, receivers: ['optional'] },
};

/**
 * List functions: Kubernetes' lists library (isSorted, sum, min, max, indexOf, lastIndexOf on lists), cel-go's ext
 * lists at version 3 (lists.range, slice, flatten, distinct, reverse, sort, first, last; sortBy is a macro in the
 * parser) and ext sets (sets.contains, sets.equivalent, sets.intersects).
 */
import { CelError, noSuchOverload } from '../errors.js';
import type { FunctionTable } from '../function-table.js';
import { CelOptional, celCompare, celEquals, type Value } from '../values.js';
import { STANDARD_LIBRARY } from './standard.js';

function list(v: Value): readonly Value[] {
  if (!Array.isArray(v)) throw noSuchOverload();
  return v;
}

function isSorted(v: Value): boolean {
  const l = list(v);
  for (let i = 1; i < l.length; i++) if (celCompare(l[i - 1], l[i]) > 0) return false;
  return true;
}

const add = STANDARD_LIBRARY['_+_']!.global![2]!;

function sum(v: Value): Value {
  const l = list(v);
  if (l.length === 0) return 0n;
  let acc = l[0];
  for (let i = 1; i < l.length; i++) acc = add(acc, l[i]);
  return acc;
}

function extreme(name: 'min' | 'max') {
  return (v: Value): Value => {
    const l = list(v);
    if (l.length === 0) throw new CelError(`${name} called on empty list`);
    let best = l[0];
    for (let i = 1; i < l.length; i++) {
      const c = celCompare(best, l[i]);
      if (name === 'min' ? c > 0 : c < 0) best = l[i];
    }
    return best;
  };
}

function listIndexOf(target: Value, item: Value): bigint {
  const l = list(target);
  for (let i = 0; i < l.length; i++) if (celEquals(l[i], item)) return BigInt(i);
  return -1n;
}

function listLastIndexOf(target: Value, item: Value): bigint {
  const l = list(target);
  for (let i = l.length - 1; i >= 0; i--) if (celEquals(l[i], item)) return BigInt(i);
  return -1n;
}

function slice(v: Value, start: Value, end: Value): Value[] {
  const l = list(v);
  if (typeof start !== 'bigint' || typeof end !== 'bigint') throw noSuchOverload();
  if (start < 0n || end < 0n) throw new CelError(`cannot slice(${start}, ${end}), negative indexes not supported`);
  if (start > end) throw new CelError(`cannot slice(${start}, ${end}), start index must be less than or equal to end index`);
  if (end > BigInt(l.length)) throw new CelError(`cannot slice(${start}, ${end}), list is length ${l.length}`);
  return l.slice(Number(start), Number(end));
}

function flatten(v: Value, depth: Value = 1n): Value[] {
  const l = list(v);
  if (typeof depth !== 'bigint') throw noSuchOverload();
  if (depth < 0n) throw new CelError('level must be non-negative');
  const out: Value[] = [];
  for (const e of l) {
    if (Array.isArray(e) && depth > 0n) out.push(...flatten(e, depth - 1n));
    else out.push(e);
  }
  return out;
}

function distinct(v: Value): Value[] {
  const out: Value[] = [];
  for (const e of list(v)) if (!out.some((o) => celEquals(o, e))) out.push(e);
  return out;
}

function sort(v: Value): Value[] {
  const l = list(v);
  const out = [...l];
  out.sort((a, b) => celCompare(a, b));
  return out;
}

function range(n: Value): Value[] {
  if (typeof n !== 'bigint') throw noSuchOverload();
  const out: Value[] = [];
  for (let i = 0n; i < n; i++) out.push(i);
  return out;
}

function setsContains(a: Value, b: Value): boolean {
  const l = list(a);
  return list(b).every((e) => l.some((x) => celEquals(x, e)));
}

/** Kubernetes' own lists library (since 1.0; indexOf/lastIndexOf come through {@link withListIndexOf}). */
export const KUBERNETES_LISTS_LIBRARY: FunctionTable = {
  isSorted: { method: { 0: isSorted }, result: 'bool', receivers: ['list'] },
  sum: { method: { 0: sum }, receivers: ['list'] },
  min: { method: { 0: extreme('min') }, receivers: ['list'] },
  max: { method: { 0: extreme('max') }, receivers: ['list'] },
};

/** cel-go ext lists at version 3 (Kubernetes 1.34 for stored expressions; sortBy is a parser macro). */
export const EXT_LISTS_LIBRARY: FunctionTable = {
  slice: { method: { 2: slice }, result: 'list', receivers: ['list'] },
  flatten: { method: { 0: flatten, 1: flatten }, result: 'list', receivers: ['list'] },
  distinct: { method: { 0: distinct }, result: 'list', receivers: ['list'] },
  reverse: { method: { 0: (v: Value) => [...list(v)].reverse() }, result: 'list', receivers: ['list'] },
  sort: { method: { 0: sort }, result: 'list', receivers: ['list'] },
  first: { method: { 0: (v: Value) => (list(v).length ? CelOptional.of(list(v)[0]) : CelOptional.NONE) }, result: 'optional', receivers: ['list'] },
  last: { method: { 0: (v: Value) => { const l = list(v); return l.length ? CelOptional.of(l[l.length - 1]) : CelOptional.NONE; } }, result: 'optional', receivers: ['list'] },
  'lists.range': { global: { 1: range }, result: 'list' },
};

/** cel-go ext sets (Kubernetes 1.29). */
export const SETS_LIBRARY: FunctionTable = {
  'sets.contains': { global: { 2: setsContains }, result: 'bool' },
  'sets.equivalent': { global: { 2: (a: Value, b: Value) => setsContains(a, b) && setsContains(b, a) }, result: 'bool' },
  'sets.intersects': { global: { 2: (a: Value, b: Value) => list(b).some((e) => list(a).some((x) => celEquals(x, e))) }, result: 'bool' },
};

/** indexOf/lastIndexOf exist for both strings (ext strings) and lists (Kubernetes lists): dispatch on the target. */
export function withListIndexOf(strings: FunctionTable): FunctionTable {
  const dispatch = (stringImpl: ((...a: Value[]) => Value) | undefined, listImpl: (t: Value, i: Value) => Value) => (target: Value, ...args: Value[]): Value => {
    if (Array.isArray(target)) {
      if (args.length !== 1) throw noSuchOverload();
      return listImpl(target, args[0]);
    }
    if (!stringImpl) throw noSuchOverload();
    return stringImpl(target, ...args);
  };
  return {
    indexOf: { method: { 1: dispatch(strings.indexOf?.method?.[1], listIndexOf), 2: dispatch(strings.indexOf?.method?.[2], listIndexOf) }, result: 'int', receivers: ['string', 'list'] },
    lastIndexOf: { method: { 1: dispatch(strings.lastIndexOf?.method?.[1], listLastIndexOf), 2: dispatch(strings.lastIndexOf?.method?.[2], listLastIndexOf) }, result: 'int', receivers: ['string', 'list'] },
  };
}

/**
 * The shape of a CEL function library: implementations by call style and arity, plus the static result type the
 * compiler uses to reject ill-typed expressions up front (as cel-go's checker does for Kubernetes).
 */
import type { Value } from './values.js';

/** A static type: a CEL type name ('dyn' when unknown), or a declared object type with known fields. */
export type StaticType = string | ObjectType;

export interface ObjectType {
  name: string;
  fields: Record<string, StaticType>;
}

export const DYN = 'dyn';
/**
 * A type our inference does not work out (cel-go may know it precisely, e.g. the element type of a literal list).
 * It behaves as dyn, except that checks needing an exact type (result types, homogeneous literals) accept it.
 */
export const UNKNOWN = '?';

/* eslint-disable @typescript-eslint/no-explicit-any -- implementations check their own argument types at run time */
export type GlobalImpl = (...args: any[]) => Value;
export type MethodImpl = (target: any, ...args: any[]) => Value;

export interface CelFunction {
  /** `f(a, b)`: implementation per argument count. */
  global?: Partial<Record<number, GlobalImpl>>;
  /** `t.f(a)`: implementation per argument count (the target not counted). */
  method?: Partial<Record<number, MethodImpl>>;
  /** Static result type from the static argument types (target first for methods). Default dyn. */
  result?: StaticType | ((args: StaticType[]) => StaticType);
  /** Static receiver types a method accepts; a known other type is a compile error. */
  receivers?: readonly string[];
  /** Kubernetes minor version whose CEL environment introduced the function (absent: always there). */
  since?: number;
}

export type FunctionTable = Record<string, CelFunction>;

/** The same functions, marked as introduced in Kubernetes 1.`minor`. */
export function introducedIn(minor: number, table: FunctionTable): FunctionTable {
  return Object.fromEntries(Object.entries(table).map(([name, fn]) => [name, { ...fn, since: minor }]));
}

export function staticTypeName(type: StaticType): string {
  return typeof type === 'string' ? type : type.name;
}

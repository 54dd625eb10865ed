/**
 * Compiles a parsed CEL expression into a tree of JavaScript closures (done once per policy), and type-checks it on
 * the way the way cel-go's checker does for what Kubernetes declares: undeclared identifiers and functions, fields of
 * declared object types (`request`, `namespaceObject`, `variables`), homogeneous literals, operator overloads on
 * statically known types, and the result type. Everything typed `dyn` (object, oldObject, params) is checked at run
 * time, with cel-go's error values.
 */
import type { ComprehensionMacro, Node } from './ast.js';
import { CelCompileError, CelError, isCelError, noSuchOverload } from './errors.js';
import { DYN, UNKNOWN, staticTypeName, type CelFunction, type FunctionTable, type ObjectType, type StaticType } from './function-table.js';
import {
  CelMap, CelOptional, CelType, CelUint, TYPES, celCompare, hasField, isFieldHolder, isMap, isPlainObject, mapEntries, mapGet,
  mapKeys, selectField, typeOf, type Value,
} from './values.js';

/** Per-evaluation state: the top-level variables and the comprehension variable slots. */
export interface Frame {
  readonly vars: Readonly<Record<string, Value>>;
  readonly slots: Value[];
}

export type Evaluator = (frame: Frame) => Value;

export interface CompiledExpression {
  /** Evaluates against the top-level variables; throws {@link CelError} on a CEL error. */
  evaluate(vars: Readonly<Record<string, Value>>): Value;
  readonly resultType: StaticType;
}

export interface CompileEnvironment {
  /** Declared top-level variables and their static types. */
  variables: Readonly<Record<string, StaticType>>;
  functions: FunctionTable;
  /** Kubernetes minor version of the CEL environment: functions and macros introduced later are undeclared. */
  version: number;
}

/** Comprehension macros introduced after Kubernetes 1.0 (two-variable forms: 1.32; sortBy, ext lists: 1.34). */
function macroSince(macro: ComprehensionMacro, variables: number): number {
  if (macro === 'sortBy') return 34;
  if (macro === 'optMap' || macro === 'optFlatMap') return 28;
  return variables === 2 ? 32 : 0;
}

interface Compiled {
  run: Evaluator;
  type: StaticType;
  /** Set when the value is a compile-time constant (literals), for regex validation and folding. */
  constant?: { value: Value };
}

const TYPE_IDENTIFIERS: Record<string, CelType> = {
  int: TYPES.int,
  uint: TYPES.uint,
  double: TYPES.double,
  bool: TYPES.bool,
  string: TYPES.string,
  bytes: TYPES.bytes,
  list: TYPES.list,
  map: TYPES.map,
  null_type: TYPES.null,
  type: TYPES.type,
  optional_type: TYPES.optional,
  'google.protobuf.Timestamp': TYPES.timestamp,
  'google.protobuf.Duration': TYPES.duration,
};

const NUMERIC = new Set(['int', 'uint', 'double']);
const PRIMITIVE = new Set(['int', 'uint', 'double', 'bool', 'string', 'bytes', 'null_type']);
const ARITHMETIC: Record<string, readonly string[]> = {
  '_+_': ['int', 'uint', 'double', 'string', 'bytes', 'list'],
  '_-_': ['int', 'uint', 'double'],
  '_*_': ['int', 'uint', 'double'],
  '_/_': ['int', 'uint', 'double'],
  '_%_': ['int', 'uint'],
};
const ORDERING = new Set(['_<_', '_<=_', '_>_', '_>=_']);

function tryEval(run: Evaluator, frame: Frame): Value | CelError {
  try {
    return run(frame);
  } catch (e) {
    if (isCelError(e)) return e;
    throw e;
  }
}

function literalTypeOf(value: Value): StaticType {
  if (value === null) return 'null_type';
  switch (typeof value) {
    case 'bigint':
      return 'int';
    case 'number':
      return 'double';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
  }
  if (value instanceof CelUint) return 'uint';
  if (value instanceof Uint8Array) return 'bytes';
  return UNKNOWN;
}

function describeStatic(type: StaticType): string {
  return staticTypeName(type);
}

function isKnown(type: StaticType): boolean {
  return type !== DYN && type !== UNKNOWN;
}

class Compiler {
  private readonly slots = new Map<string, number>();
  /** Static type of each comprehension variable slot. */
  private readonly slotTypes = new Map<number, StaticType>();
  private slotCount = 0;
  /** How many enclosing calls are named format (their literals are exempt from the homogeneity check). */
  private insideFormat = 0;

  constructor(private readonly env: CompileEnvironment) {}

  get frameSize(): number {
    return this.slotCount;
  }

  compile(node: Node): Compiled {
    switch (node.kind) {
      case 'literal': {
        const value = node.value;
        return { run: () => value, type: literalTypeOf(value), constant: { value } };
      }
      case 'ident':
        return this.ident(node.name, node.pos);
      case 'select':
        return this.select(node);
      case 'has':
        return this.has(node);
      case 'index':
        return this.index(node);
      case 'call':
        return this.call(node);
      case 'list':
        return this.list(node);
      case 'map':
        return this.map(node);
      case 'conditional': {
        const c = this.compile(node.condition);
        const t = this.compile(node.then);
        const f = this.compile(node.otherwise);
        if (isKnown(c.type) && c.type !== 'bool') throw new CelCompileError(`found no matching overload for '_?_:_' applied to '(${describeStatic(c.type)}, ${describeStatic(t.type)}, ${describeStatic(f.type)})'`, node.pos);
        const run: Evaluator = (frame) => {
          const cond = c.run(frame);
          if (cond === true) return t.run(frame);
          if (cond === false) return f.run(frame);
          throw noSuchOverload();
        };
        const [tn, fn] = [staticTypeName(t.type), staticTypeName(f.type)];
        return { run, type: tn === fn ? t.type : tn === DYN || fn === DYN ? DYN : UNKNOWN };
      }
      case 'and':
      case 'or':
        return this.logical(node.kind, node.left, node.right, node.pos);
      case 'comprehension':
        return this.comprehension(node.macro, node.range, node.vars, node.body, node.pos);
    }
  }

  private ident(name: string, pos: number): Compiled {
    const slot = this.slots.get(name);
    if (slot !== undefined) return { run: (frame) => frame.slots[slot], type: this.slotTypes.get(slot) ?? UNKNOWN };
    const declared = this.env.variables[name];
    if (declared !== undefined) {
      return {
        run: (frame) => {
          const value = frame.vars[name];
          if (value === undefined) throw new CelError(`no such attribute(s): ${name}`);
          return value;
        },
        type: declared,
      };
    }
    const typeValue = TYPE_IDENTIFIERS[name];
    if (typeValue) return { run: () => typeValue, type: 'type', constant: { value: typeValue } };
    throw new CelCompileError(`undeclared reference to '${name}' (in container '')`, pos);
  }

  /** `a.b.c` spelled as a dotted name, when it is one (for qualified function names and declared `x.y` names). */
  private qualifiedName(node: Node): string | undefined {
    if (node.kind === 'ident') return this.slots.has(node.name) ? undefined : node.name;
    if (node.kind === 'select' && !node.optional) {
      const parent = this.qualifiedName(node.operand);
      return parent === undefined ? undefined : `${parent}.${node.field}`;
    }
    return undefined;
  }

  private select(node: Extract<Node, { kind: 'select' }>): Compiled {
    // A declared variable whose name has a dot (authorizer.requestResource) wins over field selection.
    const qualified = this.qualifiedName(node);
    if (qualified !== undefined && qualified.includes('.') && this.env.variables[qualified] !== undefined) {
      return this.ident(qualified, node.pos);
    }
    const operand = this.compile(node.operand);
    const field = node.field;
    let type: StaticType = DYN;
    if (typeof operand.type !== 'string') {
      const fieldType = operand.type.fields[field];
      if (fieldType === undefined) throw new CelCompileError(`undefined field '${field}'`, node.pos);
      type = node.optional ? 'optional' : fieldType;
    } else if (PRIMITIVE.has(operand.type) || operand.type === 'list') {
      throw new CelCompileError(`type '${operand.type}' does not support field selection`, node.pos);
    } else if (node.optional) type = 'optional';
    const run = operand.run;
    if (node.optional) {
      return { run: (frame) => optionalSelect(run(frame), field), type };
    }
    return {
      run: (frame) => {
        const value = run(frame);
        if (value instanceof CelOptional) return optionalSelect(value, field);
        return selectField(value, field);
      },
      type,
    };
  }

  private has(node: Extract<Node, { kind: 'has' }>): Compiled {
    const operand = this.compile(node.operand);
    const field = node.field;
    if (typeof operand.type !== 'string' && operand.type.fields[field] === undefined) {
      throw new CelCompileError(`undefined field '${field}'`, node.pos);
    }
    const run = operand.run;
    return {
      run: (frame) => {
        const value = run(frame);
        if (value instanceof CelOptional) return value.hasValue() ? hasField(value.value, field) : false;
        return hasField(value, field);
      },
      type: 'bool',
    };
  }

  private index(node: Extract<Node, { kind: 'index' }>): Compiled {
    const operand = this.compile(node.operand);
    const index = this.compile(node.index);
    if (isKnown(operand.type) && typeof operand.type === 'string' && !['list', 'map', 'optional'].includes(operand.type)) {
      throw new CelCompileError(`found no matching overload for '_[_]' applied to '(${describeStatic(operand.type)}, ${describeStatic(index.type)})'`, node.pos);
    }
    const o = operand.run;
    const i = index.run;
    if (node.optional) return { run: (frame) => optionalIndex(o(frame), i(frame)), type: 'optional' };
    return {
      run: (frame) => {
        const container = o(frame);
        const key = i(frame);
        if (container instanceof CelOptional) return optionalIndex(container, key);
        return indexValue(container, key);
      },
      type: staticTypeName(operand.type) === DYN ? DYN : UNKNOWN,
    };
  }

  private list(node: Extract<Node, { kind: 'list' }>): Compiled {
    const elements = node.elements.map((e) => this.compile(e));
    const optional = node.optional;
    // Homogeneous aggregate literals (cel.HomogeneousAggregateLiterals): all element types must agree.
    // cel-go's homogeneous aggregate literal check compares exact types (dyn is a type of its own there); lists
    // anywhere inside a format() call are exempt. Optional elements count by their value type (unknown here).
    const known = this.insideFormat > 0 ? [] : elements.map((e, k) => (optional[k] ? UNKNOWN : staticTypeName(e.type))).filter((t) => t !== UNKNOWN);
    if (new Set(known).size > 1) {
      const first = known[0]!;
      const other = known.find((t) => t !== first)!;
      const at = node.elements[elements.findIndex((e) => staticTypeName(e.type) === other)]!;
      throw new CelCompileError(`expected type '${first}' but found '${other}'`, at.pos);
    }
    const runs = elements.map((e) => e.run);
    if (!optional.some(Boolean)) {
      if (runs.length === 0) return { run: () => [], type: 'list' };
      return {
        run: (frame) => {
          const out = new Array(runs.length);
          for (let k = 0; k < runs.length; k++) out[k] = runs[k]!(frame);
          return out;
        },
        type: 'list',
      };
    }
    return {
      run: (frame) => {
        const out: Value[] = [];
        for (let k = 0; k < runs.length; k++) {
          const value = runs[k]!(frame);
          if (!optional[k]) {
            out.push(value);
            continue;
          }
          if (!(value instanceof CelOptional)) throw new CelError(`cannot initialize optional list element from non-optional value ${String(value)}`);
          if (value.hasValue()) out.push(value.value);
        }
        return out;
      },
      type: 'list',
    };
  }

  private map(node: Extract<Node, { kind: 'map' }>): Compiled {
    const entries = node.entries.map((e) => ({ key: this.compile(e.key), value: this.compile(e.value), optional: e.optional, pos: e.key.pos }));
    for (const key of [entries.map((e) => e.key.type), entries.filter((e) => !e.optional).map((e) => e.value.type)]) {
      const known = this.insideFormat > 0 ? [] : key.map(staticTypeName).filter((t) => t !== UNKNOWN);
      if (new Set(known).size > 1) throw new CelCompileError(`expected type '${known[0]}' but found '${known.find((t) => t !== known[0])}'`, node.pos);
    }
    for (const e of entries) {
      if (isKnown(e.key.type) && !['string', 'int', 'uint', 'bool'].includes(staticTypeName(e.key.type))) {
        throw new CelCompileError(`unsupported map key type: ${describeStatic(e.key.type)}`, e.pos);
      }
    }
    return {
      run: (frame) => {
        let plain: Record<string, Value> | undefined = Object.create(null) as Record<string, Value>;
        let general: CelMap | undefined;
        for (const e of entries) {
          const key = e.key.run(frame);
          let value = e.value.run(frame);
          if (e.optional) {
            if (!(value instanceof CelOptional)) throw new CelError(`cannot initialize optional entry '${String(key)}' from non-optional value ${String(value)}`);
            if (!value.hasValue()) continue;
            value = value.value;
          }
          if (typeof key === 'string' && plain) {
            if (Object.prototype.hasOwnProperty.call(plain, key)) throw new CelError(`insert failed: key ${key} already exists`);
            plain[key] = value;
            continue;
          }
          if (CelMap.keyOf(key) === undefined) throw new CelError('unsupported key type');
          if (!general) {
            general = new CelMap();
            for (const [k, v] of Object.entries(plain!)) general.set(k, v);
            plain = undefined;
          }
          if (general.hasKey(key)) throw new CelError(`insert failed: key ${String(key)} already exists`);
          general.set(key, value);
        }
        return general ?? plain;
      },
      type: 'map',
    };
  }

  private logical(kind: 'and' | 'or', leftNode: Node, rightNode: Node, pos: number): Compiled {
    const left = this.compile(leftNode);
    const right = this.compile(rightNode);
    for (const side of [left, right]) {
      if (isKnown(side.type) && side.type !== 'bool') {
        throw new CelCompileError(`found no matching overload for '${kind === 'and' ? '_&&_' : '_||_'}' applied to '(${describeStatic(left.type)}, ${describeStatic(right.type)})'`, pos);
      }
    }
    const l = left.run;
    const r = right.run;
    // CEL's commutative logic: a decisive value on either side wins over an error on the other.
    const decisive = kind === 'or';
    const run: Evaluator = (frame) => {
      const a = tryEval(l, frame);
      if (a === decisive) return decisive;
      const b = tryEval(r, frame);
      if (b === decisive) return decisive;
      if (a === !decisive && b === !decisive) return !decisive;
      if (isCelError(a)) throw a;
      if (a !== !decisive) throw noSuchOverload();
      if (isCelError(b)) throw b;
      throw noSuchOverload();
    };
    return { run, type: 'bool' };
  }

  private call(node: Extract<Node, { kind: 'call' }>): Compiled {
    if (node.name !== 'format') return this.callInner(node);
    this.insideFormat++;
    try {
      return this.callInner(node);
    } finally {
      this.insideFormat--;
    }
  }

  private callInner(node: Extract<Node, { kind: 'call' }>): Compiled {
    // Qualified global functions: optional.of(x), strings.quote(s), sets.contains(a, b), lists.range(n).
    if (node.target) {
      const qualified = this.qualifiedName(node.target);
      if (qualified !== undefined && this.env.variables[qualified.split('.')[0]!] === undefined) {
        const fn = this.available(this.env.functions[`${qualified}.${node.name}`]);
        if (fn) return this.globalCall(`${qualified}.${node.name}`, fn, node.args, node.pos);
      }
    }
    const fn = this.available(this.env.functions[node.name]);
    if (!fn) throw new CelCompileError(`undeclared reference to '${node.name}' (in container '')`, node.pos);
    if (node.target) return this.methodCall(node.name, fn, node.target, node.args, node.pos);
    return this.globalCall(node.name, fn, node.args, node.pos);
  }

  private available(fn: CelFunction | undefined): CelFunction | undefined {
    return fn && (fn.since ?? 0) <= this.env.version ? fn : undefined;
  }

  private resultType(fn: CelFunction, args: StaticType[]): StaticType {
    if (fn.result === undefined) return UNKNOWN;
    return typeof fn.result === 'function' ? fn.result(args) : fn.result;
  }

  /**
   * cel-go's checker on operators: a statically known operand type must have an overload (even when the other side
   * is dyn), and the result type follows the overload that can apply. Returns the result type for operators.
   */
  private checkOperator(name: string, args: Compiled[], pos: number): StaticType | undefined {
    const types = args.map((a) => staticTypeName(a.type));
    const fail = (): never => {
      throw new CelCompileError(`found no matching overload for '${name}' applied to '(${types.join(', ')})'`, pos);
    };
    const [a, b] = types as [string, string | undefined];
    const known = types.filter((t) => t !== DYN && t !== UNKNOWN);
    const TS = 'google.protobuf.Timestamp';
    const DUR = 'google.protobuf.Duration';
    if (ARITHMETIC[name]) {
      const allowed = new Set([...ARITHMETIC[name]!, ...(name === '_+_' || name === '_-_' ? [TS, DUR] : [])]);
      if (known.some((t) => !allowed.has(t))) fail();
      if (known.length < 2) return known[0] ?? DYN;
      if (a === b && a !== TS) return a;
      if (name === '_+_' && ((a === TS && b === DUR) || (a === DUR && b === TS))) return TS;
      if (name === '_-_' && a === TS && b === DUR) return TS;
      if (name === '_-_' && a === TS && b === TS) return DUR;
      return fail();
    }
    if (name === '-_') {
      if (known.some((t) => t !== 'int' && t !== 'double')) fail();
      return known[0] ?? DYN;
    }
    if (name === '!_') {
      if (known.some((t) => t !== 'bool')) fail();
      return 'bool';
    }
    if (name === '_==_' || name === '_!=_') {
      if (known.length === 2 && a !== b && a !== 'null_type' && b !== 'null_type') fail();
      return 'bool';
    }
    if (ORDERING.has(name)) {
      if (known.some((t) => ['list', 'map', 'null_type', 'type', 'optional'].includes(t))) fail();
      if (known.length === 2 && a !== b && !(NUMERIC.has(a) && NUMERIC.has(b!))) fail();
      return 'bool';
    }
    if (name === '@in') {
      if (b !== undefined && b !== DYN && b !== UNKNOWN && b !== 'list' && b !== 'map') fail();
      return 'bool';
    }
    return undefined;
  }

  private globalCall(name: string, fn: CelFunction, argNodes: Node[], pos: number): Compiled {
    const args = argNodes.map((a) => this.compile(a));
    const impl = fn.global?.[args.length];
    if (!impl) {
      throw new CelCompileError(`found no matching overload for '${name}' applied to '(${args.map((a) => describeStatic(a.type)).join(', ')})'`, pos);
    }
    const operatorType = this.checkOperator(name, args, pos);
    if (name === 'matches' && args[1]?.constant) this.validateRegex(args[1].constant.value, argNodes[1]!.pos);
    const type = operatorType ?? this.resultType(fn, args.map((a) => a.type));
    const runs = args.map((a) => a.run);
    switch (runs.length) {
      case 0:
        return { run: () => impl(), type };
      case 1: {
        const [a] = runs as [Evaluator];
        return { run: (frame) => impl(a(frame)), type };
      }
      case 2: {
        const [a, b] = runs as [Evaluator, Evaluator];
        return { run: (frame) => impl(a(frame), b(frame)), type };
      }
      default:
        return { run: (frame) => impl(...runs.map((r) => r(frame))), type };
    }
  }

  private methodCall(name: string, fn: CelFunction, targetNode: Node, argNodes: Node[], pos: number): Compiled {
    const target = this.compile(targetNode);
    const args = argNodes.map((a) => this.compile(a));
    const impl = fn.method?.[args.length];
    const targetType = staticTypeName(target.type);
    if (!impl || (fn.receivers && isKnown(target.type) && !fn.receivers.includes(targetType))) {
      throw new CelCompileError(`found no matching overload for '${name}' applied to '${targetType}.(${args.map((a) => describeStatic(a.type)).join(', ')})'`, pos);
    }
    if (name === 'matches' && args[0]?.constant) this.validateRegex(args[0].constant.value, argNodes[0]!.pos);
    const type = this.resultType(fn, [target.type, ...args.map((a) => a.type)]);
    const t = target.run;
    const runs = args.map((a) => a.run);
    switch (runs.length) {
      case 0:
        return { run: (frame) => impl(t(frame)), type };
      case 1: {
        const [a] = runs as [Evaluator];
        return { run: (frame) => impl(t(frame), a(frame)), type };
      }
      case 2: {
        const [a, b] = runs as [Evaluator, Evaluator];
        return { run: (frame) => impl(t(frame), a(frame), b(frame)), type };
      }
      default:
        return { run: (frame) => impl(t(frame), ...runs.map((r) => r(frame))), type };
    }
  }

  private validateRegex(pattern: Value, pos: number): void {
    if (typeof pattern !== 'string') return;
    const check = this.env.functions['@validateRegex']?.global?.[1];
    if (!check) return;
    try {
      check(pattern);
    } catch {
      // cel-go's ValidateRegexLiterals: a literal pattern that does not compile.
      throw new CelCompileError('invalid matches argument', pos);
    }
  }

  private withVariables<T>(names: string[], body: (slots: number[]) => T): T {
    const saved = names.map((n) => this.slots.get(n));
    const slots = names.map((n) => {
      const slot = this.slotCount++;
      this.slots.set(n, slot);
      return slot;
    });
    try {
      return body(slots);
    } finally {
      names.forEach((n, k) => {
        const previous = saved[k];
        if (previous === undefined) this.slots.delete(n);
        else this.slots.set(n, previous);
      });
    }
  }

  private comprehension(macro: ComprehensionMacro, rangeNode: Node, vars: string[], bodyNodes: Node[], pos: number): Compiled {
    if (macroSince(macro, vars.length) > this.env.version) {
      throw new CelCompileError(`undeclared reference to '${macro}' (in container '')`, pos);
    }
    const range = this.compile(rangeNode);
    const rangeType = staticTypeName(range.type);
    if (macro === 'optMap' || macro === 'optFlatMap') {
      if (isKnown(range.type) && rangeType !== 'optional') throw new CelCompileError(`found no matching overload for '${macro}' applied to '${rangeType}'`, pos);
    } else if (isKnown(range.type) && rangeType !== 'list' && rangeType !== 'map') {
      throw new CelCompileError(`expression of type '${rangeType}' cannot be range of a comprehension (must be list, map, or dynamic)`, rangeNode.pos);
    }
    return this.withVariables(vars, (slots) => {
      // Variables over a dyn range are dyn (cel-go); over a typed list we do not track the element type.
      const elementType = rangeType === DYN ? DYN : UNKNOWN;
      slots.forEach((slot, k) => this.slotTypes.set(slot, slots.length === 2 && k === 0 && rangeType === 'list' ? 'int' : elementType));
      const body = bodyNodes.map((b) => this.compile(b));
      const predicateMacros = new Set<ComprehensionMacro>(['all', 'exists', 'existsOne', 'filter']);
      if (predicateMacros.has(macro) || ((macro === 'map' || macro.startsWith('transform')) && body.length === 2)) {
        const predicate = body[0]!;
        if (isKnown(predicate.type) && predicate.type !== 'bool') {
          throw new CelCompileError(`found no matching overload for '_&&_' applied to '(bool, ${describeStatic(predicate.type)})'`, bodyNodes[0]!.pos);
        }
      }
      const run = comprehensionEvaluator(macro, range.run, slots, body.map((b) => b.run));
      const type: StaticType = ['all', 'exists', 'existsOne'].includes(macro) ? 'bool' : macro === 'transformMap' || macro === 'transformMapEntry' ? 'map' : macro === 'optMap' || macro === 'optFlatMap' ? 'optional' : 'list';
      return { run, type };
    });
  }
}

function optionalSelect(value: Value, field: string): CelOptional {
  let target = value;
  if (target instanceof CelOptional) {
    if (!target.hasValue()) return CelOptional.NONE;
    target = target.value;
  }
  if (isMap(target)) {
    const found = mapGet(target, field);
    return found === undefined ? CelOptional.NONE : CelOptional.of(found);
  }
  if (isFieldHolder(target)) {
    return target.hasField(field) ? CelOptional.of(target.selectField(field)) : CelOptional.NONE;
  }
  throw noSuchOverload();
}

function listIndexOf(key: Value): number | undefined {
  if (typeof key === 'bigint') return Number(key);
  if (key instanceof CelUint) return Number(key.value);
  if (typeof key === 'number' && Number.isInteger(key)) return key;
  return undefined;
}

function optionalIndex(container: Value, key: Value): CelOptional {
  let target = container;
  if (target instanceof CelOptional) {
    if (!target.hasValue()) return CelOptional.NONE;
    target = target.value;
  }
  if (Array.isArray(target)) {
    const i = listIndexOf(key);
    if (i === undefined) throw new CelError(`unsupported index type '${typeNameOf(key)}' in list`);
    return i >= 0 && i < target.length ? CelOptional.of(target[i]) : CelOptional.NONE;
  }
  if (isMap(target)) {
    const found = mapGet(target, key);
    return found === undefined ? CelOptional.NONE : CelOptional.of(found);
  }
  throw noSuchOverload();
}

function typeNameOf(value: Value): string {
  try {
    return typeOf(value).name;
  } catch {
    return 'dyn';
  }
}

export function indexValue(container: Value, key: Value): Value {
  if (Array.isArray(container)) {
    const i = listIndexOf(key);
    if (i === undefined) throw new CelError(`unsupported index type '${typeNameOf(key)}' in list`);
    if (i < 0 || i >= container.length) throw new CelError(`index out of bounds: ${i}`);
    return container[i];
  }
  if (isMap(container)) {
    const found = mapGet(container, key);
    if (found === undefined) throw new CelError(`no such key: ${String(key instanceof CelUint ? key.value : key)}`);
    return found;
  }
  throw noSuchOverload();
}

/** The (first variable, second variable) pairs a comprehension iterates: list → (index, value), map → (key, value). */
function iterationOf(range: Value): [Value[], Value[]] {
  if (Array.isArray(range)) return [range.map((_, i) => BigInt(i)), range as Value[]];
  if (isMap(range)) {
    const entries = mapEntries(range);
    return [entries.map((e) => e[0]), entries.map((e) => e[1])];
  }
  throw noSuchOverload();
}

function comprehensionEvaluator(macro: ComprehensionMacro, range: Evaluator, slots: number[], body: Evaluator[]): Evaluator {
  const [s0, s1] = slots as [number, number | undefined];
  const twoVars = s1 !== undefined;
  /** Binds the iteration variables for element k; single-variable forms bind list elements or map keys. */
  const items = (frame: Frame): { count: number; bind: (k: number) => void } => {
    const value = range(frame);
    if (twoVars) {
      const [firsts, seconds] = iterationOf(value);
      return {
        count: firsts.length,
        bind: (k) => {
          frame.slots[s0] = firsts[k];
          frame.slots[s1!] = seconds[k];
        },
      };
    }
    if (Array.isArray(value)) return { count: value.length, bind: (k) => (frame.slots[s0] = value[k]) };
    if (isMap(value)) {
      const keys = isPlainObject(value) ? Object.keys(value) : mapKeys(value);
      return { count: keys.length, bind: (k) => (frame.slots[s0] = keys[k]) };
    }
    throw noSuchOverload();
  };
  switch (macro) {
    case 'all':
    case 'exists': {
      const decisive = macro === 'exists';
      const predicate = body[0]!;
      // Fast path: a list of values with one variable, the common `object.spec.containers.all(c, …)` shape.
      return (frame) => {
        const it = items(frame);
        let error: CelError | undefined;
        for (let k = 0; k < it.count; k++) {
          it.bind(k);
          const v = tryEval(predicate, frame);
          if (v === decisive) return decisive;
          if (v !== !decisive && !error) error = isCelError(v) ? v : noSuchOverload();
        }
        if (error) throw error;
        return !decisive;
      };
    }
    case 'existsOne': {
      const predicate = body[0]!;
      return (frame) => {
        const it = items(frame);
        let count = 0;
        for (let k = 0; k < it.count; k++) {
          it.bind(k);
          const v = predicate(frame);
          if (v === true) count++;
          else if (v !== false) throw noSuchOverload();
        }
        return count === 1;
      };
    }
    case 'filter':
    case 'map':
    case 'transformList': {
      const filter = macro === 'filter' ? body[0] : body.length === 2 ? body[0] : undefined;
      const transform = macro === 'filter' ? undefined : body[body.length - 1];
      const valueSlot = twoVars ? s1! : s0;
      return (frame) => {
        const it = items(frame);
        const out: Value[] = [];
        for (let k = 0; k < it.count; k++) {
          it.bind(k);
          if (filter) {
            const keep = filter(frame);
            if (keep === false) continue;
            if (keep !== true) throw noSuchOverload();
          }
          out.push(transform ? transform(frame) : frame.slots[valueSlot]);
        }
        return out;
      };
    }
    case 'transformMap':
    case 'transformMapEntry': {
      const filter = body.length === 2 ? body[0] : undefined;
      const transform = body[body.length - 1]!;
      return (frame) => {
        const it = items(frame);
        const out = new CelMap();
        for (let k = 0; k < it.count; k++) {
          it.bind(k);
          if (filter) {
            const keep = filter(frame);
            if (keep === false) continue;
            if (keep !== true) throw noSuchOverload();
          }
          if (macro === 'transformMap') {
            out.set(frame.slots[s0], transform(frame));
            continue;
          }
          const entry = transform(frame);
          if (!isMap(entry)) throw noSuchOverload();
          for (const [key, value] of mapEntries(entry)) {
            if (out.hasKey(key)) throw new CelError(`insert failed: key ${String(key)} already exists`);
            out.set(key, value);
          }
        }
        return plainIfStringKeys(out);
      };
    }
    case 'sortBy': {
      const keyOf = body[0]!;
      return (frame) => {
        const list = range(frame);
        if (!Array.isArray(list)) throw noSuchOverload();
        const keyed = list.map((element, k) => {
          frame.slots[s0] = element;
          return { element, key: keyOf(frame), k };
        });
        keyed.sort((x, y) => celCompare(x.key, y.key) || x.k - y.k);
        return keyed.map((e) => e.element);
      };
    }
    case 'optMap':
    case 'optFlatMap': {
      const transform = body[0]!;
      return (frame) => {
        const opt = range(frame);
        if (!(opt instanceof CelOptional)) throw noSuchOverload();
        if (!opt.hasValue()) return CelOptional.NONE;
        frame.slots[s0] = opt.value;
        const result = transform(frame);
        if (macro === 'optMap') return CelOptional.of(result);
        if (!(result instanceof CelOptional)) throw noSuchOverload();
        return result;
      };
    }
  }
}

function plainIfStringKeys(map: CelMap): Value {
  const out: Record<string, Value> = Object.create(null);
  for (const [key, value] of map.pairs()) {
    if (typeof key !== 'string') return map;
    out[key] = value;
  }
  return out;
}

/** Compiles a parsed expression; throws {@link CelCompileError} when it does not type-check. */
export function compileAst(node: Node, env: CompileEnvironment): CompiledExpression {
  const compiler = new Compiler(env);
  const { run, type } = compiler.compile(node);
  const size = compiler.frameSize;
  return {
    evaluate: (vars) => run({ vars, slots: size === 0 ? EMPTY_SLOTS : new Array(size) }),
    resultType: type,
  };
}

const EMPTY_SLOTS: Value[] = [];

export type { ObjectType };

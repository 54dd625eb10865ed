/**
 * Which object field a validation looks at, read from its expression: the longest field chain rooted at `object`
 * (through comprehension variables, which stand for `[*]`, and through the policy's variables). A VAP validation has
 * no field path of its own; findings and denials still want one. `undefined` when the expression names none.
 */
import type { Node } from '../cel/ast.js';

type Segment = string;

function chain(node: Node, bound: ReadonlyMap<string, Segment[]>, variablePaths: ReadonlyMap<string, Segment[]>): Segment[] | undefined {
  switch (node.kind) {
    case 'ident':
      if (bound.has(node.name)) return bound.get(node.name);
      return node.name === 'object' ? [] : undefined;
    case 'select': {
      if (node.operand.kind === 'ident' && node.operand.name === 'variables' && !bound.has('variables')) return variablePaths.get(node.field);
      const base = chain(node.operand, bound, variablePaths);
      return base && [...base, node.field];
    }
    case 'index': {
      const base = chain(node.operand, bound, variablePaths);
      if (!base) return undefined;
      if (node.index.kind === 'literal' && (typeof node.index.value === 'bigint' || typeof node.index.value === 'string')) {
        return [...base, typeof node.index.value === 'bigint' ? `[${node.index.value}]` : node.index.value];
      }
      return [...base, '[*]'];
    }
    case 'call':
      // Optional accessors keep the chain: object.?spec.orValue(...) is still about spec.
      if (node.target && ['orValue', 'value', 'or'].includes(node.name)) return chain(node.target, bound, variablePaths);
      return undefined;
    default:
      return undefined;
  }
}

function collect(node: Node, bound: ReadonlyMap<string, Segment[]>, variablePaths: ReadonlyMap<string, Segment[]>, out: Segment[][]): void {
  const direct = chain(node, bound, variablePaths);
  if (direct && direct.length > 0) out.push(direct);
  switch (node.kind) {
    case 'select':
      collect(node.operand, bound, variablePaths, out);
      return;
    case 'has': {
      const base = chain(node.operand, bound, variablePaths);
      if (base) out.push([...base, node.field]);
      collect(node.operand, bound, variablePaths, out);
      return;
    }
    case 'index':
      collect(node.operand, bound, variablePaths, out);
      collect(node.index, bound, variablePaths, out);
      return;
    case 'call':
      if (node.target) collect(node.target, bound, variablePaths, out);
      for (const arg of node.args) collect(arg, bound, variablePaths, out);
      return;
    case 'list':
      for (const e of node.elements) collect(e, bound, variablePaths, out);
      return;
    case 'map':
      for (const e of node.entries) {
        collect(e.key, bound, variablePaths, out);
        collect(e.value, bound, variablePaths, out);
      }
      return;
    case 'conditional':
      collect(node.condition, bound, variablePaths, out);
      collect(node.then, bound, variablePaths, out);
      collect(node.otherwise, bound, variablePaths, out);
      return;
    case 'and':
    case 'or':
      collect(node.left, bound, variablePaths, out);
      collect(node.right, bound, variablePaths, out);
      return;
    case 'comprehension': {
      collect(node.range, bound, variablePaths, out);
      const range = chain(node.range, bound, variablePaths);
      const inner = new Map(bound);
      const elementVar = node.vars[node.vars.length - 1]!;
      // A range that is already a projection (variables.images = containers.map(c, c.image)) iterates its own path.
      if (range) inner.set(elementVar, range.includes('[*]') ? range : [...range, '[*]']);
      else inner.delete(elementVar);
      if (node.vars.length === 2) inner.delete(node.vars[0]!);
      for (const b of node.body) collect(b, inner, variablePaths, out);
      return;
    }
    default:
      return;
  }
}

/**
 * The chain a variable stands for, only when its whole expression is one (`object.spec.containers`,
 * `object.?metadata.?labels.orValue({})`): a variable computed from several fields (or per kind) has no single path.
 */
export function directChainOf(node: Node, variablePaths: ReadonlyMap<string, Segment[]> = new Map()): Segment[] | undefined {
  return chain(node, new Map(), variablePaths);
}

/** Path segments: field names, `[n]` or `[*]`. */
export function fieldChainOf(node: Node, variablePaths: ReadonlyMap<string, Segment[]> = new Map()): Segment[] | undefined {
  const out: Segment[][] = [];
  collect(node, new Map(), variablePaths, out);
  let best: Segment[] | undefined;
  for (const p of out) if (!best || p.length > best.length) best = p;
  return best;
}

/** `spec.containers[*].securityContext.privileged` */
export function formatChain(segments: readonly Segment[]): string {
  let out = '';
  for (const s of segments) {
    if (s.startsWith('[')) out += s;
    else out += out === '' ? s : `.${s}`;
  }
  return out;
}

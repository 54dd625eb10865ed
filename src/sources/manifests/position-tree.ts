import type { FieldPath } from '../../core/model/field-path.js';

/**
 * Where the entries of one YAML/JSON document were written: for every mapping entry the offset of its key, for every
 * sequence item the offset of its `-` (block style) or of the item itself (flow style), with the entry's children.
 */
export interface PosNode {
  /** Offset in the document's text. */
  off: number;
  map?: Map<string, PosNode>;
  seq?: PosNode[];
  /** For a scalar the fast scanner could decode: where its text starts and ends (exclusive), and how it is written. */
  start?: number;
  end?: number;
  style?: ScalarStyle;
}

/** How a scalar is written; a node without children and without a style is an empty (null) value. */
export type ScalarStyle = typeof PLAIN | typeof SINGLE_QUOTED | typeof DOUBLE_QUOTED;
export const PLAIN = 1;
export const SINGLE_QUOTED = 2;
export const DOUBLE_QUOTED = 3;

/** Deepest node on `path` that exists in the tree (the root for an empty path). */
export function findNode(root: PosNode, path: FieldPath): PosNode {
  let node = root;
  for (const segment of path) {
    let child: PosNode | undefined;
    if (typeof segment === 'number') {
      child = node.seq ? node.seq[segment] : node.map?.get(String(segment));
    } else if (node.map) {
      child = node.map.get(segment);
    } else if (node.seq && /^(?:0|[1-9][0-9]*)$/.test(segment)) {
      child = node.seq[Number(segment)];
    }
    if (!child) break;
    node = child;
  }
  return node;
}

/** Offsets of line starts, to turn an offset into a line and a column. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 0-based line index of `offset`. */
export function lineOf(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The CEL syntax tree our parser produces. Macros (has, all, exists, exists_one, map, filter, the two-variable
 * forms, optMap/optFlatMap) are kept as their own nodes instead of being expanded into generic comprehensions: the
 * interpreter runs them directly, which is both faster and gives cel-go's error behaviour without re-deriving it.
 * `pos` is the offset of the node's first character in the expression text (for line:column in messages).
 */
export type Node =
  | { kind: 'literal'; value: unknown; pos: number }
  | { kind: 'ident'; name: string; pos: number }
  | { kind: 'select'; operand: Node; field: string; optional: boolean; pos: number }
  | { kind: 'has'; operand: Node; field: string; pos: number }
  | { kind: 'index'; operand: Node; index: Node; optional: boolean; pos: number }
  | { kind: 'call'; name: string; target: Node | undefined; args: Node[]; pos: number }
  | { kind: 'list'; elements: Node[]; optional: boolean[]; pos: number }
  | { kind: 'map'; entries: MapEntry[]; pos: number }
  | { kind: 'conditional'; condition: Node; then: Node; otherwise: Node; pos: number }
  | { kind: 'and'; left: Node; right: Node; pos: number }
  | { kind: 'or'; left: Node; right: Node; pos: number }
  | { kind: 'comprehension'; macro: ComprehensionMacro; range: Node; vars: string[]; body: Node[]; pos: number };

export interface MapEntry {
  key: Node;
  value: Node;
  optional: boolean;
}

/**
 * Comprehension macros and their bodies:
 * - all/exists/existsOne (alias exists_one): [predicate]
 * - map: [transform] or [filter, transform]; filter: [predicate]
 * - transformList/transformMap: [transform] or [filter, transform] (two variables)
 * - transformMapEntry: [entryMap] or [filter, entryMap] (two variables)
 * - sortBy: [key] (ext lists)
 * - optMap/optFlatMap: [transform] over an optional
 */
export type ComprehensionMacro =
  | 'all'
  | 'exists'
  | 'existsOne'
  | 'map'
  | 'filter'
  | 'transformList'
  | 'transformMap'
  | 'transformMapEntry'
  | 'sortBy'
  | 'optMap'
  | 'optFlatMap';

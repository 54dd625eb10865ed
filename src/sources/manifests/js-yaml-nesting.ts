/**
 * The one block-sequence construct js-yaml reads differently from YAML and from Kubernetes (go-yaml): a sequence whose
 * last item is empty, followed by a less indented item of an enclosing sequence.
 *
 *     containers:
 *     - name: app
 *       args:
 *       -                  <- an empty (null) item
 *     - name: sidecar      <- Kubernetes: a second container; js-yaml: a third item of `args`
 *       securityContext: {privileged: true}
 *
 * A scan that believed js-yaml would not see the second container at all. The fast scanner reads this as YAML does
 * (fast-positions.ts); for the documents it leaves to js-yaml, the value is compared with the positions the `yaml`
 * package (which follows the specification) finds, and a document they disagree on is reported instead of scanned.
 */
import type { PosNode } from './position-tree.js';
import { yamlPositionTree } from './yaml-positions.js';

/** A line ending with a block sequence entry indicator (`-`, `- -`…, maybe with a comment): maybe an empty item. */
const EMPTY_ITEM_LINE = /^[ ]*(?:-[ ]+)*-[ \t]*(?:#.*)?\r?$/m;

export const JS_YAML_NESTING_MESSAGE =
  'js-yaml would read the items after this empty sequence item as items of its sequence, where Kubernetes ends the ' +
  'sequence here; write the item as `- null` (or remove it) so that every reader agrees (the document is not scanned)';

/**
 * The offset (in `text`) of the empty item after which js-yaml, whose value is `value`, nested what follows in the
 * wrong sequence; undefined when it read the document as YAML does.
 */
export function jsYamlMisnesting(text: string, value: unknown): number | undefined {
  if (value === null || typeof value !== 'object' || !EMPTY_ITEM_LINE.test(text)) return undefined;
  const tree = yamlPositionTree(text);
  return tree ? longerSequence(tree, value, new Set()) : undefined;
}

/**
 * The last item of the first sequence js-yaml gave more items than the document has (the items it took from an
 * enclosing sequence come after it). Nodes shared by aliases are visited once.
 */
function longerSequence(node: PosNode, value: unknown, seen: Set<PosNode>): number | undefined {
  if (seen.has(node) || value === null || typeof value !== 'object') return undefined;
  seen.add(node);
  if (node.seq) {
    if (!Array.isArray(value)) return undefined;
    if (value.length > node.seq.length && node.seq.length > 0) return node.seq[node.seq.length - 1]!.off;
    for (let i = 0; i < node.seq.length && i < value.length; i++) {
      const found = longerSequence(node.seq[i]!, value[i], seen);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (node.map && !Array.isArray(value)) {
    for (const [key, child] of node.map) {
      if (!Object.hasOwn(value, key)) continue;
      const found = longerSequence(child, (value as Record<string, unknown>)[key], seen);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

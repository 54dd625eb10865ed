/**
 * The `yaml` package's node at a field path, or the deepest one that exists: a missing field is reported where its
 * parent is. For locating validation errors (file:line:column) in documents parsed with `parseDocument`.
 */
import { isMap, isScalar, isSeq } from 'yaml';
import type { Node as YamlNode } from 'yaml';

export function nodeAtPath(root: unknown, path: readonly (string | number)[]): YamlNode | undefined {
  let node: unknown = root;
  for (const segment of path) {
    let next: unknown;
    if (isMap(node)) next = node.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === String(segment))?.value;
    else if (isSeq(node) && typeof segment === 'number') next = node.items[segment];
    if (next === undefined || next === null) break;
    node = next;
  }
  return node as YamlNode | undefined;
}

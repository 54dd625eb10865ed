import type { PatchOperation } from './check.js';
import type { FieldPath } from './field-path.js';
import { jsonPointer } from './field-path.js';

/**
 * JSON Patch that sets the field at `path` to `value` in `root`, creating missing parent objects: the `add` targets
 * the deepest existing ancestor and carries the missing levels as a nested value (a plain `add` fails when a
 * parent such as `securityContext` is absent). Array indexes on the way must exist.
 */
export function setFieldPatch(root: unknown, path: FieldPath, value: unknown): PatchOperation[] {
  let current: unknown = root;
  let depth = 0;
  for (; depth < path.length - 1; depth++) {
    const segment = path[depth]!;
    const next = current !== null && typeof current === 'object' ? (current as Record<string | number, unknown>)[segment] : undefined;
    if (next === null || typeof next !== 'object') break;
    current = next;
  }
  if (depth === path.length - 1) {
    const last = path[depth]!;
    const exists = current !== null && typeof current === 'object' && Object.prototype.hasOwnProperty.call(current, last);
    return [{ op: exists ? 'replace' : 'add', path: jsonPointer(path), value }];
  }
  // path[depth] is missing (or not an object): add it with the remaining levels nested inside.
  let nested: unknown = value;
  for (let i = path.length - 1; i > depth; i--) nested = { [String(path[i])]: nested };
  return [{ op: 'add', path: jsonPointer(path.slice(0, depth + 1)), value: nested }];
}

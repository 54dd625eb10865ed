/** A path to a field inside a Kubernetes object: keys and array indexes, outermost first. */
export type FieldPath = readonly (string | number)[];

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Formatted paths, as a tree of segments: checks report the same few hundred paths on every object, so a path is
 * formatted once and later found by its segments (constants and small integers, quick to look up), and every
 * finding on it shares one string. Bounded: past MAX_FORMATTED_PATHS nodes, new paths are formatted each time.
 */
interface FormattedPath {
  text: string;
  next?: Map<string | number, FormattedPath>;
}
const FORMATTED_PATHS: FormattedPath = { text: '' };
const MAX_FORMATTED_PATHS = 50_000;
let formattedPaths = 0;

/** Formats a path the way kubectl and admission messages do: `spec.containers[0].securityContext`. */
export function formatFieldPath(path: FieldPath): string {
  let node = FORMATTED_PATHS;
  for (const segment of path) {
    let child = node.next?.get(segment);
    if (child === undefined) {
      if (formattedPaths >= MAX_FORMATTED_PATHS) return path.reduce<string>((out, s) => out + segmentText(s, out === ''), '');
      child = { text: node.text + segmentText(segment, node === FORMATTED_PATHS) };
      (node.next ??= new Map()).set(segment, child);
      formattedPaths++;
    }
    node = child;
  }
  return node.text;
}

/** How a segment is written after its parent (`.name`, `[0]` or `["a/b"]`), or first (`name`). */
function segmentText(segment: string | number, first: boolean): string {
  if (typeof segment === 'number') return `[${segment}]`;
  if (!PLAIN_KEY.test(segment)) return `[${JSON.stringify(segment)}]`;
  return first ? segment : `.${segment}`;
}

/** Reads the value at `path`, or undefined when any step is missing. */
export function valueAt(root: unknown, path: FieldPath): unknown {
  let current: unknown = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** The RFC 6901 JSON Pointer of a path, for JSON Patch fixes. */
export function jsonPointer(path: FieldPath): string {
  let out = '';
  for (const segment of path) {
    const text = String(segment);
    out += text.includes('~') || text.includes('/') ? `/${text.replace(/~/g, '~0').replace(/\//g, '~1')}` : `/${text}`;
  }
  return out;
}

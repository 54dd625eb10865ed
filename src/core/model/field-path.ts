/** A path to a field inside a Kubernetes object: keys and array indexes, outermost first. */
export type FieldPath = readonly (string | number)[];

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** How each string segment is written after a parent (`.name` or `["a/b"]`); paths reuse few keys, so it is memoised. */
const SEGMENT_TEXT = new Map<string, string>();
const SEGMENT_CACHE_LIMIT = 10_000;

/** Formats a path the way kubectl and admission messages do: `spec.containers[0].securityContext`. */
export function formatFieldPath(path: FieldPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') {
      out += `[${segment}]`;
      continue;
    }
    let text = SEGMENT_TEXT.get(segment);
    if (text === undefined) {
      text = PLAIN_KEY.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
      if (SEGMENT_TEXT.size < SEGMENT_CACHE_LIMIT) SEGMENT_TEXT.set(segment, text);
    }
    out += out === '' && text.charCodeAt(0) === 46 ? text.slice(1) : text;
  }
  return out;
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

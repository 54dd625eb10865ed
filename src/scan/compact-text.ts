/**
 * Strings a scan keeps until the report is written, stored compactly. V8 builds `a + b` and template literals as
 * "cons strings", a tree of one heap object per piece: a finding's path (`spec.template.spec.containers[0]…`) or
 * message is a dozen objects until something flattens it. A scan keeps ~150,000 findings alive across many young
 * garbage collections, each copying every surviving object, so these trees cost more GC time than the checks took
 * to build them.
 */

const INTERNED = new Map<string, string>();
/** Paths and pointers repeat across objects (few distinct shapes); the cap bounds memory on pathological input. */
const INTERN_LIMIT = 100_000;

/** The same text, shared with every earlier equal text: for values that repeat, such as field paths. */
export function intern(text: string): string {
  const known = INTERNED.get(text); // hashing the key flattens it
  if (known !== undefined) return known;
  if (INTERNED.size < INTERN_LIMIT) INTERNED.set(text, text);
  return text;
}

/** The same text as one flat heap object: for unique values, such as messages. */
export function flatten(text: string): string {
  // Converting to a number reads the characters, which makes V8 flatten the string in place (as npm's flatstr does).
  Number(text);
  return text;
}

/**
 * The one block-sequence construct js-yaml reads differently from YAML and from Kubernetes (go-yaml): a sequence whose
 * last item is empty, followed by a less indented item of an enclosing sequence.
 *
 *     containers:
 *     - name: app
 *       args:
 *       -                  <- an empty (null) item
 *     - name: sidecar      <- Kubernetes: a second container; js-yaml: a second item of `args`
 *       securityContext: {privileged: true}
 *
 * A scan that believed js-yaml would not see the second container at all. The fast scanner reads this as YAML does
 * (fast-positions.ts). For the documents it leaves to js-yaml, js-yaml itself is the witness: written `- null`, an
 * empty item is read right, so when the document's structure changes once its empty items are written so, js-yaml
 * misread it, and the document is reported instead of scanned. (Comparing with the `yaml` package's reading instead
 * fails where that package rejects what go-yaml accepts, such as a quoted scalar continued at column 0.)
 */

/** A line ending with a block sequence entry indicator (`-`, `- -`…, maybe with a comment): maybe an empty item. */
const EMPTY_ITEM_LINE = /^([ ]*(?:-[ ]+)*-)([ \t]*(?:#.*)?\r?)$/;
const ANY_EMPTY_ITEM_LINE = new RegExp(EMPTY_ITEM_LINE.source, 'm');

export const JS_YAML_NESTING_MESSAGE =
  'js-yaml would read the items after this empty sequence item as items of its sequence, where Kubernetes ends the ' +
  'sequence here; write the item as `- null` (or remove it) so that every reader agrees (the document is not scanned)';

/**
 * The offset (in `text`) of the empty item after which js-yaml, whose reading of `text` is `value` (through `load`),
 * nested what follows in the wrong sequence; undefined when it read the document as YAML does.
 */
export function jsYamlMisnesting(text: string, value: unknown, load: (text: string) => unknown): number | undefined {
  if (value === null || typeof value !== 'object' || !ANY_EMPTY_ITEM_LINE.test(text)) return undefined;
  const lines = text.split('\n');
  const candidates = emptyItemsBeforeLessIndented(lines);
  if (candidates.length === 0) return undefined;
  const shape = JSON.stringify(shapeOf(value));
  const changes = (rewritten: number[]): boolean => {
    try {
      return JSON.stringify(shapeOf(load(withNullItems(lines, rewritten)))) !== shape;
    } catch {
      return true; // js-yaml rejects the document once the item holds null: it did not read it as an item
    }
  };
  if (!changes(candidates)) return undefined;
  // The first misread item: the shortest prefix of the candidates whose rewriting changes the structure (a bisection,
  // so that a document with thousands of empty items is read a few times, not thousands).
  let [lo, hi] = [1, candidates.length];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (changes(candidates.slice(0, mid))) hi = mid;
    else lo = mid + 1;
  }
  const culprit = candidates[lo - 1]!;
  const lineStart = lines.slice(0, culprit).reduce((offset, line) => offset + line.length + 1, 0);
  return lineStart + lines[culprit]!.lastIndexOf('-', EMPTY_ITEM_LINE.exec(lines[culprit]!)![1]!.length - 1);
}

/**
 * Indexes of the lines that may be an empty item js-yaml misreads: a line ending with `-` whose next line with
 * content is less indented than that `-` (one indented further would be the item's value; one as indented, a sibling
 * item, which js-yaml reads right). Inside a block or multi-line scalar such a line is text: writing it `- null`
 * changes that text, never the structure.
 */
function emptyItemsBeforeLessIndented(lines: readonly string[]): number[] {
  const found: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const item = EMPTY_ITEM_LINE.exec(lines[i]!);
    if (!item) continue;
    let next = i + 1;
    while (next < lines.length && (lines[next]!.trim() === '' || lines[next]!.trimStart().startsWith('#'))) next++;
    if (next < lines.length && indentOf(lines[next]!) < item[1]!.length - 1) found.push(i);
  }
  return found;
}

/** The text with the empty items js-yaml may misread written `- null`, which it reads as YAML does. */
export function withEmptyItemsAsNull(text: string): string {
  const lines = text.split('\n');
  return withNullItems(lines, emptyItemsBeforeLessIndented(lines));
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

function withNullItems(lines: readonly string[], rewritten: readonly number[]): string {
  const copy = [...lines];
  for (const i of rewritten) copy[i] = copy[i]!.replace(EMPTY_ITEM_LINE, '$1 null$2');
  return copy.join('\n');
}

/** The structure of a value: its keys and sequence lengths, every scalar the same. */
function shapeOf(value: unknown, seen = new Set<object>()): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Date) return 0;
  if (seen.has(value)) return 'alias';
  seen.add(value);
  const shape = Array.isArray(value)
    ? value.map((item) => shapeOf(item, seen))
    : Object.fromEntries(Object.keys(value).sort().map((key) => [key, shapeOf((value as Record<string, unknown>)[key], seen)]));
  seen.delete(value);
  return shape;
}

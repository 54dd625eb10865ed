/**
 * The value of a document the fast scanner read, decoded from its position tree: mappings and sequences from the
 * tree, scalars from the spans it recorded, plain ones resolved as Kubernetes does (yaml-schema.ts). Reading a
 * document once for positions and values is what lets a scan skip js-yaml for the YAML manifests are made of.
 *
 * It gives up (returns NOT_DECODED) on what js-yaml would treat differently from the spans alone: a scalar with an
 * escape JSON does not share, a non-finite number (js-yaml's path reports it), characters YAML forbids in a stream.
 * The scanner has already given up on the rest (multi-line and block scalars, duplicate keys, anchors, tags…).
 */
import type { PosNode } from './position-tree.js';
import { DOUBLE_QUOTED, PLAIN } from './position-tree.js';
import { resolvePlainScalar } from './yaml-schema.js';

export const NOT_DECODED: unique symbol = Symbol('not decoded');

class GiveUp {}
const GIVE_UP = new GiveUp();

/** What js-yaml refuses anywhere in a stream (its PATTERN_NON_PRINTABLE). */
const NON_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;

/** Anything but printable ASCII, tab and line breaks: a quicker test that most manifests pass. */
const NOT_PLAIN_ASCII = /[^\t\n\r\x20-\x7e]/;

/** The document's value (null for a document without content), or NOT_DECODED. */
export function fastDocumentValue(text: string, tree: PosNode | null): unknown {
  if (tree === null) return null;
  if (NOT_PLAIN_ASCII.test(text) && NON_PRINTABLE.test(text)) return NOT_DECODED;
  try {
    return valueOf(text, tree);
  } catch (error) {
    if (error === GIVE_UP) return NOT_DECODED;
    throw error;
  }
}

function valueOf(text: string, node: PosNode): unknown {
  if (node.map !== undefined) {
    const object: Record<string, unknown> = {};
    for (const [key, child] of node.map) object[key] = valueOf(text, child);
    return object;
  }
  if (node.seq !== undefined) {
    const items = node.seq;
    const array = new Array<unknown>(items.length);
    for (let i = 0; i < items.length; i++) array[i] = valueOf(text, items[i]!);
    return array;
  }
  const style = node.style;
  if (style === undefined) return null;
  const raw = text.slice(node.start, node.end);
  if (style === PLAIN) {
    const value = resolvePlainScalar(raw);
    if (typeof value === 'number' && !Number.isFinite(value)) throw GIVE_UP;
    return value;
  }
  if (style === DOUBLE_QUOTED) {
    if (!raw.includes('\\')) return raw;
    const decoded = decodeJsonEscapes(raw);
    if (decoded === undefined) throw GIVE_UP;
    return decoded;
  }
  return raw.includes("'") ? raw.replace(/''/g, "'") : raw;
}

/**
 * The text of a one-line double-quoted scalar with escapes, when they are all escapes JSON has too (decoded by
 * JSON.parse); undefined for the others (YAML-only escapes such as \x, \e, \N, a raw tab…).
 */
export function decodeJsonEscapes(raw: string): string | undefined {
  for (let i = raw.indexOf('\\'); i >= 0; i = raw.indexOf('\\', i + 2)) {
    const e = raw[i + 1];
    if (e === undefined || !'"\\/bfnrtu'.includes(e)) return undefined;
  }
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return undefined;
  }
}

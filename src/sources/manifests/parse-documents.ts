/**
 * Turns one input text (a YAML stream, a JSON object, or a stream of JSON objects) into documents, each with a
 * source locator. Each YAML document is read once by the fast scanner (fast-positions.ts), which gives its positions
 * and, for the YAML manifests are usually made of, its value (fast-values.ts); anything else is decoded with js-yaml
 * and a schema that resolves scalars like Kubernetes (go-yaml v2, see yaml-schema.ts), positions then coming from
 * the `yaml` package when asked.
 */
import jsyaml from 'js-yaml';
import type { KubeObject } from '../../core/model/resource.js';
import { fastScan } from './fast-positions.js';
import { fastDocumentValue, NOT_DECODED } from './fast-values.js';
import { JS_YAML_NESTING_MESSAGE, jsYamlMisnesting } from './js-yaml-nesting.js';
import { DocumentLocator, SourceText } from './locator.js';
import { splitYamlStream } from './split-documents.js';
import { K8S_YAML_SCHEMA, takeNonFiniteCount } from './yaml-schema.js';

export interface ParsedDocument {
  object: KubeObject;
  /** 0-based index of the document in the stream. */
  documentIndex: number;
  locator?: DocumentLocator;
}

export interface ParseError {
  documentIndex?: number;
  line?: number;
  column?: number;
  message: string;
}

/** A document of any type (mapping, sequence, scalar), before the manifests source checks it is an object. */
export interface StreamDocument {
  value: unknown;
  documentIndex: number;
  locator: DocumentLocator;
}

export interface ParsedStream {
  documents: StreamDocument[];
  /** Problems; a document with a problem is left out of `documents` unless `kept` says it was still decoded. */
  errors: (ParseError & { kept?: boolean })[];
}

/** Above this many nodes once aliases are expanded, a document is rejected (go-yaml rejects excessive aliasing). */
const MAX_EXPANDED_NODES = 1_000_000;

function isWs(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** Boundaries of the top-level JSON values of a JSON text or stream, or undefined when it is not one. */
function jsonValueRanges(text: string): [number, number][] | undefined {
  const ranges: [number, number][] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    while (i < n && isWs(text.charCodeAt(i))) i++;
    if (i >= n) return ranges;
    const first = text.charCodeAt(i);
    if (first !== 123 && first !== 91) return undefined;
    const start = i;
    let depth = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        for (i++; i < n; i++) {
          const d = text.charCodeAt(i);
          if (d === 92) i++;
          else if (d === 34) break;
        }
      } else if (c === 123 || c === 91) depth++;
      else if (c === 125 || c === 93) {
        depth--;
        if (depth === 0) break;
      }
    }
    if (i >= n) return undefined;
    i++;
    ranges.push([start, i]);
  }
}

/** JSON documents, or undefined when the text is not valid JSON (it is then read as YAML, which JSON is a subset of). */
function parseJson(source: SourceText): StreamDocument[] | undefined {
  const text = source.text;
  const ranges = jsonValueRanges(text);
  if (!ranges || ranges.length === 0) return undefined;
  const documents: StreamDocument[] = [];
  try {
    for (const [start, end] of ranges) {
      const value: unknown = JSON.parse(ranges.length === 1 ? text : text.slice(start, end));
      documents.push({ value, documentIndex: documents.length, locator: new DocumentLocator(source, start, end) });
    }
  } catch {
    return undefined;
  }
  return documents;
}

function firstNonFinite(value: unknown, path: (string | number)[] = []): (string | number)[] | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = firstNonFinite(child, [...path, Array.isArray(value) ? Number(key) : key]);
    if (found) return found;
  }
  return undefined;
}

/** Rejects what aliases can build and Kubernetes cannot: cycles, and exponential expansion ("billion laughs"). */
function aliasProblem(root: unknown): { message: string; path: (string | number)[] } | undefined {
  const sizes = new Map<object, number>();
  const onPath = new Set<object>();
  const path: (string | number)[] = [];
  let problem: { message: string; path: (string | number)[] } | undefined;
  const size = (value: unknown): number => {
    if (value === null || typeof value !== 'object' || problem) return 1;
    const known = sizes.get(value);
    if (known !== undefined) return known;
    if (onPath.has(value)) {
      problem = { message: 'an anchor contains an alias to itself', path: [...path] };
      return 1;
    }
    onPath.add(value);
    let total = 1;
    const array = Array.isArray(value);
    for (const [key, child] of Object.entries(value)) {
      path.push(array ? Number(key) : key);
      total = Math.min(total + size(child), Number.MAX_SAFE_INTEGER);
      path.pop();
    }
    onPath.delete(value);
    sizes.set(value, total);
    return total;
  };
  if (size(root) > MAX_EXPANDED_NODES && !problem) {
    problem = { message: `aliases expand to more than ${MAX_EXPANDED_NODES} nodes`, path: [] };
  }
  return problem;
}

/** The key written at `offset` (where js-yaml reports a duplicate), quoted for a message. */
function keyAt(text: string, offset: number): string | undefined {
  const m = /^("(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|[^\s:#,[\]{}][^:#\n]*?)[ \t]*:(?:[ \t\r\n]|$)/.exec(text.slice(offset, offset + 256));
  if (!m) return undefined;
  const key = m[1]!;
  return key.startsWith('"') || key.startsWith("'") ? key : JSON.stringify(key);
}

function lastNonBlank(text: string): number {
  let i = text.length - 1;
  while (i > 0 && isWs(text.charCodeAt(i))) i--;
  return Math.max(i, 0);
}

/** `a sequence`, `a string`, `null`…: what a document or item is when it should be a mapping. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a sequence';
  return `a ${typeof value}`;
}

/** One step of reading a text: the next document, or a problem (a document with a problem is left out unless `kept`). */
export type StreamItem = { document: StreamDocument; error?: undefined } | { error: ParseError & { kept?: boolean }; document?: undefined };

/** Reads every document of a text. JSON (one value or a stream of values) takes a JSON.parse fast path. */
export function parseStream(input: string | SourceText): ParsedStream {
  const documents: StreamDocument[] = [];
  const errors: ParsedStream['errors'] = [];
  for (const item of streamDocuments(input)) {
    if (item.document) documents.push(item.document);
    else errors.push(item.error);
  }
  return { documents, errors };
}

/**
 * The documents of a text one at a time, in order, each preceded by its problems. A caller that scans each document
 * before asking for the next keeps one document's objects alive at a time instead of the whole file's: they then die
 * young, which matters to the garbage collector on big inputs.
 */
export function* streamDocuments(input: string | SourceText): Generator<StreamItem> {
  let source = typeof input === 'string' ? new SourceText(input) : input;
  if (source.text.charCodeAt(0) === 0xfeff) source = new SourceText(source.text.slice(1));
  const text = source.text;
  let i = 0;
  while (i < text.length && isWs(text.charCodeAt(i))) i++;
  const c = text.charCodeAt(i);
  if (c === 123 || c === 91) {
    const json = parseJson(source);
    if (json) {
      for (const document of json) yield { document };
      return;
    }
  }

  takeNonFiniteCount();
  for (const segment of splitYamlStream(text)) {
    const part = text.slice(segment.start, segment.end);
    // One read gives positions and, for the YAML manifests are usually made of, the value too.
    const scan = fastScan(part);
    const locator = scan
      ? new DocumentLocator(source, segment.start, segment.end, scan)
      : DocumentLocator.unscannable(source, segment.start, segment.end);
    const documentIndex = segment.index;
    const fastValue = scan?.valuesKnown ? fastDocumentValue(part, scan.tree) : NOT_DECODED;
    if (fastValue !== NOT_DECODED) {
      if (fastValue !== null) yield { document: { value: fastValue, documentIndex, locator } };
      continue;
    }
    let value: unknown;
    let duplicateKeys = false;
    try {
      value = jsyaml.load(part, { schema: K8S_YAML_SCHEMA });
    } catch (error) {
      const e = error as { reason?: string; message?: string; mark?: { position: number } };
      // An error at the end of the part (an unclosed collection…) is reported on its last non-blank character.
      const at = e.mark ? source.position(segment.start + Math.min(e.mark.position, lastNonBlank(part))) : {};
      if (e.reason === 'duplicated mapping key') {
        const key = e.mark ? keyAt(part, e.mark.position) : undefined;
        yield {
          error: {
            documentIndex,
            ...at,
            message:
              `duplicate key${key ? ` ${key}` : ''}: Kubernetes rejects duplicate fields under strict field validation ` +
              '(the last value is used here)',
            kept: true,
          },
        };
        duplicateKeys = true;
        try {
          value = jsyaml.load(part, { schema: K8S_YAML_SCHEMA, json: true });
        } catch {
          continue;
        }
      } else {
        yield { error: { documentIndex, ...at, message: `malformed YAML: ${e.reason ?? e.message ?? String(error)}` } };
        takeNonFiniteCount();
        continue;
      }
    }
    if (value === undefined || value === null) {
      takeNonFiniteCount();
      continue;
    }
    if (takeNonFiniteCount() > 0) {
      const path = firstNonFinite(value) ?? [];
      yield {
        error: {
          documentIndex,
          ...locator.locate(path),
          message: 'NaN and infinite numbers (.nan, .inf) cannot be represented in JSON; Kubernetes rejects this document',
        },
      };
      continue;
    }
    if (typeof value === 'object' && part.includes('&') && part.includes('*')) {
      const problem = aliasProblem(value);
      if (problem) {
        const message = `${problem.message}; Kubernetes rejects this document`;
        yield { error: { documentIndex, ...locator.locate(problem.path), message } };
        continue;
      }
    }
    const misnested = jsYamlMisnesting(part, value, (text) => jsyaml.load(text, { schema: K8S_YAML_SCHEMA, json: duplicateKeys }));
    takeNonFiniteCount(); // of those readings
    if (misnested !== undefined) {
      yield { error: { documentIndex, ...source.position(segment.start + misnested), message: JS_YAML_NESTING_MESSAGE } };
      continue;
    }
    yield { document: { value, documentIndex, locator } };
  }
}

/**
 * Splits a YAML/JSON text into documents that are mappings. Empty and comment-only documents are skipped; a document
 * that does not parse or is not a mapping gives an error and the other documents are still returned.
 */
export function parseDocuments(text: string): { documents: ParsedDocument[]; errors: ParseError[] } {
  const stream = parseStream(text);
  const errors: ParseError[] = stream.errors.map(({ kept: _kept, ...error }) => error);
  const documents: ParsedDocument[] = [];
  for (const { value, documentIndex, locator } of stream.documents) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      documents.push({ object: value as KubeObject, documentIndex, locator });
    } else {
      errors.push({ documentIndex, ...locator.locate([]), message: `document is not a mapping (found ${describeValue(value)})` });
    }
  }
  errors.sort((a, b) => (a.documentIndex ?? 0) - (b.documentIndex ?? 0));
  return { documents, errors };
}

/**
 * Parses and validates the text of `.aspis.yaml`. Pure (load-config.ts reads the file).
 *
 * Every error names file, line, column and field. Bad input never crashes and never silently passes: invalid parts are
 * reported and left out, always in the direction that reports more, never less — an invalid exception is dropped as a
 * whole (dropping only a bad selector field would widen the waiver), an invalid `disable` entry is dropped (the check
 * runs), an invalid severity override is dropped (the check keeps its own). A YAML syntax error drops the whole file.
 */
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import type { FieldPath } from '../core/model/field-path.js';
import { formatFieldPath } from '../core/model/field-path.js';
import type { InputError } from '../core/model/report.js';
import type { SourcePosition } from '../core/model/source-location.js';
import { suggestCheckId } from '../core/model/waiver.js';
import { AspisConfigSchema } from './aspis-config-schema.js';
import { defaultConfig } from './config-file.js';
import type { AspisConfigFile } from './aspis-config-schema.js';

/** Where a loaded configuration came from, to point messages at the line of a field. */
export interface ConfigOrigin {
  /** The file as shown in messages: as given on the command line, or relative to the working directory. */
  file: string;
  /**
   * Position of the field at `path` of the loaded config (indexes account for invalid entries left out). With
   * `key: true`, the position of the map key rather than its value (for `checks.severity.<id>`).
   */
  locate(path: FieldPath, options?: { key?: boolean }): SourcePosition | undefined;
}

/** A loaded `.aspis.yaml`: what was written (every section optional) and where it came from (absent for defaults). */
export interface AspisConfig extends AspisConfigFile {
  origin?: ConfigOrigin;
}

export { defaultConfig };

type Json = unknown;
type Issue = z.core.$ZodIssue;
const MAX_PASSES = 8;

/** Validates `text` (the content of `file`); `file` is used in messages and `origin` only. */
export function parseConfig(text: string, file: string): { config: AspisConfig; errors: InputError[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (doc.errors.length > 0) {
    const errors = doc.errors.map((e): InputError => ({ source: file, ...position(e.pos[0]), message: `${e.message} (the file is ignored)` }));
    return { config: defaultConfig(), errors };
  }

  let original: Json;
  try {
    original = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    return { config: defaultConfig(), errors: [{ source: file, line: 1, column: 1, message: `${(error as Error).message} (the file is ignored)` }] };
  }

  const locateOriginal = (path: FieldPath, key = false): SourcePosition | undefined => {
    const found = findNode(doc, path);
    const node = key && found.keyNode ? found.keyNode : found.node;
    return node?.range ? position(node.range[0]) : undefined;
  };

  const errors: InputError[] = [];
  const seen = new Set<string>();
  const cuts = new Set<string>();
  let pruned: Pruned = { value: original, indexMaps: new Map() };
  for (let pass = 0; ; pass++) {
    const result = AspisConfigSchema.safeParse(pruned.value, { reportInput: true });
    if (result.success) {
      const config: AspisConfig = result.data;
      const indexMaps = pruned.indexMaps;
      config.origin = { file, locate: (path, options) => locateOriginal(toOriginal(path, indexMaps), options?.key === true) };
      return { config, errors: byPosition(errors) };
    }
    let progressed = false;
    for (const issue of result.error.issues) {
      const path = toOriginal(issue.path as FieldPath, pruned.indexMaps);
      for (const { field, message, cut, key } of describeIssue(issue, path)) {
        const id = `${formatFieldPath(field)}\0${message}`;
        if (!seen.has(id)) {
          seen.add(id);
          const at = locateOriginal(field, key) ?? locateOriginal(deepestExisting(doc, field)) ?? { line: 1, column: 1 };
          const error: InputError = { source: file, line: at.line, column: at.column, message };
          if (field.length > 0) error.field = formatFieldPath(field);
          errors.push(error);
        }
        const cutKey = JSON.stringify(cut);
        if (!cuts.has(cutKey)) {
          cuts.add(cutKey);
          progressed = true;
        }
      }
    }
    if (!progressed || pass >= MAX_PASSES || cuts.has('[]')) return { config: defaultConfig(), errors: byPosition(errors) };
    pruned = prune(original, cuts);
  }
}

function byPosition(errors: InputError[]): InputError[] {
  return errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/** What to report for one zod issue (`path` already in the original document's indexes) and what to leave out. */
function describeIssue(issue: Issue, path: FieldPath): { field: FieldPath; message: string; cut: FieldPath; key: boolean }[] {
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(path);
    return issue.keys.map((k) => {
      const suggestion = allowed.length > 0 ? suggestCheckId(k, allowed) : undefined;
      const hint = suggestion ? ` (did you mean "${suggestion}"?)` : '';
      const list = allowed.length > 0 ? `; expected ${allowed.join(', ')}` : '';
      const field = [...path, k];
      return { field, message: `unknown key "${k}"${hint}${list}`, cut: cutFor(field), key: true };
    });
  }
  let message = issue.message;
  if (issue.code === 'invalid_type' && issue.input === undefined) message = requiredMessage(issue.message, path);
  return [{ field: path, message, cut: cutFor(path), key: issue.code === 'invalid_key' }];
}

function requiredMessage(message: string, path: FieldPath): string {
  const last = path[path.length - 1];
  // Custom messages already say "required"; zod's default says "expected string, received undefined".
  return /required/i.test(message) ? message : `${typeof last === 'string' ? last : 'this field'} is required`;
}

/** The part of the input left out for an issue at `path`: the whole list entry it is in, or the field itself. */
function cutFor(path: FieldPath): FieldPath {
  const index = path.findIndex((segment) => typeof segment === 'number');
  return index >= 0 ? path.slice(0, index + 1) : path;
}

/** Keys the schema accepts for the object at `path` (for "did you mean"). */
function allowedKeys(path: FieldPath): string[] {
  let schema: unknown = AspisConfigSchema;
  const defOf = (s: unknown) => (s as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
  const unwrap = (s: unknown): unknown => {
    let current = s;
    for (let i = 0; i < 10; i++) {
      const def = defOf(current);
      if (def && (def.type === 'optional' || def.type === 'default' || def.type === 'nullable')) current = def.innerType;
      else break;
    }
    return current;
  };
  for (const segment of path) {
    const def = defOf(unwrap(schema));
    if (!def) return [];
    if (def.type === 'object') schema = (def.shape as Record<string, unknown>)[String(segment)];
    else if (def.type === 'array') schema = def.element;
    else if (def.type === 'record') schema = def.valueType;
    else if (def.type === 'union') {
      schema = (def.options as unknown[]).map(unwrap).find((o) => defOf(o)?.type === 'array' || defOf(o)?.type === 'object');
      if (defOf(schema)?.type === 'array') schema = defOf(schema)!.element;
      else if (defOf(schema)?.type === 'object') schema = (defOf(schema)!.shape as Record<string, unknown>)[String(segment)];
    } else return [];
  }
  const def = defOf(unwrap(schema));
  return def?.type === 'object' ? Object.keys(def.shape as Record<string, unknown>) : [];
}

// ---- pruning invalid parts, keeping a map back to the original indexes ----

interface Pruned {
  value: Json;
  /** For each list that lost entries (keyed by its original path): original index of each surviving entry. */
  indexMaps: Map<string, number[]>;
}

function prune(original: Json, cuts: Set<string>): Pruned {
  const indexMaps = new Map<string, number[]>();
  const walk = (value: Json, path: (string | number)[]): Json => {
    if (Array.isArray(value)) {
      const kept: Json[] = [];
      const origins: number[] = [];
      value.forEach((item, i) => {
        const itemPath = [...path, i];
        if (cuts.has(JSON.stringify(itemPath))) return;
        kept.push(walk(item, itemPath));
        origins.push(i);
      });
      if (origins.length !== value.length) indexMaps.set(JSON.stringify(path), origins);
      return kept;
    }
    if (value !== null && typeof value === 'object') {
      const out: Record<string, Json> = {};
      for (const [k, v] of Object.entries(value)) {
        const childPath = [...path, k];
        if (!cuts.has(JSON.stringify(childPath))) out[k] = walk(v, childPath);
      }
      return out;
    }
    return value;
  };
  return { value: walk(original, []), indexMaps };
}

/** Translates a path in the pruned value to the same field's path in the original document. */
function toOriginal(path: FieldPath, indexMaps: Map<string, number[]>): FieldPath {
  const out: (string | number)[] = [];
  for (const segment of path) {
    if (typeof segment === 'number') {
      const map = indexMaps.get(JSON.stringify(out));
      out.push(map?.[segment] ?? segment);
    } else out.push(segment);
  }
  return out;
}

// ---- YAML node lookup ----

function findNode(doc: Document, path: FieldPath): { node?: YamlNode; keyNode?: YamlNode } {
  let node: unknown = doc.contents;
  let keyNode: YamlNode | undefined;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    keyNode = undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment));
      if (!pair) return {};
      keyNode = isScalar(pair.key) ? pair.key : undefined;
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      if (node === undefined) return {};
    } else return {};
  }
  return { node: node as YamlNode | undefined, keyNode };
}

/** The longest prefix of `path` that exists in the document (where to point when a required field is missing). */
function deepestExisting(doc: Document, path: FieldPath): FieldPath {
  for (let n = path.length; n > 0; n--) {
    const prefix = path.slice(0, n);
    if (findNode(doc, prefix).node) return prefix;
  }
  return [];
}

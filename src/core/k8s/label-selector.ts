/**
 * Kubernetes label selectors (`metav1.LabelSelector`) with the API server's exact semantics, for waivers, and later
 * for NetworkPolicy pod/namespace selectors and Services.
 *
 * - `matchLabels` and `matchExpressions` are ANDed; every entry must hold.
 * - `In`: the label is present and its value is one of `values` (non-empty).
 * - `NotIn`: the label is absent, or its value is none of `values` (non-empty). A missing key matches.
 * - `Exists` / `DoesNotExist`: the key is present / absent; `values` must be empty.
 * - An empty selector (`{}`) matches every object. A *missing* selector is the caller's business (NetworkPolicy gives
 *   it meanings of its own), so these functions always take a selector.
 * - Keys must be qualified names (`[prefix/]name`), values valid label values, as `kubectl apply` would require.
 *
 * Selectors read from manifests are untrusted: validate with {@link validateLabelSelector} first;
 * {@link matchesLabelSelector} throws {@link InvalidLabelSelectorError} on a selector that does not validate, so an
 * invalid selector can never silently match or silently not match.
 */
import type { FieldPath } from '../model/field-path.js';
import { formatFieldPath } from '../model/field-path.js';

export const LABEL_SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
export type LabelSelectorOperator = (typeof LABEL_SELECTOR_OPERATORS)[number];

export interface LabelSelectorRequirement {
  key: string;
  operator: LabelSelectorOperator;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** One problem of a selector, at `path` (the base path given to the validator, then the selector's own fields). */
export interface LabelSelectorIssue {
  path: FieldPath;
  /** `path` formatted: `spec.podSelector.matchExpressions[0].operator`. */
  field: string;
  message: string;
}

export class InvalidLabelSelectorError extends Error {
  constructor(readonly issues: LabelSelectorIssue[]) {
    super(`invalid label selector: ${issues.map((i) => `${i.field || '(selector)'}: ${i.message}`).join('; ')}`);
    this.name = 'InvalidLabelSelectorError';
  }
}

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a valid label key (qualified name: optional DNS-subdomain prefix and `/`, name ≤ 63), or undefined. */
export function labelKeyError(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined) {
    if (prefix.length === 0) return `label key "${key}": prefix part must be non-empty`;
    if (prefix.length > 253) return `label key "${key}": prefix part must be no more than 253 characters`;
    if (!DNS1123_SUBDOMAIN.test(prefix)) return `label key "${key}": prefix part must be a lowercase DNS subdomain`;
  }
  if (name.length === 0) return `label key "${key}": name part must be non-empty`;
  if (name.length > 63) return `label key "${key}": name part must be no more than 63 characters`;
  if (!NAME.test(name)) {
    return `label key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`;
  }
  return undefined;
}

/** Why `value` is not a valid label value (empty, or ≤ 63 characters of the name alphabet), or undefined. */
export function labelValueError(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63) return `label value "${value}": must be no more than 63 characters`;
  if (!NAME.test(value)) {
    return `label value "${value}": must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Every problem of a selector written in a manifest or a config file (`value` is untrusted). `base` is the path of the
 * selector itself, prefixed to every issue's path. An empty list means {@link matchesLabelSelector} accepts it.
 */
export function validateLabelSelector(value: unknown, base: FieldPath = []): LabelSelectorIssue[] {
  const issues: LabelSelectorIssue[] = [];
  const add = (rel: FieldPath, message: string) => {
    const path = [...base, ...rel];
    issues.push({ path, field: formatFieldPath(path), message });
  };
  if (!isRecord(value)) {
    add([], 'a label selector must be an object with matchLabels and/or matchExpressions');
    return issues;
  }
  for (const key of Object.keys(value)) {
    if (key !== 'matchLabels' && key !== 'matchExpressions') add([key], `unknown field "${key}": expected matchLabels or matchExpressions`);
  }
  const { matchLabels, matchExpressions } = value;
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isRecord(matchLabels)) add(['matchLabels'], 'matchLabels must be a map of label key to value');
    else {
      for (const [key, v] of Object.entries(matchLabels)) {
        const keyError = labelKeyError(key);
        if (keyError) add(['matchLabels', key], keyError);
        if (typeof v !== 'string') add(['matchLabels', key], `value must be a string, got ${describe(v)}`);
        else {
          const valueError = labelValueError(v);
          if (valueError) add(['matchLabels', key], valueError);
        }
      }
    }
  }
  if (matchExpressions !== undefined && matchExpressions !== null) {
    if (!Array.isArray(matchExpressions)) add(['matchExpressions'], 'matchExpressions must be a list');
    else matchExpressions.forEach((req, i) => validateRequirement(req, (rel, message) => add(['matchExpressions', i, ...rel], message)));
  }
  return issues;
}

function validateRequirement(req: unknown, add: (rel: FieldPath, message: string) => void): void {
  if (!isRecord(req)) {
    add([], 'each match expression must be an object with key, operator and values');
    return;
  }
  for (const key of Object.keys(req)) {
    if (key !== 'key' && key !== 'operator' && key !== 'values') add([key], `unknown field "${key}": expected key, operator or values`);
  }
  if (typeof req.key !== 'string') add(['key'], req.key === undefined ? 'key is required' : `key must be a string, got ${describe(req.key)}`);
  else {
    const keyError = labelKeyError(req.key);
    if (keyError) add(['key'], keyError);
  }
  const operator = req.operator;
  const values = req.values ?? [];
  if (!Array.isArray(values)) {
    add(['values'], `values must be a list of strings, got ${describe(values)}`);
    return;
  }
  values.forEach((v: unknown, j: number) => {
    if (typeof v !== 'string') add(['values', j], `value must be a string, got ${describe(v)}`);
    else {
      const valueError = labelValueError(v);
      if (valueError) add(['values', j], valueError);
    }
  });
  if (operator === undefined) add(['operator'], 'operator is required: In, NotIn, Exists or DoesNotExist');
  else if (!(LABEL_SELECTOR_OPERATORS as readonly unknown[]).includes(operator)) {
    add(['operator'], `${JSON.stringify(operator)} is not a valid selector operator: expected In, NotIn, Exists or DoesNotExist`);
  } else if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
    add(['values'], `values must be non-empty when operator is ${operator}`);
  } else if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) {
    add(['values'], `values must be empty when operator is ${operator}`);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Whether `labels` (undefined = no labels) satisfy `selector`. Throws {@link InvalidLabelSelectorError} if it is invalid. */
export function matchesLabelSelector(selector: LabelSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  return labelSelectorMatcher(selector)(labels);
}

/**
 * Validates `selector` once and returns a predicate for many label sets (NetworkPolicy analysis over many pods).
 * Throws {@link InvalidLabelSelectorError} if it is invalid.
 */
export function labelSelectorMatcher(selector: LabelSelector): (labels: Readonly<Record<string, string>> | undefined) => boolean {
  const issues = validateLabelSelector(selector);
  if (issues.length > 0) throw new InvalidLabelSelectorError(issues);
  const matchLabels = Object.entries(selector.matchLabels ?? {});
  const expressions = (selector.matchExpressions ?? []).map((req) => ({ ...req, values: new Set(req.values ?? []) }));
  return (labels) => {
    const valueOf = (key: string): string | undefined =>
      labels !== undefined && Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : undefined;
    for (const [key, value] of matchLabels) {
      if (valueOf(key) !== value) return false;
    }
    for (const req of expressions) {
      const value = valueOf(req.key);
      switch (req.operator) {
        case 'In':
          if (value === undefined || !req.values.has(value)) return false;
          break;
        case 'NotIn':
          if (value !== undefined && req.values.has(value)) return false;
          break;
        case 'Exists':
          if (value === undefined) return false;
          break;
        case 'DoesNotExist':
          if (value !== undefined) return false;
          break;
      }
    }
    return true;
  };
}

/** Whether the selector selects everything (no matchLabels entry, no expression). */
export function isEmptyLabelSelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

/**
 * The selector in `kubectl -l` syntax (`app=web,tier in (a,b),!legacy`), for messages; `<all>` when empty.
 * Entries are sorted by key, as the API server's String() does.
 */
export function formatLabelSelector(selector: LabelSelector): string {
  const parts: { key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) parts.push({ key, text: `${key}=${value}` });
  for (const req of selector.matchExpressions ?? []) {
    const values = [...(req.values ?? [])].sort().join(',');
    const text =
      req.operator === 'In'
        ? `${req.key} in (${values})`
        : req.operator === 'NotIn'
          ? `${req.key} notin (${values})`
          : req.operator === 'Exists'
            ? req.key
            : `!${req.key}`;
    parts.push({ key: req.key, text });
  }
  if (parts.length === 0) return '<all>';
  return parts
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((p) => p.text)
    .join(',');
}

/**
 * Which objects something (a waiver, a policy scope) applies to. Every field present narrows the selection; lists
 * are alternatives (any entry may match); an absent or empty selector selects every object.
 *
 * - `kinds`, `namespaces`, `names`: exact strings or globs where `*` matches any run of characters (`api-*`, `*-prod`).
 *   Matching is case-sensitive, as Kubernetes names are.
 * - `namespaces` is compared with the object's namespace, `""` for an object without one (cluster-scoped kinds, or a
 *   manifest that does not set it): `namespaces: [prod]` never selects a ClusterRole, `namespaces: [""]` selects
 *   objects without a namespace, and `*` selects both.
 * - `labels`: a Kubernetes label selector over the object's own `metadata.labels` (see k8s/label-selector.ts).
 *   Undefined labels (or anything that is not a map) mean no labels, as in Kubernetes: `NotIn` and `DoesNotExist`
 *   select such an object, `In`, `Exists` and `matchLabels` do not.
 */
import type { ResourceRef } from './resource.js';
import type { LabelSelector, LabelSelectorIssue } from '../k8s/label-selector.js';
import { formatLabelSelector, isEmptyLabelSelector, labelSelectorMatcher, validateLabelSelector } from '../k8s/label-selector.js';
import type { FieldPath } from './field-path.js';

export interface ResourceSelector {
  kinds?: string[];
  namespaces?: string[];
  names?: string[];
  labels?: LabelSelector;
}

const globCache = new Map<string, RegExp>();

/** Whether `value` matches `pattern`, where `*` stands for any (possibly empty) run of characters. */
export function matchesGlob(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  let re = globCache.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[\\^$.|?+()[\]{}]/g, '\\$&')).join('.*')}$`, 's');
    if (globCache.size < 1000) globCache.set(pattern, re);
  }
  return re.test(value);
}

function anyGlob(patterns: readonly string[] | undefined, value: string): boolean {
  return patterns === undefined || patterns.length === 0 || patterns.some((p) => matchesGlob(p, value));
}

/** Problems of a selector (only its label selector can be invalid once the types are right). */
export function validateResourceSelector(selector: ResourceSelector, base: FieldPath = []): LabelSelectorIssue[] {
  return selector.labels === undefined ? [] : validateLabelSelector(selector.labels, [...base, 'labels']);
}

/**
 * Whether the selector selects the object `ref` with `labels` (undefined: the object has no labels).
 * Throws InvalidLabelSelectorError when `selector.labels` is invalid: validate first.
 */
export function matchesResourceSelector(
  selector: ResourceSelector,
  ref: ResourceRef,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  return resourceSelectorMatcher(selector)(ref, labels);
}

/** Validates once and returns a predicate for many objects. Throws InvalidLabelSelectorError when `labels` is invalid. */
export function resourceSelectorMatcher(
  selector: ResourceSelector,
): (ref: ResourceRef, labels: Readonly<Record<string, string>> | undefined) => boolean {
  const labelMatch =
    selector.labels !== undefined && !isEmptyLabelSelector(selector.labels) ? labelSelectorMatcher(selector.labels) : undefined;
  return (ref, labels) => {
    if (!anyGlob(selector.kinds, ref.kind)) return false;
    if (!anyGlob(selector.namespaces, ref.namespace ?? '')) return false;
    if (!anyGlob(selector.names, ref.name)) return false;
    if (labelMatch) return labelMatch(isLabelMap(labels) ? labels : undefined);
    return true;
  };
}

function isLabelMap(value: unknown): value is Readonly<Record<string, string>> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Whether matching needs the object's labels (the selector has label requirements). */
export function selectorNeedsLabels(selector: ResourceSelector): boolean {
  return selector.labels !== undefined && !isEmptyLabelSelector(selector.labels);
}

/** `kinds=Deployment namespaces=prod names=api-* labels=app=web`, or `all resources`, for messages. */
export function formatResourceSelector(selector: ResourceSelector): string {
  const parts: string[] = [];
  if (selector.kinds?.length) parts.push(`kinds=${selector.kinds.join(',')}`);
  if (selector.namespaces?.length) parts.push(`namespaces=${selector.namespaces.map((n) => (n === '' ? '""' : n)).join(',')}`);
  if (selector.names?.length) parts.push(`names=${selector.names.join(',')}`);
  if (selector.labels && !isEmptyLabelSelector(selector.labels)) parts.push(`labels=${formatLabelSelector(selector.labels)}`);
  return parts.length === 0 ? 'all resources' : parts.join(' ');
}

/**
 * What one PolicyRule allows, with the exact matching of the Kubernetes RBAC authorizer
 * (k8s.io/kubernetes pkg/apis/rbac/v1/evaluation_helpers.go and plugin/pkg/auth/authorizer/rbac/rbac.go, RuleAllows):
 *
 * - verbs, apiGroups: `*` or the exact (case-sensitive) value.
 * - resources: `*`, the exact `resource` or `resource/subresource`, or `*\/subresource` when the request has that
 *   subresource. `pods/*` is NOT a wildcard: it only matches a request whose combined resource is literally `pods/*`.
 * - resourceNames: an empty list matches every name (and requests without a name); otherwise the exact name. `*` is
 *   not special there: it matches only an object literally named `*`.
 * - nonResourceURLs: `*`, the exact path, or a prefix written with trailing `*` (every trailing `*` is trimmed, then
 *   prefix match: `/healthz*` matches `/healthz` and `/healthz/etcd`). A `*` elsewhere is literal.
 * - A resource request never matches a rule's nonResourceURLs, and a non-resource request never matches its resources.
 */
import type { AuthorizationRequest } from './authorization-request.js';

export interface PolicyRule {
  verbs: readonly string[];
  apiGroups: readonly string[];
  resources: readonly string[];
  resourceNames: readonly string[];
  nonResourceURLs: readonly string[];
}

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.some((v) => v === '*' || v === verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return rule.apiGroups.some((g) => g === '*' || g === group);
}

/** `combined` is `resource` or `resource/subresource` as the request carries them; `subresource` may be empty. */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  return rule.resources.some((r) => r === '*' || r === combined || (subresource !== '' && r === `*/${subresource}`));
}

export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  return rule.resourceNames.length === 0 || rule.resourceNames.includes(name);
}

export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  return rule.nonResourceURLs.some((url) => {
    if (url === '*' || url === path) return true;
    if (!url.endsWith('*')) return false;
    return path.startsWith(url.replace(/\*+$/, ''));
  });
}

/** Whether the rule allows the request: RuleAllows of the RBAC authorizer. */
export function ruleAllows(rule: PolicyRule, request: AuthorizationRequest): boolean {
  if (!verbMatches(rule, request.verb)) return false;
  if ('nonResourceURL' in request) return nonResourceURLMatches(rule, request.nonResourceURL);
  const subresource = request.subresource ?? '';
  const combined = subresource === '' ? request.resource : `${request.resource}/${subresource}`;
  return (
    apiGroupMatches(rule, request.group) &&
    resourceMatches(rule, combined, subresource) &&
    resourceNameMatches(rule, request.name ?? '')
  );
}

/** The rule as one line, close to the authorizer's CompactString: `{apiGroups:[""], resources:["pods"], verbs:["get"]}`. */
export function formatPolicyRule(rule: PolicyRule): string {
  const parts: string[] = [];
  const add = (label: string, values: readonly string[]) => {
    if (values.length > 0) parts.push(`${label}:${JSON.stringify(values)}`);
  };
  add('apiGroups', rule.apiGroups);
  add('resources', rule.resources);
  add('nonResourceURLs', rule.nonResourceURLs);
  add('resourceNames', rule.resourceNames);
  add('verbs', rule.verbs);
  return `{${parts.join(', ')}}`;
}

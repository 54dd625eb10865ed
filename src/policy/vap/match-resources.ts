/**
 * Whether a request falls under a policy's matchConstraints or a binding's matchResources, with the apiserver's
 * rules (admission/plugin/policy/matching and webhook/predicates): namespaceSelector (cluster-scoped requests other
 * than Namespaces always match; a Namespace being created or updated is matched on its own labels),
 * objectSelector (object or oldObject), excludeResourceRules first, then resourceRules (operations, apiGroups,
 * apiVersions, resources incl. `*`, `res/sub`, `*\/sub`, `res/*`; scope; resourceNames). matchPolicy Equivalent needs
 * the cluster's equivalence table (e.g. one resource served under two groups); built-in kinds have none today, so
 * it is evaluated as Exact.
 */
import { isEmptyLabelSelector, matchesLabelSelector } from '../../core/k8s/label-selector.js';
import type { CompiledMatch, RuleWithOperations } from './compile-policies.js';
import type { AdmissionAttributes } from './types.js';

function exactOrWildcard(items: readonly string[], requested: string): boolean {
  return items.some((item) => item === '*' || item === requested);
}

function ruleMatches(rule: RuleWithOperations, request: AdmissionAttributes): boolean {
  const isNamespaceResource = request.resource.group === '' && request.resource.version === 'v1' && request.resource.resource === 'namespaces';
  const namespace = request.namespace ?? '';
  if (rule.scope === 'Namespaced' && (isNamespaceResource || namespace === '')) return false;
  if (rule.scope === 'Cluster' && !(isNamespaceResource || namespace === '')) return false;
  if (!rule.operations.some((op) => op === '*' || op === request.operation)) return false;
  if (!exactOrWildcard(rule.apiGroups, request.resource.group)) return false;
  if (!exactOrWildcard(rule.apiVersions, request.resource.version)) return false;
  const sub = request.subResource ?? '';
  return rule.resources.some((entry) => {
    const slash = entry.indexOf('/');
    const res = slash < 0 ? entry : entry.slice(0, slash);
    const ruleSub = slash < 0 ? '' : entry.slice(slash + 1);
    return (res === '*' || res === request.resource.resource) && (ruleSub === '*' || ruleSub === sub);
  });
}

function matchesRules(rules: readonly RuleWithOperations[], request: AdmissionAttributes): boolean {
  return rules.some((rule) => ruleMatches(rule, request) && (rule.resourceNames.length === 0 || rule.resourceNames.includes(request.name)));
}

function labelsOf(object: unknown): Record<string, string> | undefined {
  if (typeof object !== 'object' || object === null) return undefined;
  const labels = (object as { metadata?: { labels?: unknown } }).metadata?.labels;
  return typeof labels === 'object' && labels !== null ? (labels as Record<string, string>) : undefined;
}

function namespaceSelectorMatches(match: CompiledMatch, request: AdmissionAttributes): boolean {
  const isNamespaces = request.resource.resource === 'namespaces';
  if (!request.namespace && !isNamespaces) return true;
  if (isEmptyLabelSelector(match.namespaceSelector)) return true;
  const ownLabels = isNamespaces && !request.subResource && (request.operation === 'CREATE' || request.operation === 'UPDATE');
  const labels = ownLabels ? labelsOf(request.object) : labelsOf(request.namespaceObject);
  return matchesLabelSelector(match.namespaceSelector, labels ?? {});
}

function objectSelectorMatches(match: CompiledMatch, request: AdmissionAttributes): boolean {
  if (isEmptyLabelSelector(match.objectSelector)) return true;
  const test = (object: unknown): boolean => typeof object === 'object' && object !== null && matchesLabelSelector(match.objectSelector, labelsOf(object) ?? {});
  return test(request.object) || test(request.oldObject);
}

export function requestMatches(match: CompiledMatch, request: AdmissionAttributes): boolean {
  if (!namespaceSelectorMatches(match, request)) return false;
  if (!objectSelectorMatches(match, request)) return false;
  if (matchesRules(match.excludeResourceRules, request)) return false;
  if (match.resourceRules.length === 0) return true;
  return matchesRules(match.resourceRules, request);
}

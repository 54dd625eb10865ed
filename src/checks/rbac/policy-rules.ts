/**
 * Reading RBAC objects for the checks of this category: the rules of a Role/ClusterRole, the subjects and roleRef of a
 * binding, and what a rule grants, with the matching semantics of the Kubernetes RBAC authorizer (`*` in apiGroups,
 * resources and verbs; `*\/subresource` in resources). Pure; fields are untrusted and type-tested.
 */
import type { KubeObject } from '../../core/model/resource.js';
import { groupOf } from '../../core/model/resource.js';
import { grantableByRole } from './cluster-scoped-resources.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

export interface PolicyRuleView {
  /** Position in `rules`. */
  index: number;
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
  /**
   * The rule belongs to a namespaced Role, so the authorizer consults it only for requests in the Role's namespace:
   * it grants nothing on cluster-scoped resources (see cluster-scoped-resources.ts). False for ClusterRoles, which may
   * be bound cluster-wide.
   */
  inRole: boolean;
}

export interface SubjectView {
  index: number;
  kind: string;
  name: string;
  namespace?: string;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** True for objects of the RBAC API group (or with no apiVersion, as in hand-written fragments). */
export function isRbacObject(object: KubeObject): boolean {
  return typeof object.apiVersion !== 'string' || groupOf(object.apiVersion) === RBAC_GROUP;
}

export function policyRules(object: KubeObject): PolicyRuleView[] {
  const rules = object['rules'];
  if (!Array.isArray(rules)) return [];
  const inRole = object.kind === 'Role';
  const views: PolicyRuleView[] = [];
  rules.forEach((rule, index) => {
    if (!isRecord(rule)) return;
    views.push({
      index,
      inRole,
      apiGroups: strings(rule['apiGroups']),
      resources: strings(rule['resources']),
      verbs: strings(rule['verbs']),
      resourceNames: strings(rule['resourceNames']),
      nonResourceURLs: strings(rule['nonResourceURLs']),
    });
  });
  return views;
}

export function matchesGroup(rule: PolicyRuleView, group: string): boolean {
  return rule.apiGroups.includes('*') || rule.apiGroups.includes(group);
}

/** `resource` is `pods` or `pods/exec`; a rule matches with `*`, the exact name or `*\/<subresource>`. */
export function matchesResource(rule: PolicyRuleView, resource: string): boolean {
  const slash = resource.indexOf('/');
  const subresource = slash < 0 ? '' : resource.slice(slash + 1);
  return rule.resources.some((r) => r === '*' || r === resource || (subresource !== '' && r === `*/${subresource}`));
}

/**
 * The verbs among `candidates` that the rule grants on `resource` of `group`. A rule of a namespaced Role grants
 * nothing on cluster-scoped resources, whatever it names or matches through `*`.
 */
export function grantedVerbs(rule: PolicyRuleView, group: string, resource: string, candidates: readonly string[]): string[] {
  if (!matchesGroup(rule, group) || !matchesResource(rule, resource)) return [];
  const verbs = rule.verbs.includes('*') ? [...candidates] : candidates.filter((verb) => rule.verbs.includes(verb));
  return verbs.filter((verb) => scopeAllows(rule, group, resource, verb));
}

/** False when the rule is in a namespaced Role and `verb` on `resource` of `group` is only authorized cluster-wide. */
export function scopeAllows(rule: PolicyRuleView, group: string, resource: string, verb: string): boolean {
  return !rule.inRole || grantableByRole(group, resource, verb);
}

/** Evidence for a rule: what it says, never more. */
export function ruleEvidence(rule: PolicyRuleView): Record<string, string[]> {
  const evidence: Record<string, string[]> = { apiGroups: rule.apiGroups, resources: rule.resources, verbs: rule.verbs };
  if (rule.resourceNames.length > 0) evidence['resourceNames'] = rule.resourceNames;
  return evidence;
}

const DEFAULT_USER_FACING_ROLES = new Set(['cluster-admin', 'admin', 'edit', 'view']);

/**
 * Roles the API server creates and keeps reconciled: every `system:` name (reserved for Kubernetes components), and the
 * user-facing defaults cluster-admin/admin/edit/view when they carry the bootstrap label. Findings on them cannot be
 * fixed (the API server restores them); what matters is who is bound to them, which the binding checks report.
 */
export function isBuiltInRole(object: KubeObject): boolean {
  const name = object.metadata?.name;
  if (typeof name !== 'string') return false;
  if (name.startsWith('system:')) return true;
  return (
    object.kind === 'ClusterRole' &&
    DEFAULT_USER_FACING_ROLES.has(name) &&
    object.metadata?.labels?.['kubernetes.io/bootstrapping'] === 'rbac-defaults'
  );
}

/** Bindings named `system:…` are created and reconciled by the API server for Kubernetes components. */
export function isSystemBinding(object: KubeObject): boolean {
  const name = object.metadata?.name;
  return typeof name === 'string' && name.startsWith('system:');
}

export function roleRefOf(binding: KubeObject): { kind: string; name: string } | undefined {
  const ref = binding['roleRef'];
  if (!isRecord(ref) || typeof ref['kind'] !== 'string' || typeof ref['name'] !== 'string') return undefined;
  return { kind: ref['kind'], name: ref['name'] };
}

export function subjectsOf(binding: KubeObject): SubjectView[] {
  const list = binding['subjects'];
  if (!Array.isArray(list)) return [];
  const views: SubjectView[] = [];
  list.forEach((subject, index) => {
    if (!isRecord(subject) || typeof subject['kind'] !== 'string' || typeof subject['name'] !== 'string') return;
    const view: SubjectView = { index, kind: subject['kind'], name: subject['name'] };
    if (typeof subject['namespace'] === 'string') view.namespace = subject['namespace'];
    views.push(view);
  });
  return views;
}

/** `Group/dev`, `User/jane`, `ServiceAccount/ns/name` (a service account without namespace is in the binding's). */
export function formatSubject(subject: SubjectView, bindingNamespace?: string): string {
  if (subject.kind === 'ServiceAccount') {
    const namespace = subject.namespace ?? bindingNamespace;
    return namespace ? `ServiceAccount/${namespace}/${subject.name}` : `ServiceAccount/${subject.name}`;
  }
  return `${subject.kind}/${subject.name}`;
}

/** Human wording for where a Role/ClusterRole applies. */
export function roleScope(object: KubeObject): string {
  return object.kind === 'Role' && typeof object.metadata?.namespace === 'string'
    ? `in namespace "${object.metadata.namespace}"`
    : object.kind === 'Role'
      ? 'in its namespace'
      : 'wherever it is bound';
}

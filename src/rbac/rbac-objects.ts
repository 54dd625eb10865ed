/**
 * Reads Roles, ClusterRoles, RoleBindings, ClusterRoleBindings and ServiceAccounts from untrusted KubeObjects into
 * typed views, validating them as the API server does (pkg/apis/rbac/validation): an object the server would reject
 * is left out of the graph and reported as an issue naming the object and field, so answers describe the cluster the
 * manifests would produce. Defaults are applied as the API server's v1 defaulting does (an empty roleRef.apiGroup or
 * User/Group subject apiGroup is rbac.authorization.k8s.io).
 */
import type { FieldPath } from '../core/model/field-path.js';
import type { KubeObject } from '../core/model/resource.js';
import type { LabelSelector } from '../core/k8s/label-selector.js';
import { validateLabelSelector } from '../core/k8s/label-selector.js';
import type { PolicyRule } from './policy-rule.js';
import { isValidServiceAccountName } from './identity.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
const RBAC_API_VERSION = `${RBAC_GROUP}/v1`;

export type RoleKind = 'Role' | 'ClusterRole';
export type BindingKind = 'RoleBinding' | 'ClusterRoleBinding';

export interface RoleView {
  kind: RoleKind;
  name: string;
  /** Set for Roles only. */
  namespace?: string;
  /** The rules as written (for an aggregated ClusterRole: as stored; see RbacGraph for the effective ones). */
  rules: RuleSource[];
  /** ClusterRoles only: `aggregationRule.clusterRoleSelectors`. */
  aggregationSelectors?: LabelSelector[];
  labels: Readonly<Record<string, string>>;
  object: KubeObject;
}

/** A rule and where it is written: rule `index` of `role`. */
export interface RuleSource {
  rule: PolicyRule;
  role: RoleView;
  index: number;
}

export interface Subject {
  kind: string;
  name: string;
  /** As written; for a ServiceAccount of a RoleBinding an empty namespace means the binding's. */
  namespace?: string;
  apiGroup?: string;
  /** Position in the binding's `subjects`. */
  index: number;
}

export interface BindingView {
  kind: BindingKind;
  name: string;
  /** Set for RoleBindings only. */
  namespace?: string;
  roleRef: { kind: string; name: string };
  subjects: Subject[];
  object: KubeObject;
}

export interface ServiceAccountView {
  namespace: string;
  name: string;
  /** `secrets[].name`: the legacy token secrets (and others) the account lists. */
  secrets: string[];
  object: KubeObject;
}

/** A problem in one object: what the API server would reject (the object is then left out) or a warning. */
export interface RbacIssue {
  object: KubeObject;
  path: FieldPath;
  message: string;
  /** True when the object is left out of the graph because the API server would not accept it. */
  ignored: boolean;
}

export type RbacObjectView =
  | { type: 'role'; view: RoleView }
  | { type: 'binding'; view: BindingView }
  | { type: 'serviceAccount'; view: ServiceAccountView };

/** The kinds the RBAC graph reads (and the ones `aspis rbac` lists from a live cluster). */
export const RBAC_GRAPH_KINDS = ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ServiceAccount'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** An RBAC name is a valid path segment: not `.` or `..`, no `/` or `%` (ValidateRBACName). */
function pathSegmentNameError(name: string): string | undefined {
  if (name === '.' || name === '..') return `may not be '${name}'`;
  if (name.includes('/')) return "may not contain '/'";
  if (name.includes('%')) return "may not contain '%'";
  return undefined;
}

class ObjectReader {
  readonly issues: RbacIssue[] = [];
  constructor(readonly object: KubeObject) {}

  problem(path: FieldPath, message: string): void {
    this.issues.push({ object: this.object, path, message, ignored: true });
  }

  /** A list of strings at `path` (absent or null: empty). */
  strings(value: unknown, path: FieldPath): string[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.problem(path, 'must be a list of strings');
      return [];
    }
    const out: string[] = [];
    value.forEach((item, i) => {
      if (typeof item === 'string') out.push(item);
      else this.problem([...path, i], 'must be a string');
    });
    return out;
  }

  optionalString(value: unknown, path: FieldPath): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      this.problem(path, 'must be a string');
      return undefined;
    }
    return value;
  }
}

function readRule(reader: ObjectReader, value: unknown, path: FieldPath, namespaced: boolean): PolicyRule | undefined {
  if (!isRecord(value)) {
    reader.problem(path, 'each rule must be an object with verbs, apiGroups, resources… or nonResourceURLs');
    return undefined;
  }
  const rule: PolicyRule = {
    verbs: reader.strings(value['verbs'], [...path, 'verbs']),
    apiGroups: reader.strings(value['apiGroups'], [...path, 'apiGroups']),
    resources: reader.strings(value['resources'], [...path, 'resources']),
    resourceNames: reader.strings(value['resourceNames'], [...path, 'resourceNames']),
    nonResourceURLs: reader.strings(value['nonResourceURLs'], [...path, 'nonResourceURLs']),
  };
  if (rule.verbs.length === 0) reader.problem([...path, 'verbs'], 'verbs must contain at least one value');
  if (rule.nonResourceURLs.length > 0) {
    if (namespaced) reader.problem([...path, 'nonResourceURLs'], 'namespaced rules cannot apply to non-resource URLs');
    if (rule.apiGroups.length > 0 || rule.resources.length > 0 || rule.resourceNames.length > 0) {
      reader.problem([...path, 'nonResourceURLs'], 'rules cannot apply to both regular resources and non-resource URLs');
    }
    return rule;
  }
  if (rule.apiGroups.length === 0) reader.problem([...path, 'apiGroups'], 'resource rules must supply at least one api group');
  if (rule.resources.length === 0) reader.problem([...path, 'resources'], 'resource rules must supply at least one resource');
  return rule;
}

function readRole(reader: ObjectReader, kind: RoleKind, name: string, namespace: string | undefined, labels: Record<string, string>): RoleView {
  const object = reader.object;
  const role: RoleView = { kind, name, rules: [], labels, object };
  if (namespace !== undefined) role.namespace = namespace;
  const rules = object['rules'];
  if (rules !== undefined && rules !== null && !Array.isArray(rules)) reader.problem(['rules'], 'rules must be a list');
  else {
    (rules ?? []).forEach((value: unknown, index: number) => {
      const rule = readRule(reader, value, ['rules', index], kind === 'Role');
      if (rule) role.rules.push({ rule, role, index });
    });
  }
  const aggregation = object['aggregationRule'];
  if (kind === 'ClusterRole' && aggregation !== undefined && aggregation !== null) {
    const selectors = isRecord(aggregation) ? aggregation['clusterRoleSelectors'] : undefined;
    if (!isRecord(aggregation)) reader.problem(['aggregationRule'], 'aggregationRule must be an object with clusterRoleSelectors');
    else if (!Array.isArray(selectors) || selectors.length === 0) {
      reader.problem(['aggregationRule', 'clusterRoleSelectors'], 'at least one clusterRoleSelector required if aggregationRule is non-nil');
    } else {
      role.aggregationSelectors = [];
      selectors.forEach((selector: unknown, i: number) => {
        const issues = validateLabelSelector(selector, ['aggregationRule', 'clusterRoleSelectors', i]);
        for (const issue of issues) reader.problem(issue.path, issue.message);
        if (issues.length === 0) role.aggregationSelectors!.push(selector as LabelSelector);
      });
    }
  }
  return role;
}

function readBinding(reader: ObjectReader, kind: BindingKind, name: string, namespace: string | undefined): BindingView | undefined {
  const object = reader.object;
  const ref = object['roleRef'];
  let roleRef: { kind: string; name: string } | undefined;
  if (!isRecord(ref)) reader.problem(['roleRef'], 'roleRef is required: {apiGroup: rbac.authorization.k8s.io, kind, name}');
  else {
    const apiGroup = reader.optionalString(ref['apiGroup'], ['roleRef', 'apiGroup']) ?? '';
    if (apiGroup !== '' && apiGroup !== RBAC_GROUP) reader.problem(['roleRef', 'apiGroup'], `unsupported value "${apiGroup}": supported value is "${RBAC_GROUP}"`);
    const refKind = reader.optionalString(ref['kind'], ['roleRef', 'kind']) ?? '';
    const allowed = kind === 'RoleBinding' ? ['Role', 'ClusterRole'] : ['ClusterRole'];
    if (!allowed.includes(refKind)) reader.problem(['roleRef', 'kind'], `unsupported value "${refKind}": supported values are ${allowed.map((k) => `"${k}"`).join(', ')}`);
    const refName = reader.optionalString(ref['name'], ['roleRef', 'name']) ?? '';
    if (refName === '') reader.problem(['roleRef', 'name'], 'roleRef.name is required');
    else {
      const error = pathSegmentNameError(refName);
      if (error) reader.problem(['roleRef', 'name'], `invalid name "${refName}": ${error}`);
    }
    roleRef = { kind: refKind, name: refName };
  }
  const subjects: Subject[] = [];
  const list = object['subjects'];
  if (list !== undefined && list !== null && !Array.isArray(list)) reader.problem(['subjects'], 'subjects must be a list');
  else {
    (list ?? []).forEach((value: unknown, index: number) => {
      const path = ['subjects', index];
      if (!isRecord(value)) {
        reader.problem(path, 'each subject must be an object with kind and name');
        return;
      }
      const subjectKind = reader.optionalString(value['kind'], [...path, 'kind']) ?? '';
      const subjectName = reader.optionalString(value['name'], [...path, 'name']) ?? '';
      const subjectNamespace = reader.optionalString(value['namespace'], [...path, 'namespace']);
      let apiGroup = reader.optionalString(value['apiGroup'], [...path, 'apiGroup']) ?? '';
      if (subjectName === '') reader.problem([...path, 'name'], 'subject name is required');
      if (subjectKind === 'ServiceAccount') {
        if (subjectName !== '' && !isValidServiceAccountName(subjectName)) {
          reader.problem([...path, 'name'], `invalid service account name "${subjectName}": must be a lowercase DNS-1123 subdomain`);
        }
        if (apiGroup !== '') reader.problem([...path, 'apiGroup'], `unsupported value "${apiGroup}": a ServiceAccount subject has apiGroup ""`);
        if (kind === 'ClusterRoleBinding' && !subjectNamespace) reader.problem([...path, 'namespace'], 'a ServiceAccount subject of a ClusterRoleBinding needs a namespace');
      } else if (subjectKind === 'User' || subjectKind === 'Group') {
        if (apiGroup === '') apiGroup = RBAC_GROUP;
        if (apiGroup !== RBAC_GROUP) reader.problem([...path, 'apiGroup'], `unsupported value "${apiGroup}": a ${subjectKind} subject has apiGroup "${RBAC_GROUP}"`);
      } else {
        reader.problem([...path, 'kind'], `unsupported value "${subjectKind}": supported values are "ServiceAccount", "User", "Group"`);
      }
      const subject: Subject = { kind: subjectKind, name: subjectName, index };
      if (subjectNamespace !== undefined && subjectNamespace !== '') subject.namespace = subjectNamespace;
      if (apiGroup !== '') subject.apiGroup = apiGroup;
      subjects.push(subject);
    });
  }
  if (!roleRef) return undefined;
  const binding: BindingView = { kind, name, roleRef, subjects, object };
  if (namespace !== undefined) binding.namespace = namespace;
  return binding;
}

/**
 * Reads one object. Returns undefined for kinds the RBAC graph does not use; otherwise the view (absent when the API
 * server would reject the object) and the issues found. `defaultNamespace` is where a namespaced object without
 * metadata.namespace lands, as with `kubectl apply` without `-n`.
 */
export function readRbacObject(object: KubeObject, defaultNamespace: string): { view?: RbacObjectView; issues: RbacIssue[] } | undefined {
  const kind = object.kind;
  if (typeof kind !== 'string' || !(RBAC_GRAPH_KINDS as readonly string[]).includes(kind)) return undefined;
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  const expected = kind === 'ServiceAccount' ? 'v1' : RBAC_API_VERSION;
  if (kind === 'ServiceAccount' && apiVersion !== 'v1') return undefined;
  const reader = new ObjectReader(object);
  if (apiVersion !== expected) {
    if (!apiVersion.startsWith(`${RBAC_GROUP}/`)) return undefined;
    reader.problem(['apiVersion'], `${apiVersion} is no longer served (removed in Kubernetes 1.22): use ${RBAC_API_VERSION}`);
    return { issues: reader.issues };
  }
  const meta = isRecord(object.metadata) ? object.metadata : {};
  const name = typeof meta['name'] === 'string' ? meta['name'] : '';
  if (name === '') reader.problem(['metadata', 'name'], 'metadata.name is required');
  else if (kind === 'ServiceAccount') {
    if (!isValidServiceAccountName(name)) reader.problem(['metadata', 'name'], `invalid service account name "${name}": must be a lowercase DNS-1123 subdomain`);
  } else {
    const error = pathSegmentNameError(name);
    if (error) reader.problem(['metadata', 'name'], `invalid name "${name}": ${error}`);
  }
  const namespaced = kind === 'Role' || kind === 'RoleBinding' || kind === 'ServiceAccount';
  const namespace = namespaced ? (typeof meta['namespace'] === 'string' && meta['namespace'] !== '' ? meta['namespace'] : defaultNamespace) : undefined;
  const rawLabels = meta['labels'];
  const labels: Record<string, string> = {};
  if (isRecord(rawLabels)) for (const [k, v] of Object.entries(rawLabels)) if (typeof v === 'string') labels[k] = v;

  let view: RbacObjectView | undefined;
  if (kind === 'Role' || kind === 'ClusterRole') view = { type: 'role', view: readRole(reader, kind, name, namespace, labels) };
  else if (kind === 'RoleBinding' || kind === 'ClusterRoleBinding') {
    const binding = readBinding(reader, kind, name, namespace);
    if (binding) view = { type: 'binding', view: binding };
  } else {
    const secrets: string[] = [];
    const list = object['secrets'];
    if (Array.isArray(list)) for (const s of list) if (isRecord(s) && typeof s['name'] === 'string') secrets.push(s['name']);
    view = { type: 'serviceAccount', view: { namespace: namespace!, name, secrets, object } };
  }
  if (reader.issues.length > 0) return { issues: reader.issues };
  return view ? { view, issues: [] } : { issues: reader.issues };
}

/**
 * Whether a user may make a request, decided as the API server decides it (plugin/pkg/auth/authorizer/rbac and
 * pkg/registry/rbac/validation/rule.go, VisitRulesFor), with every binding and rule that grants it:
 *
 * 1. Members of a privileged group (`system:masters`) are allowed everything before RBAC is consulted.
 * 2. Every ClusterRoleBinding with a subject that applies to the user grants the rules of its ClusterRole, everywhere.
 * 3. Only when the request carries a namespace: every RoleBinding of that namespace with a subject that applies grants
 *    the rules of its Role (of the same namespace) or ClusterRole, for requests in that namespace only. A request with
 *    no namespace (cluster-scoped resources, lists across all namespaces, non-resource URLs) never reaches a
 *    RoleBinding, which is why a Role naming `nodes` grants nothing: see api-resources.ts for which requests carry one.
 * 4. A subject applies when: User — the name equals the user name; Group — the user has that group; ServiceAccount —
 *    the user name is `system:serviceaccount:<ns>:<name>`, where ns is the subject's namespace or, when empty, the
 *    RoleBinding's (a ClusterRoleBinding's ServiceAccount subject without a namespace applies to nobody). Any other
 *    kind applies to nobody. Only the first subject that applies is named, as the authorizer does.
 * 5. A binding whose role does not exist grants nothing; the error is reported as the server reports it on denial.
 */
import type { AuthorizationRequest, UserInfo } from './authorization-request.js';
import { isNonResourceRequest } from './authorization-request.js';
import { PRIVILEGED_GROUP, serviceAccountUser } from './identity.js';
import { ruleAllows } from './policy-rule.js';
import type { BindingView, RoleView, RuleSource, Subject } from './rbac-objects.js';
import type { RbacGraph } from './rbac-graph.js';
import { resolveRoleRef } from './rbac-graph.js';

/** One reason a request is allowed: rule `rule` of `role`, granted to `subject` of `binding`. */
export interface Grant {
  binding: BindingView;
  subject: Subject;
  role: RoleView;
  /** The rule and where it is written (for an aggregated ClusterRole: the ClusterRole it was aggregated from). */
  rule: RuleSource;
}

export interface Decision {
  allowed: boolean;
  /** Set when the user is in a privileged group, which is allowed everything without RBAC. */
  privilegedGroup?: string;
  /** Every binding rule that allows the request, ClusterRoleBindings first, then RoleBindings, each by name. */
  grants: Grant[];
  /** Bindings that apply to the user but reference a role that does not exist (they grant nothing). */
  errors: { binding: BindingView; message: string }[];
}

export interface CanIOptions {
  /** Groups allowed everything before RBAC (default: system:masters, as kube-apiserver configures). */
  privilegedGroups?: readonly string[];
}

/** AppliesToUser: whether `subject` of a binding in `namespace` (empty for a ClusterRoleBinding) is `who`. */
export function subjectApplies(subject: Subject, who: UserInfo, namespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return who.user === subject.name;
    case 'Group':
      return who.groups.includes(subject.name);
    case 'ServiceAccount': {
      const saNamespace = subject.namespace || namespace;
      if (saNamespace === '') return false;
      return who.user === serviceAccountUser(saNamespace, subject.name);
    }
    default:
      return false;
  }
}

/** The bindings that apply to `who` for a request in `namespace` ('' = none), in the authorizer's visiting order. */
export function applicableBindings(graph: RbacGraph, who: UserInfo, namespace: string): { binding: BindingView; subject: Subject }[] {
  const out: { binding: BindingView; subject: Subject }[] = [];
  for (const binding of graph.clusterRoleBindings) {
    const subject = binding.subjects.find((s) => subjectApplies(s, who, ''));
    if (subject) out.push({ binding, subject });
  }
  if (namespace !== '') {
    for (const binding of graph.roleBindings.get(namespace) ?? []) {
      const subject = binding.subjects.find((s) => subjectApplies(s, who, namespace));
      if (subject) out.push({ binding, subject });
    }
  }
  return out;
}

/** Every rule that applies to `who` in `namespace` ('' = only ClusterRoleBindings): RulesFor, with where each comes from. */
export interface ApplicableRules {
  rules: Grant[];
  errors: { binding: BindingView; message: string }[];
}

export function rulesFor(graph: RbacGraph, who: UserInfo, namespace: string): ApplicableRules {
  const out: ApplicableRules = { rules: [], errors: [] };
  for (const { binding, subject } of applicableBindings(graph, who, namespace)) {
    const resolved = resolveRoleRef(graph, binding);
    if ('error' in resolved) out.errors.push({ binding, message: resolved.error });
    else for (const rule of resolved.rules) out.rules.push({ binding, subject, role: resolved.role, rule });
  }
  return out;
}

export function privilegedGroupOf(who: UserInfo, options: CanIOptions = {}): string | undefined {
  return (options.privilegedGroups ?? [PRIVILEGED_GROUP]).find((group) => who.groups.includes(group));
}

/** The decision for `request` given the rules that apply to the user in the request's namespace. */
export function decide(applicable: ApplicableRules, request: AuthorizationRequest, privilegedGroup?: string): Decision {
  const grants = applicable.rules.filter((grant) => ruleAllows(grant.rule.rule, request));
  const decision: Decision = { allowed: grants.length > 0 || privilegedGroup !== undefined, grants, errors: applicable.errors };
  if (privilegedGroup !== undefined) decision.privilegedGroup = privilegedGroup;
  return decision;
}

export function requestNamespaceOf(request: AuthorizationRequest): string {
  return isNonResourceRequest(request) ? '' : (request.namespace ?? '');
}

export function canI(graph: RbacGraph, who: UserInfo, request: AuthorizationRequest, options: CanIOptions = {}): Decision {
  return decide(rulesFor(graph, who, requestNamespaceOf(request)), request, privilegedGroupOf(who, options));
}

/**
 * Escalation paths: how a subject comes to act as another identity, or to grant itself more, through what RBAC already
 * allows it, reported as a chain of steps with the granting rules at each step. Each step is one of:
 *
 * - create-token: create on serviceaccounts/token (TokenRequest) for service account Y ⇒ a token of Y.
 * - impersonate: impersonate on serviceaccounts Y (or users U, or groups G together with some user) ⇒ act as them.
 * - create-pods: create pods in namespace N ⇒ run a pod as any service account of N and read its mounted token.
 * - create-workloads: the same through a workload controller (deployments, replicasets, statefulsets, daemonsets,
 *   jobs, cronjobs, replicationcontrollers), which creates the pods with the template's service account.
 * - read-token-secret: get a legacy token Secret listed in Y's `secrets`, or list/watch secrets of N (then only if a
 *   legacy token Secret of Y exists: a condition, since Secrets are not read).
 * - create-token-secret: create secrets in N plus get/list secrets there ⇒ create a kubernetes.io/service-account-token
 *   Secret for Y, which the token controller fills with a long-lived token of Y, and read it.
 * - bind: create (cluster)rolebindings plus bind on a role ⇒ bind that role (or any role) to itself.
 * - escalate: escalate plus update/patch on a role already bound to itself ⇒ write any rule into it.
 *
 * Service accounts reached are identities too, so paths chain (alice creates pods in ci ⇒ ci/deployer, which can
 * read secrets in prod ⇒ prod/admin). Subjects in a privileged group are not sources (they may do everything already).
 */
import type { ResourceRequest, UserInfo } from './authorization-request.js';
import type { ApplicableRules, CanIOptions, Grant } from './can-i.js';
import { decide, privilegedGroupOf, rulesFor } from './can-i.js';
import { ALL_SERVICE_ACCOUNTS_GROUP, AUTHENTICATED_GROUP, PRIVILEGED_GROUP, SERVICE_ACCOUNT_GROUP_PREFIX, UNAUTHENTICATED_GROUP } from './identity.js';
import { apiGroupMatches, resourceMatches, verbMatches } from './policy-rule.js';
import { RBAC_GROUP } from './rbac-objects.js';
import type { RbacGraph } from './rbac-graph.js';
import type { SubjectRef } from './who-can.js';
import { formatSubjectRef, identityOf, knownSubjects } from './who-can.js';

export type EscalationTarget =
  | SubjectRef
  /** Can bind any role: within `namespace`, or cluster-wide when absent. */
  | { kind: 'AnyRole'; namespace?: string }
  /** Can bind this role to itself (a ClusterRole, cluster-wide or within `namespace`, or a Role of `namespace`). */
  | { kind: 'BoundRole'; role: 'ClusterRole' | 'Role'; name: string; namespace?: string }
  /** Can write any rule into a role bound to itself: within `namespace`, or cluster-wide when absent. */
  | { kind: 'AnyPermission'; namespace?: string };

export type EscalationTechnique =
  | 'create-token'
  | 'impersonate'
  | 'create-pods'
  | 'create-workloads'
  | 'read-token-secret'
  | 'create-token-secret'
  | 'bind'
  | 'escalate';

export interface PermissionUse {
  request: ResourceRequest;
  grants: Grant[];
}

export interface EscalationStep {
  from: SubjectRef;
  to: EscalationTarget;
  technique: EscalationTechnique;
  description: string;
  /** The permissions the step uses, each with the bindings and rules that grant it. */
  permissions: PermissionUse[];
  /** What must also hold for the step to work, when it cannot be known from RBAC objects. */
  condition?: string;
}

export interface EscalationPath {
  from: SubjectRef;
  to: EscalationTarget;
  steps: EscalationStep[];
}

export interface EscalationOptions extends CanIOptions {
  /** Only paths starting at these subjects (default: every known subject). */
  from?: readonly SubjectRef[];
  /** Leave out paths starting at Kubernetes' own identities (see isSystemSubject); they remain targets. */
  skipSystemSources?: boolean;
}

const EVERYONE_GROUPS = new Set([AUTHENTICATED_GROUP, UNAUTHENTICATED_GROUP, ALL_SERVICE_ACCOUNTS_GROUP]);

/**
 * Kubernetes' own identities: `system:` users and groups (control-plane components, nodes, bootstrap tokens) and the
 * service accounts of kube-system, but not the groups that stand for everyone (`system:authenticated`,
 * `system:unauthenticated`, `system:serviceaccounts`, `system:serviceaccounts:<ns>`).
 */
export function isSystemSubject(subject: SubjectRef): boolean {
  if (subject.kind === 'ServiceAccount') return subject.namespace === 'kube-system';
  if (subject.kind === 'Group' && (EVERYONE_GROUPS.has(subject.name) || subject.name.startsWith(SERVICE_ACCOUNT_GROUP_PREFIX))) return false;
  return subject.name.startsWith('system:');
}

export function formatTarget(target: EscalationTarget): string {
  switch (target.kind) {
    case 'AnyRole':
      return target.namespace ? `any role in namespace ${target.namespace}` : 'any ClusterRole, cluster-wide';
    case 'BoundRole':
      return target.role === 'Role' || target.namespace
        ? `${target.role} ${target.name} in namespace ${target.namespace}`
        : `ClusterRole ${target.name}, cluster-wide`;
    case 'AnyPermission':
      return target.namespace ? `any permission in namespace ${target.namespace}` : 'any permission, cluster-wide';
    default:
      return formatSubjectRef(target);
  }
}

function targetKey(target: EscalationTarget): string {
  switch (target.kind) {
    case 'AnyRole':
    case 'AnyPermission':
      return `${target.kind}/${target.namespace ?? ''}`;
    case 'BoundRole':
      return `${target.kind}/${target.role}/${target.namespace ?? ''}/${target.name}`;
    default:
      return formatSubjectRef(target);
  }
}

function isIdentity(target: EscalationTarget): target is SubjectRef {
  return target.kind === 'User' || target.kind === 'Group' || target.kind === 'ServiceAccount';
}

const WORKLOADS: readonly [string, string][] = [
  ['apps', 'deployments'],
  ['apps', 'replicasets'],
  ['apps', 'statefulsets'],
  ['apps', 'daemonsets'],
  ['batch', 'jobs'],
  ['batch', 'cronjobs'],
  ['', 'replicationcontrollers'],
];

/** Asks questions for one identity, caching the rules that apply per namespace. */
class Asker {
  private readonly cache = new Map<string, ApplicableRules>();
  constructor(
    private readonly graph: RbacGraph,
    readonly who: UserInfo,
  ) {}

  rules(namespace: string): ApplicableRules {
    let rules = this.cache.get(namespace);
    if (!rules) {
      rules = rulesFor(this.graph, this.who, namespace);
      this.cache.set(namespace, rules);
    }
    return rules;
  }

  /** The permission use when allowed, else undefined. */
  can(request: ResourceRequest): PermissionUse | undefined {
    const decision = decide(this.rules(request.namespace ?? ''), request);
    return decision.allowed ? { request, grants: decision.grants } : undefined;
  }

  /** Some name of `resource` may take `verb` (a rule matches, whatever its resourceNames): the first such use. */
  canSomeName(verb: string, group: string, resource: string, namespace = ''): PermissionUse | undefined {
    for (const grant of this.rules(namespace).rules) {
      const rule = grant.rule.rule;
      if (!verbMatches(rule, verb) || !apiGroupMatches(rule, group) || !resourceMatches(rule, resource, '')) continue;
      const name = rule.resourceNames[0];
      const request: ResourceRequest = { verb, group, resource, ...(namespace ? { namespace } : {}), ...(name !== undefined ? { name } : {}) };
      return this.can(request);
    }
    return undefined;
  }
}

function res(verb: string, group: string, resource: string, extra: { subresource?: string; namespace?: string; name?: string } = {}): ResourceRequest {
  const request: ResourceRequest = { verb, group, resource };
  if (extra.subresource) request.subresource = extra.subresource;
  if (extra.namespace) request.namespace = extra.namespace;
  if (extra.name) request.name = extra.name;
  return request;
}

/** The steps one identity can take directly, one per target (the most direct technique wins). */
function stepsFrom(graph: RbacGraph, subject: SubjectRef, subjects: readonly SubjectRef[]): EscalationStep[] {
  const ask = new Asker(graph, identityOf(subject));
  const steps = new Map<string, EscalationStep>();
  const add = (step: Omit<EscalationStep, 'from'>) => {
    const key = targetKey(step.to);
    if (key === formatSubjectRef(subject) || steps.has(key)) return;
    steps.set(key, { from: subject, ...step });
  };
  const accounts = subjects.filter((s): s is Extract<SubjectRef, { kind: 'ServiceAccount' }> => s.kind === 'ServiceAccount');
  const secretsOf = new Map(graph.serviceAccounts.map((a) => [`${a.namespace}/${a.name}`, a.secrets]));

  for (const account of accounts) {
    const ns = account.namespace;
    const name = account.name;
    const token = ask.can(res('create', '', 'serviceaccounts', { subresource: 'token', namespace: ns, name }));
    if (token) add({ to: account, technique: 'create-token', description: `requests a token for ${ns}/${name} (TokenRequest)`, permissions: [token] });
    const impersonate = ask.can(res('impersonate', '', 'serviceaccounts', { namespace: ns, name }));
    if (impersonate) add({ to: account, technique: 'impersonate', description: `impersonates ${ns}/${name}`, permissions: [impersonate] });
  }

  const byNamespace = new Map<string, typeof accounts>();
  for (const account of accounts) byNamespace.set(account.namespace, [...(byNamespace.get(account.namespace) ?? []), account]);
  for (const [ns, inNamespace] of byNamespace) {
    const pods = ask.can(res('create', '', 'pods', { namespace: ns }));
    let workload: PermissionUse | undefined;
    if (!pods) for (const [group, resource] of WORKLOADS) if ((workload = ask.can(res('create', group, resource, { namespace: ns })))) break;
    const listSecrets = ask.can(res('list', '', 'secrets', { namespace: ns })) ?? ask.can(res('watch', '', 'secrets', { namespace: ns }));
    const createSecrets = ask.can(res('create', '', 'secrets', { namespace: ns }));
    const readSecrets = listSecrets ?? ask.canSomeName('get', '', 'secrets', ns);
    for (const account of inNamespace) {
      const who = `${ns}/${account.name}`;
      if (pods) add({ to: account, technique: 'create-pods', description: `creates a pod in ${ns} running as ${who} and reads its token`, permissions: [pods] });
      if (workload) {
        const kind = workload.request.group ? `${workload.request.resource}.${workload.request.group}` : workload.request.resource;
        add({ to: account, technique: 'create-workloads', description: `creates ${kind} in ${ns} whose pods run as ${who}, and reads the token`, permissions: [workload] });
      }
      for (const secret of secretsOf.get(who) ?? []) {
        const get = ask.can(res('get', '', 'secrets', { namespace: ns, name: secret }));
        if (get) add({ to: account, technique: 'read-token-secret', description: `reads Secret ${ns}/${secret}, listed as a token of ${who}`, permissions: [get] });
      }
      if (createSecrets && readSecrets) {
        add({
          to: account,
          technique: 'create-token-secret',
          description: `creates a kubernetes.io/service-account-token Secret for ${who} in ${ns}, which the token controller fills, and reads it`,
          permissions: [createSecrets, readSecrets],
        });
      }
      if (listSecrets) {
        add({
          to: account,
          technique: 'read-token-secret',
          description: `lists the Secrets of ${ns}, legacy service account tokens included`,
          permissions: [listSecrets],
          condition: `a legacy token Secret of ${who} exists`,
        });
      }
    }
  }

  // Impersonating a group needs a user to impersonate too (the API server refuses groups alone).
  const someUser = ask.canSomeName('impersonate', '', 'users');
  for (const target of subjects) {
    if (target.kind === 'User') {
      const use = ask.can(res('impersonate', '', 'users', { name: target.name }));
      if (use) add({ to: target, technique: 'impersonate', description: `impersonates user ${target.name}`, permissions: [use] });
    } else if (target.kind === 'Group' && someUser) {
      const use = ask.can(res('impersonate', '', 'groups', { name: target.name }));
      if (use) add({ to: target, technique: 'impersonate', description: `impersonates a user (${someUser.request.name || 'any name'}) in group ${target.name}`, permissions: [someUser, use] });
    }
  }

  addBindAndEscalate(graph, ask, add);
  return [...steps.values()];
}

function addBindAndEscalate(graph: RbacGraph, ask: Asker, add: (step: Omit<EscalationStep, 'from'>) => void): void {
  // Cluster-wide: a ClusterRoleBinding to itself.
  const createCrb = ask.can(res('create', RBAC_GROUP, 'clusterrolebindings'));
  if (createCrb) {
    const any = ask.can(res('bind', RBAC_GROUP, 'clusterroles'));
    if (any) add({ to: { kind: 'AnyRole' }, technique: 'bind', description: 'binds any ClusterRole (cluster-admin included) to itself cluster-wide', permissions: [createCrb, any] });
    else {
      for (const role of graph.clusterRoles.values()) {
        const use = ask.can(res('bind', RBAC_GROUP, 'clusterroles', { name: role.name }));
        if (use) add({ to: { kind: 'BoundRole', role: 'ClusterRole', name: role.name }, technique: 'bind', description: `binds ClusterRole ${role.name} to itself cluster-wide`, permissions: [createCrb, use] });
      }
    }
  }
  for (const ns of [...graph.namespaces].sort()) {
    const createRb = ask.can(res('create', RBAC_GROUP, 'rolebindings', { namespace: ns }));
    if (!createRb) continue;
    const anyCluster = ask.can(res('bind', RBAC_GROUP, 'clusterroles', { namespace: ns }));
    const anyRole = ask.can(res('bind', RBAC_GROUP, 'roles', { namespace: ns }));
    if (anyCluster) {
      add({ to: { kind: 'AnyRole', namespace: ns }, technique: 'bind', description: `binds any ClusterRole (cluster-admin included) to itself in ${ns}`, permissions: [createRb, anyCluster] });
      continue;
    }
    for (const role of graph.clusterRoles.values()) {
      const use = ask.can(res('bind', RBAC_GROUP, 'clusterroles', { namespace: ns, name: role.name }));
      if (use) add({ to: { kind: 'BoundRole', role: 'ClusterRole', name: role.name, namespace: ns }, technique: 'bind', description: `binds ClusterRole ${role.name} to itself in ${ns}`, permissions: [createRb, use] });
    }
    for (const role of graph.roles.values()) {
      if (role.namespace !== ns) continue;
      const use = anyRole ?? ask.can(res('bind', RBAC_GROUP, 'roles', { namespace: ns, name: role.name }));
      if (use) add({ to: { kind: 'BoundRole', role: 'Role', name: role.name, namespace: ns }, technique: 'bind', description: `binds Role ${role.name} to itself in ${ns}`, permissions: [createRb, use] });
    }
  }

  // Escalate: write any rule into a role that is already bound to itself.
  const bound = new Map<string, { kind: 'Role' | 'ClusterRole'; name: string; namespace?: string; scope?: string }>();
  for (const grant of ask.rules('').rules) bound.set(`ClusterRole//${grant.role.name}`, { kind: 'ClusterRole', name: grant.role.name });
  for (const ns of graph.namespaces) {
    for (const grant of ask.rules(ns).rules) {
      if (grant.binding.kind !== 'RoleBinding') continue;
      const role = grant.role;
      bound.set(`${role.kind}/${ns}/${role.name}`, role.kind === 'Role' ? { kind: 'Role', name: role.name, namespace: ns, scope: ns } : { kind: 'ClusterRole', name: role.name, scope: ns });
    }
  }
  for (const role of bound.values()) {
    const resource = role.kind === 'Role' ? 'roles' : 'clusterroles';
    const where = role.namespace ? { namespace: role.namespace, name: role.name } : { name: role.name };
    const escalate = ask.can(res('escalate', RBAC_GROUP, resource, where));
    const update = escalate && (ask.can(res('update', RBAC_GROUP, resource, where)) ?? ask.can(res('patch', RBAC_GROUP, resource, where)));
    if (!escalate || !update) continue;
    const to: EscalationTarget = role.scope ? { kind: 'AnyPermission', namespace: role.scope } : { kind: 'AnyPermission' };
    add({ to, technique: 'escalate', description: `adds any rule to ${role.kind} ${role.namespace ? `${role.namespace}/` : ''}${role.name}, which is bound to itself`, permissions: [escalate, update] });
  }
}

/** Every escalation path, shortest first per (source, target), sources and targets in subject order. */
export function escalationPaths(graph: RbacGraph, options: EscalationOptions = {}): EscalationPath[] {
  const subjects = knownSubjects(graph, options);
  const privileged = options.privilegedGroups ?? [PRIVILEGED_GROUP];
  const sources = (options.from ?? subjects).filter(
    (s) => privilegedGroupOf(identityOf(s), { privilegedGroups: privileged }) === undefined && !(options.skipSystemSources && isSystemSubject(s)),
  );
  const edges = new Map<string, EscalationStep[]>();
  const stepsOf = (subject: SubjectRef): EscalationStep[] => {
    const key = formatSubjectRef(subject);
    let out = edges.get(key);
    if (!out) {
      const allPowerful = privilegedGroupOf(identityOf(subject), { privilegedGroups: privileged }) !== undefined;
      out = allPowerful ? [] : stepsFrom(graph, subject, subjects);
      edges.set(key, out);
    }
    return out;
  };
  const paths: EscalationPath[] = [];
  for (const source of sources) {
    const seen = new Set([formatSubjectRef(source)]);
    let frontier: EscalationStep[][] = [[]];
    while (frontier.length > 0) {
      const next: EscalationStep[][] = [];
      for (const chain of frontier) {
        const at = chain.length === 0 ? source : (chain[chain.length - 1]!.to as SubjectRef);
        for (const step of stepsOf(at)) {
          const key = targetKey(step.to);
          if (seen.has(key)) continue;
          seen.add(key);
          const path = [...chain, step];
          paths.push({ from: source, to: step.to, steps: path });
          if (isIdentity(step.to)) next.push(path);
        }
      }
      frontier = next;
    }
  }
  return paths;
}

/**
 * fast-check generators of random RBAC graphs and access questions, over small alphabets so that rules, bindings
 * and questions collide often. Every generated object is one the API server accepts, and the graphs cover what the
 * authorizer distinguishes: users, groups (system:authenticated, system:serviceaccounts, system:serviceaccounts:<ns>,
 * system:masters…), service accounts with and without a subject namespace, wildcards in verbs/apiGroups/resources,
 * `*\/subresource` and literal `pods/*`, resourceNames (with a literal `*`), non-resource URLs with trailing `*`,
 * aggregated ClusterRoles (nested, by matchLabels and matchExpressions), RoleBindings to ClusterRoles, Roles naming
 * cluster-scoped resources, and bindings to roles that do not exist.
 */
import fc from 'fast-check';
import type { KubeObject } from '../../src/core/model/resource.js';
import type { AuthorizationRequest, UserInfo } from '../../src/rbac/authorization-request.js';

export const NAMESPACES = ['ns-a', 'ns-b'] as const;
/** A namespace that exists but holds no generated object. */
export const EMPTY_NAMESPACE = 'ns-c';
export const SERVICE_ACCOUNTS: readonly (readonly [string, string])[] = [
  ['ns-a', 'sa1'],
  ['ns-a', 'sa2'],
  ['ns-b', 'sa1'],
];
export const USERS = ['u1', 'u2', 'system:serviceaccount:ns-a:sa1'] as const;
export const GROUPS = [
  'g1',
  'g2',
  'system:authenticated',
  'system:unauthenticated',
  'system:serviceaccounts',
  'system:serviceaccounts:ns-a',
  'system:serviceaccounts:ns-b',
  'system:masters',
  'system:monitoring',
] as const;

const VERBS = ['get', 'list', 'create', 'delete', 'impersonate', 'bind', '*'] as const;
const QUERY_VERBS = [...VERBS.filter((v) => v !== '*'), 'watch', 'patch', 'escalate', '*'] as const;
const API_GROUPS = ['', 'apps', 'rbac.authorization.k8s.io', 'example.com', '*'] as const;
const RESOURCES = [
  'pods',
  'pods/exec',
  'pods/log',
  'pods/*',
  'deployments',
  'secrets',
  'nodes',
  'namespaces',
  'clusterroles',
  'serviceaccounts/token',
  'users',
  'widgets',
  '*',
  '*/exec',
  '*/status',
] as const;
const QUERY_RESOURCES = ['pods', 'deployments', 'secrets', 'nodes', 'namespaces', 'clusterroles', 'serviceaccounts', 'users', 'widgets', '*'] as const;
const SUBRESOURCES = ['', '', 'exec', 'log', 'status', 'token', '*'] as const;
const RESOURCE_NAMES = ['n1', 'n2', '*'] as const;
const URLS = ['/healthz', '/healthz*', '/api/*', '/api', '/logs*', '/metrics**', '/api**', '/healthz**', '/ver*sion', '*'] as const;
const QUERY_URLS = ['/healthz', '/healthz/etcd', '/api', '/api/v1', '/apis', '/logs', '/logsx', '/metrics', '/metrics/x', '/version', '/ver*sion', '/', '/livez', '/readyz', '/openapi/v2'] as const;
const LABEL_VALUES = ['x', 'y'] as const;
const CLUSTER_ROLES = ['gen-c1', 'gen-c2', 'gen-c3'] as const;
const AGGREGATED = ['gen-agg1', 'gen-agg2'] as const;
const ROLES = ['gen-r1', 'gen-r2'] as const;
/** ClusterRoles a binding may reference: mostly generated ones, some bootstrap ones (aggregated included) and missing ones. */
const clusterRoleRef = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...CLUSTER_ROLES, ...AGGREGATED) },
  { weight: 1, arbitrary: fc.constantFrom('view', 'edit', 'system:basic-user') },
  { weight: 1, arbitrary: fc.constant('gen-missing') },
);
const roleRef = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...ROLES) }, { weight: 1, arbitrary: fc.constant('gen-missing') });

const RBAC = 'rbac.authorization.k8s.io';
const RBAC_V1 = `${RBAC}/v1`;

/** 0–2 distinct values from `values`, in generated order. */
function few<T>(values: readonly T[], min = 0, max = 2): fc.Arbitrary<T[]> {
  return fc.uniqueArray(fc.constantFrom(...values), { minLength: min, maxLength: max });
}

const resourceRule = fc.record({
  apiGroups: few(API_GROUPS, 1),
  resources: few(RESOURCES, 1, 3),
  verbs: few(VERBS, 1, 3),
  resourceNames: fc.oneof({ weight: 2, arbitrary: fc.constant([] as string[]) }, { weight: 1, arbitrary: few(RESOURCE_NAMES, 1) }),
});
const nonResourceRule = fc.record({ nonResourceURLs: few(URLS, 1), verbs: few(['get', 'post', '*'] as const, 1) });

function rules(nonResource: boolean): fc.Arbitrary<Record<string, string[]>[]> {
  const rule = nonResource ? fc.oneof({ weight: 2, arbitrary: resourceRule }, { weight: 1, arbitrary: nonResourceRule }) : resourceRule;
  return fc.array(rule, { minLength: 0, maxLength: 3 }).map((list) =>
    list.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => (v as string[]).length > 0)) as Record<string, string[]>),
  );
}

const labelSelector = (key: string, values: readonly string[]) =>
  fc.oneof(
    fc.constantFrom(...values).map((v) => ({ matchLabels: { [key]: v } })),
    few(values, 1).map((vs) => ({ matchExpressions: [{ key, operator: 'In', values: vs }] })),
    fc.constant({ matchExpressions: [{ key, operator: 'Exists' }] }),
    fc.constantFrom(...values).map((v) => ({ matchExpressions: [{ key, operator: 'Exists' }, { key, operator: 'NotIn', values: [v] }] })),
  );
/** Labels of a generated ClusterRole: `outer` is what gen-agg2 selects on, `inner` what gen-agg1 selects on. */
const roleLabels = fc.record({ outer: fc.constantFrom(...LABEL_VALUES), inner: fc.constantFrom(...LABEL_VALUES) }, { requiredKeys: [] });

const subject = (namespaced: boolean) =>
  fc.oneof(
    fc.constantFrom(...USERS).map((name) => ({ kind: 'User', apiGroup: RBAC, name })),
    fc.constantFrom(...GROUPS.filter((g) => g !== 'system:masters')).map((name) => ({ kind: 'Group', apiGroup: RBAC, name })),
    fc.tuple(fc.constantFrom(...SERVICE_ACCOUNTS), fc.boolean()).map(([[ns, name], omit]) =>
      namespaced && omit ? { kind: 'ServiceAccount', name } : { kind: 'ServiceAccount', name, namespace: ns },
    ),
  );

export interface GeneratedGraph {
  /** Namespaced objects first, then ClusterRoles, then bindings (an order the API server accepts). */
  objects: KubeObject[];
}

/** A random RBAC graph: its objects, to load into the API server and to give Aspis. */
export const rbacGraph: fc.Arbitrary<GeneratedGraph> = fc
  .record({
    clusterRoles: fc.array(fc.record({ name: fc.constantFrom(...CLUSTER_ROLES), labels: roleLabels, rules: rules(true) }), { maxLength: 3 }),
    // gen-agg1 selects on `inner` and may itself be labelled outer=z; gen-agg2 selects on `outer` (z included), so
    // it may aggregate gen-agg1's aggregated rules: nested, never a cycle.
    agg1: fc.option(fc.record({ selectors: fc.array(labelSelector('inner', LABEL_VALUES), { minLength: 1, maxLength: 2 }), labelled: fc.boolean() }), { nil: undefined, freq: 4 }),
    agg2: fc.option(fc.array(labelSelector('outer', [...LABEL_VALUES, 'z', 'z']), { minLength: 1, maxLength: 2 }), { nil: undefined, freq: 3 }),
    roles: fc.array(fc.record({ namespace: fc.constantFrom(...NAMESPACES), name: fc.constantFrom(...ROLES), rules: rules(false) }), { maxLength: 4 }),
    roleBindings: fc.array(
      fc.record({
        namespace: fc.constantFrom(...NAMESPACES),
        roleRef: fc.oneof(roleRef.map((name) => ({ kind: 'Role', name })), clusterRoleRef.map((name) => ({ kind: 'ClusterRole', name }))),
        subjects: fc.array(subject(true), { minLength: 0, maxLength: 3 }),
      }),
      { maxLength: 6 },
    ),
    clusterRoleBindings: fc.array(
      fc.record({ roleRef: clusterRoleRef, subjects: fc.array(subject(false), { minLength: 0, maxLength: 3 }) }),
      { maxLength: 5 },
    ),
  })
  .map((g) => {
    const objects: KubeObject[] = [];
    const seen = new Set<string>();
    const once = (key: string) => !seen.has(key) && (seen.add(key), true);
    for (const [namespace, name] of SERVICE_ACCOUNTS) objects.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
    for (const role of g.roles) {
      if (!once(`Role/${role.namespace}/${role.name}`)) continue;
      objects.push({ apiVersion: RBAC_V1, kind: 'Role', metadata: { name: role.name, namespace: role.namespace }, rules: role.rules });
    }
    for (const role of g.clusterRoles) {
      if (!once(`ClusterRole/${role.name}`)) continue;
      objects.push({ apiVersion: RBAC_V1, kind: 'ClusterRole', metadata: { name: role.name, ...(Object.keys(role.labels).length ? { labels: role.labels } : {}) }, rules: role.rules });
    }
    if (g.agg1) {
      objects.push({
        apiVersion: RBAC_V1,
        kind: 'ClusterRole',
        metadata: { name: 'gen-agg1', ...(g.agg1.labelled ? { labels: { outer: 'z' } } : {}) },
        aggregationRule: { clusterRoleSelectors: g.agg1.selectors },
      });
    }
    if (g.agg2) objects.push({ apiVersion: RBAC_V1, kind: 'ClusterRole', metadata: { name: 'gen-agg2' }, aggregationRule: { clusterRoleSelectors: g.agg2 } });
    g.roleBindings.forEach((b, i) => {
      objects.push({
        apiVersion: RBAC_V1,
        kind: 'RoleBinding',
        metadata: { name: `gen-rb${i}`, namespace: b.namespace },
        roleRef: { apiGroup: RBAC, ...b.roleRef },
        subjects: b.subjects,
      });
    });
    g.clusterRoleBindings.forEach((b, i) => {
      objects.push({
        apiVersion: RBAC_V1,
        kind: 'ClusterRoleBinding',
        metadata: { name: `gen-crb${i}` },
        roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: b.roleRef },
        subjects: b.subjects,
      });
    });
    return { objects };
  });

/** Identities as they authenticate (service accounts with their groups) and arbitrary user/group combinations. */
export const userInfo: fc.Arbitrary<UserInfo> = fc.oneof(
  fc.constantFrom(...SERVICE_ACCOUNTS).map(([ns, name]) => ({
    user: `system:serviceaccount:${ns}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
  })),
  fc.record({ user: fc.constantFrom(...USERS, 'u3'), groups: few(GROUPS, 0, 3) }),
  few(GROUPS, 1, 2).map((groups) => ({ user: '', groups })),
);

export const authorizationRequest: fc.Arbitrary<AuthorizationRequest> = fc.oneof(
  { weight: 5, arbitrary: fc
    .record({
      verb: fc.constantFrom(...QUERY_VERBS),
      group: fc.constantFrom(...API_GROUPS),
      resource: fc.constantFrom(...QUERY_RESOURCES),
      subresource: fc.constantFrom(...SUBRESOURCES),
      namespace: fc.constantFrom('', '', ...NAMESPACES, EMPTY_NAMESPACE),
      name: fc.constantFrom('', '', 'n1', 'n2', '*', 'sa1'),
    })
    .map((r) => {
      const request: AuthorizationRequest = { verb: r.verb, group: r.group, resource: r.resource };
      if (r.subresource) request.subresource = r.subresource;
      if (r.namespace) request.namespace = r.namespace;
      if (r.name) request.name = r.name;
      return request;
    }) },
  { weight: 1, arbitrary: fc.record({ verb: fc.constantFrom('get', 'post', 'put', '*'), nonResourceURL: fc.constantFrom(...QUERY_URLS) }) },
);

export interface AccessQuery {
  who: UserInfo;
  request: AuthorizationRequest;
}

export const accessQuery: fc.Arbitrary<AccessQuery> = fc.record({ who: userInfo, request: authorizationRequest });

interface RuleLike {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/**
 * The rules a binding's roleRef may stand for in a generated graph (aggregated roles: any ClusterRole's rules), then
 * the rules of every other role as near misses (the same name in another namespace, a role nobody binds).
 */
function candidateRules(graph: GeneratedGraph, binding: KubeObject): { bound: RuleLike[]; others: RuleLike[] } {
  const ref = binding['roleRef'] as { kind: string; name: string };
  const namespace = binding.metadata?.namespace;
  const isBound = (o: KubeObject) =>
    ref.kind === 'Role'
      ? o.kind === 'Role' && o.metadata?.name === ref.name && o.metadata?.namespace === namespace
      : o.kind === 'ClusterRole' && (o.metadata?.name === ref.name || ref.name.startsWith('gen-agg'));
  const rulesOf = (o: KubeObject) => (o['rules'] as RuleLike[] | undefined) ?? [];
  const roles = graph.objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole');
  return { bound: roles.filter(isBound).flatMap(rulesOf), others: roles.filter((o) => !isBound(o)).flatMap(rulesOf) };
}

const pick = <T>(values: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...values);

/** A request a rule (nearly) grants: each field drawn from the rule, wildcards and trailing `*` filled in. */
function requestNear(rule: RuleLike, namespace: string | undefined): fc.Arbitrary<AuthorizationRequest> {
  const verb = pick(rule.verbs!).chain((v) => (v === '*' ? pick(QUERY_VERBS) : fc.constant(v)));
  if (rule.nonResourceURLs) {
    const path = pick(rule.nonResourceURLs).chain((url) =>
      url === '*' ? pick(QUERY_URLS) : fc.tuple(fc.constant(url.replace(/\*+$/, '')), pick(['', '', '/x', 'z', '*'])).map(([p, s]) => p + s),
    );
    return fc.record({ verb, nonResourceURL: path });
  }
  const group = pick(rule.apiGroups!).chain((g) => (g === '*' ? pick(API_GROUPS) : fc.constant(g)));
  const resource = pick(rule.resources!).chain((r) => {
    if (r === '*') return fc.tuple(pick(QUERY_RESOURCES), pick(SUBRESOURCES));
    if (r.startsWith('*/')) return fc.tuple(pick(QUERY_RESOURCES), fc.constant(r.slice(2)));
    const [base, sub] = r.split('/') as [string, string | undefined];
    return fc.tuple(fc.constant(base), sub === undefined ? fc.constant('') : sub === '*' ? pick(['*', 'exec', '']) : fc.constant(sub));
  });
  const names = rule.resourceNames?.length ? rule.resourceNames : ['', 'n1'];
  return fc.record({ verb, group, resource, name: pick([...names, ...names, 'n2', '']), namespace: fc.constantFrom(namespace ?? '', namespace ?? 'ns-a', '') }).map((r) => {
    const request: AuthorizationRequest = { verb: r.verb, group: r.group, resource: r.resource[0] };
    if (r.resource[1]) request.subresource = r.resource[1];
    if (r.namespace) request.namespace = r.namespace;
    if (r.name) request.name = r.name;
    return request;
  });
}

/** The identity a binding subject stands for, sometimes with other groups or another user name. */
function identityNear(subject: { kind: string; name: string; namespace?: string }, bindingNamespace: string | undefined): fc.Arbitrary<UserInfo> {
  if (subject.kind === 'ServiceAccount') {
    const ns = subject.namespace ?? bindingNamespace ?? 'ns-a';
    return fc.constantFrom(
      { user: `system:serviceaccount:${ns}:${subject.name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'] },
      { user: `system:serviceaccount:${ns}:${subject.name}`, groups: [] },
      { user: `system:serviceaccount:ns-b:${subject.name}`, groups: ['system:authenticated'] },
    );
  }
  if (subject.kind === 'User') return few(GROUPS, 0, 2).map((groups) => ({ user: subject.name, groups }));
  return fc.tuple(pick(['', 'u3']), few(GROUPS, 0, 1)).map(([user, groups]) => ({ user, groups: [subject.name, ...groups] }));
}

/**
 * Questions aimed at a graph: three in four built from one of its bindings (a subject it names, a rule its role may
 * hold or a near miss, in its namespace), then a field redrawn at random in two of five, so answers fall on both sides
 * of each rule's edges; the others fully random.
 */
export function queriesFor(graph: GeneratedGraph, count: number): fc.Arbitrary<AccessQuery[]> {
  const aimed = graph.objects
    .filter((o) => (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') && (o['subjects'] as unknown[]).length > 0)
    .flatMap((binding) => {
      const { bound, others } = candidateRules(graph, binding);
      if (bound.length + others.length === 0) return [];
      const rule =
        bound.length === 0 ? pick(others) : others.length === 0 ? pick(bound) : fc.oneof({ weight: 3, arbitrary: pick(bound) }, { weight: 1, arbitrary: pick(others) });
      const subjects = binding['subjects'] as { kind: string; name: string; namespace?: string }[];
      return [
        fc.tuple(pick(subjects), rule).chain(([subject, r]) =>
          fc.record({ who: identityNear(subject, binding.metadata?.namespace), request: requestNear(r, binding.metadata?.namespace) }),
        ),
      ];
    });
  const perturbed = aimed.length === 0 ? accessQuery : fc.oneof(...aimed).chain((q) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constant(q) },
      { weight: 1, arbitrary: userInfo.map((who) => ({ ...q, who })) },
      { weight: 1, arbitrary: authorizationRequest.map((request) => ({ ...q, request: { ...request, verb: q.request.verb } })) },
    ),
  );
  return fc.array(fc.oneof({ weight: 3, arbitrary: perturbed }, { weight: 1, arbitrary: accessQuery }), { minLength: count, maxLength: count });
}

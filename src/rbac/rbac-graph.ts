/**
 * The RBAC state of a cluster, as the authorizer sees it: Roles by namespace and name, ClusterRoles by name,
 * RoleBindings by namespace, ClusterRoleBindings, and the ServiceAccounts that exist (for who-can and escalation
 * paths). Built from KubeObjects (manifests or a live cluster's lists); objects the API server would reject are left
 * out and reported in `issues`.
 *
 * Aggregated ClusterRoles: with `aggregation: 'compute'` (the default, right for manifests, where aggregated roles are
 * written without rules) their rules are computed from the selectors as kube-controller-manager would; with
 * `'stored'` the rules as read are used (a live cluster's stored rules are what its authorizer uses; they lag the
 * selectors only while the controller catches up).
 */
import type { KubeObject } from '../core/model/resource.js';
import { aggregateClusterRoles } from './cluster-role-aggregation.js';
import type { BindingView, RbacIssue, RoleView, RuleSource, ServiceAccountView } from './rbac-objects.js';
import { readRbacObject } from './rbac-objects.js';

export interface RbacGraphOptions {
  aggregation?: 'compute' | 'stored';
  /** Namespace of namespaced objects written without one (default `default`, as `kubectl apply` without -n). */
  defaultNamespace?: string;
}

export interface RbacGraph {
  roles: ReadonlyMap<string, RoleView>;
  clusterRoles: ReadonlyMap<string, RoleView>;
  roleBindings: ReadonlyMap<string, readonly BindingView[]>;
  clusterRoleBindings: readonly BindingView[];
  serviceAccounts: readonly ServiceAccountView[];
  /** Every namespace the input mentions (objects' namespaces, Namespace objects, binding subjects). */
  namespaces: ReadonlySet<string>;
  /** Effective rules of each aggregated ClusterRole (see header). */
  aggregatedRules: ReadonlyMap<string, readonly RuleSource[]>;
  issues: readonly RbacIssue[];
}

export function roleKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function byName<T extends { name: string; namespace?: string }>(a: T, b: T): number {
  const ka = `${a.namespace ?? ''}/${a.name}`;
  const kb = `${b.namespace ?? ''}/${b.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function describe(view: { kind: string; name: string; namespace?: string }): string {
  return view.namespace ? `${view.kind} ${view.namespace}/${view.name}` : `${view.kind} ${view.name}`;
}

export function buildRbacGraph(objects: Iterable<KubeObject>, options: RbacGraphOptions = {}): RbacGraph {
  const defaultNamespace = options.defaultNamespace ?? 'default';
  const roles = new Map<string, RoleView>();
  const clusterRoles = new Map<string, RoleView>();
  const roleBindings = new Map<string, BindingView>();
  const clusterRoleBindings = new Map<string, BindingView>();
  const serviceAccounts = new Map<string, ServiceAccountView>();
  const namespaces = new Set<string>();
  const issues: RbacIssue[] = [];

  const store = <T extends { name: string; object: KubeObject }>(map: Map<string, T>, key: string, view: T, what: string) => {
    const previous = map.get(key);
    if (previous) {
      issues.push({ object: previous.object, path: ['metadata', 'name'], message: `${what} is defined again later in the input: the later one is used`, ignored: false });
    }
    map.set(key, view);
  };

  for (const object of objects) {
    if (object.kind === 'Namespace' && typeof object.metadata?.name === 'string') namespaces.add(object.metadata.name);
    const read = readRbacObject(object, defaultNamespace);
    if (!read) continue;
    issues.push(...read.issues);
    const view = read.view;
    if (!view) continue;
    if (view.type === 'role') {
      const role = view.view;
      if (role.kind === 'Role') store(roles, roleKey(role.namespace!, role.name), role, describe(role));
      else store(clusterRoles, role.name, role, describe(role));
      if (role.namespace) namespaces.add(role.namespace);
    } else if (view.type === 'binding') {
      const binding = view.view;
      if (binding.kind === 'RoleBinding') store(roleBindings, roleKey(binding.namespace!, binding.name), binding, describe(binding));
      else store(clusterRoleBindings, binding.name, binding, describe(binding));
      if (binding.namespace) namespaces.add(binding.namespace);
      for (const subject of binding.subjects) if (subject.kind === 'ServiceAccount' && subject.namespace) namespaces.add(subject.namespace);
    } else {
      const account = view.view;
      store(serviceAccounts, roleKey(account.namespace, account.name), account, `ServiceAccount ${account.namespace}/${account.name}`);
      namespaces.add(account.namespace);
    }
  }

  const bindingsByNamespace = new Map<string, BindingView[]>();
  for (const binding of [...roleBindings.values()].sort(byName)) {
    const list = bindingsByNamespace.get(binding.namespace!) ?? [];
    list.push(binding);
    bindingsByNamespace.set(binding.namespace!, list);
  }

  let aggregatedRules = new Map<string, RuleSource[]>();
  if ((options.aggregation ?? 'compute') === 'compute') {
    const aggregation = aggregateClusterRoles(clusterRoles);
    aggregatedRules = aggregation.rules;
    for (const cycle of aggregation.cycles) {
      const role = clusterRoles.get(cycle[0]!)!;
      issues.push({
        object: role.object,
        path: ['aggregationRule'],
        message: `aggregation cycle ${[...cycle, cycle[0]].join(' → ')}: the rules kube-controller-manager stores depend on the order it processes these ClusterRoles`,
        ignored: false,
      });
    }
  }

  return {
    roles,
    clusterRoles,
    roleBindings: bindingsByNamespace,
    clusterRoleBindings: [...clusterRoleBindings.values()].sort(byName),
    serviceAccounts: [...serviceAccounts.values()].sort(byName),
    namespaces,
    aggregatedRules,
    issues,
  };
}

/** The effective rules of a ClusterRole: computed for an aggregated one (in compute mode), else as written. */
export function clusterRoleRules(graph: RbacGraph, role: RoleView): readonly RuleSource[] {
  return graph.aggregatedRules.get(role.name) ?? role.rules;
}

/**
 * What a binding's roleRef resolves to, in the namespace the authorizer resolves it in (a RoleBinding's own
 * namespace): GetRoleReferenceRules. A missing role or an unsupported kind is an error, and the binding grants nothing.
 */
export function resolveRoleRef(
  graph: RbacGraph,
  binding: BindingView,
): { role: RoleView; rules: readonly RuleSource[] } | { error: string } {
  const { kind, name } = binding.roleRef;
  if (kind === 'Role') {
    const role = binding.namespace ? graph.roles.get(roleKey(binding.namespace, name)) : undefined;
    if (!role) return { error: `role.rbac.authorization.k8s.io "${name}" not found${binding.namespace ? ` in namespace "${binding.namespace}"` : ''}` };
    return { role, rules: role.rules };
  }
  if (kind === 'ClusterRole') {
    const role = graph.clusterRoles.get(name);
    if (!role) return { error: `clusterrole.rbac.authorization.k8s.io "${name}" not found` };
    return { role, rules: clusterRoleRules(graph, role) };
  }
  return { error: `unsupported role reference kind: "${kind}"` };
}

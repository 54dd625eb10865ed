/**
 * Loads a real kube-apiserver (test/harness/control-plane.ts) with a mid-size cluster for `bench:cluster` (a):
 * `namespaces` namespaces, each with its default and app ServiceAccounts, Deployments and bare Pods whose pod specs
 * come from bench/workload-generator.ts, and RBAC: a Role and RoleBinding per namespace plus ClusterRoles and
 * ClusterRoleBindings (a realistic mix: readers, deployers, secret readers, exec, a few wildcards).
 *
 * Fast on purpose: creates go out in parallel (bounded) over the harness's keep-alive connection as admin
 * (system:masters, which API Priority and Fairness exempts), each wave after the objects it depends on.
 */
import type { ControlPlane } from '../test/harness/control-plane.js';
import { workloadOf } from '../src/core/k8s/workload.js';
import { generateWorkload } from './workload-generator.js';

export interface ApiserverClusterSize {
  namespaces: number;
  pods: number;
  deployments: number;
  /** Roles + RoleBindings + ClusterRoles + ClusterRoleBindings: half namespaced, half cluster-scoped. */
  rbacObjects: number;
}

/** The figure for bench (a): 5,000 Pods, 1,000 Deployments, 500 namespaces, 2,000 RBAC objects. */
export const APISERVER_CLUSTER: ApiserverClusterSize = { namespaces: 500, pods: 5_000, deployments: 1_000, rbacObjects: 2_000 };

export interface LoadResult {
  /** Objects created (namespaces, service accounts, RBAC, Deployments, Pods). */
  created: number;
  ms: number;
}

type Body = Record<string, unknown>;
const CONCURRENCY = 48;

function namespaceOf(n: number): string {
  return `bench-${String(n).padStart(4, '0')}`;
}

/** Runs `create` for every index with at most CONCURRENCY requests in flight. */
async function inParallel(count: number, create: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await create(next++);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker));
}

/**
 * The pod spec of generated workload i, made valid for the API server: the namespace's app ServiceAccount where it
 * does not use default, no readiness probe on init containers (only sidecars, restartPolicy Always, may have one),
 * and one port per container (with hostNetwork, two containers on 8080 would collide on the node).
 */
function podSpecOf(i: number): Body {
  const spec = { ...(workloadOf(generateWorkload(i) as never)!.podSpec as Body) };
  if (spec['serviceAccountName'] !== 'default') spec['serviceAccountName'] = 'app';
  const distinctPorts = (containers: Body[], base: number) =>
    containers.map((container, k) => ({ ...container, ports: [{ containerPort: base + k, name: 'http' }] }));
  spec['containers'] = distinctPorts(spec['containers'] as Body[], 8080);
  if (Array.isArray(spec['initContainers'])) {
    const init = (spec['initContainers'] as Body[]).map(({ readinessProbe: _probe, ...container }) => container);
    spec['initContainers'] = distinctPorts(init, 9080);
  }
  return spec;
}

const RULES: Body[][] = [
  [{ apiGroups: [''], resources: ['pods', 'services', 'configmaps'], verbs: ['get', 'list', 'watch'] }],
  [{ apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] }],
  [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }],
  [{ apiGroups: [''], resources: ['pods/exec', 'pods/log'], verbs: ['create', 'get'] }],
  [{ apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete'] }, { apiGroups: ['batch'], resources: ['jobs'], verbs: ['*'] }],
  [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list'] }],
];

export async function loadApiserverCluster(cp: ControlPlane, size: ApiserverClusterSize): Promise<LoadResult> {
  const started = performance.now();
  let created = 0;
  const post = async (path: string, body: Body): Promise<void> => {
    const response = await cp.request('POST', path, body, { timeoutMs: 120_000 });
    if (response.status !== 201) throw new Error(`POST ${path} ${JSON.stringify((body['metadata'] as Body)?.['name'])}: HTTP ${response.status} ${JSON.stringify(response.body).slice(0, 500)}`);
    created++;
  };
  const meta = (name: string, namespace?: string, labels?: Record<string, string>) => ({ name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}) });

  await inParallel(size.namespaces, (n) =>
    post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: meta(namespaceOf(n), undefined, { team: `team-${n % 50}` }) }),
  );
  // Without kube-controller-manager nobody creates the default ServiceAccount that Pod admission requires.
  await inParallel(size.namespaces * 2, (i) => {
    const namespace = namespaceOf(i >> 1);
    return post(`/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(i & 1 ? 'app' : 'default', namespace) });
  });

  const namespacedRbac = Math.floor(size.rbacObjects / 4);
  const clusterRbac = Math.floor(size.rbacObjects / 4);
  await inParallel(namespacedRbac, (i) => {
    const namespace = namespaceOf(i % size.namespaces);
    return post(`/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/roles`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta(`role-${i}`, namespace),
      rules: RULES[i % RULES.length],
    });
  });
  await inParallel(clusterRbac, (i) =>
    post('/apis/rbac.authorization.k8s.io/v1/clusterroles', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: meta(`bench-role-${i}`),
      rules: RULES[i % RULES.length],
    }),
  );
  await inParallel(namespacedRbac, (i) => {
    const namespace = namespaceOf(i % size.namespaces);
    return post(`/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(`binding-${i}`, namespace),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `role-${i}` },
      subjects: [
        { kind: 'ServiceAccount', name: i % 3 === 0 ? 'default' : 'app', namespace },
        { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: `team-${i % 50}` },
      ],
    });
  });
  await inParallel(size.rbacObjects - 2 * namespacedRbac - clusterRbac, (i) =>
    post('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta(`bench-binding-${i}`),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `bench-role-${i % clusterRbac}` },
      subjects: [i % 2 ? { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: `user-${i}@example.com` } : { kind: 'ServiceAccount', name: 'app', namespace: namespaceOf(i % size.namespaces) }],
    }),
  );

  await inParallel(size.deployments, (i) => {
    const namespace = namespaceOf(i % size.namespaces);
    const labels = { app: `deploy-${i}` };
    return post(`/apis/apps/v1/namespaces/${namespace}/deployments`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(`deploy-${i}`, namespace, labels),
      spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { ...podSpecOf(i), restartPolicy: 'Always' } } },
    });
  });
  // Bare Pods: without kube-controller-manager the Deployments above create none, so every Pod here is scanned.
  await inParallel(size.pods, (i) => {
    const namespace = namespaceOf(i % size.namespaces);
    return post(`/api/v1/namespaces/${namespace}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta(`pod-${i}`, namespace, { app: `pod-${i}` }),
      spec: podSpecOf(size.deployments + i),
    });
  });
  return { created, ms: performance.now() - started };
}

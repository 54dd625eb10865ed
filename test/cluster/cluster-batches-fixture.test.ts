/**
 * clusterBatches against a fixture server (see fixture-api-server.ts for why): paging, expired continue tokens,
 * projection, controlled objects and the errors that end or narrow a scan. The same behaviours on a real apiserver
 * are tested in cluster-batches.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { clusterBatches } from '../../src/sources/cluster/cluster-batches.js';
import type { ClusterBatch, ClusterBatchesOptions, ClusterProgress } from '../../src/sources/cluster/cluster-batches.js';
import { SCANNED_KINDS } from '../../src/sources/cluster/scanned-kinds.js';
import { formatRef } from '../../src/core/model/resource.js';
import { startFixtureApiServer } from './fixture-api-server.js';
import type { FixtureApiServer } from './fixture-api-server.js';

const TOKEN = 'fixture-token';

function pod(namespace: string, name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    metadata: { namespace, name, uid: `uid-pod-${namespace}-${name}`, ...extra },
    spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
    status: { phase: 'Running', podIP: '10.0.0.1' },
  };
}

function owner(apiVersion: string, kind: string, name: string, uid: string, controller = true): Record<string, unknown> {
  return { apiVersion, kind, name, uid, controller, blockOwnerDeletion: true };
}

function template(): Record<string, unknown> {
  return { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } };
}

async function collect(options: ClusterBatchesOptions): Promise<{ batches: ClusterBatch[]; events: ClusterProgress[] }> {
  const batches: ClusterBatch[] = [];
  const events: ClusterProgress[] = [];
  for await (const batch of clusterBatches({ ...options, onProgress: (event) => events.push(event) })) batches.push(batch);
  return { batches, events };
}

const names = (batches: ClusterBatch[]) => batches.flatMap((b) => b.resources.map((r) => formatRef(r.ref)));
const errors = (batches: ClusterBatch[]) => batches.flatMap((b) => b.errors.map((e) => e.message));

describe('clusterBatches on a fixture server', () => {
  let server: FixtureApiServer;
  const manyPods = Array.from({ length: 1234 }, (_, i) => pod(`ns-${i % 7}`, `p-${String(i).padStart(4, '0')}`));

  before(async () => {
    server = await startFixtureApiServer({ token: TOKEN, collections: { '/v1/pods': manyPods } });
  });
  after(() => server.stop());

  it('pages through a kind with limit and continue, one batch per page, every object once', async () => {
    const pods = SCANNED_KINDS.filter((k) => k.kind === 'Pod');
    const { batches, events } = await collect({ kubeconfig: server.kubeconfig(), kinds: pods, pageSize: 100 });
    assert.deepEqual(errors(batches), []);
    assert.equal(batches.length, 13);
    assert.ok(batches.every((b) => b.resources.length <= 100));
    const seen = names(batches);
    assert.equal(seen.length, 1234);
    assert.equal(new Set(seen).size, 1234);
    const lists = server.requests.filter((r) => r.startsWith('/api/v1/pods?'));
    assert.equal(lists.length, 13);
    assert.ok(lists.every((r) => r.includes('limit=100')));
    assert.ok(lists.slice(1).every((r) => r.includes('continue=')));
    const last = events.filter((e) => e.type === 'page').at(-1);
    assert.deepEqual(last && last.type === 'page' ? [last.listed, last.total] : [], [1234, 1234]);
  });

  it('an expired continue token (410) restarts the list, skipping what was read, with a note', async () => {
    const expiring = await startFixtureApiServer({ token: TOKEN, collections: { '/v1/pods': manyPods }, expireFirstContinue: ['/v1/pods'] });
    try {
      const pods = SCANNED_KINDS.filter((k) => k.kind === 'Pod');
      const { batches, events } = await collect({ kubeconfig: expiring.kubeconfig(), kinds: pods, pageSize: 500 });
      assert.deepEqual(errors(batches), []);
      const seen = names(batches);
      assert.equal(seen.length, 1234, 'objects lost or repeated across the restart');
      assert.equal(new Set(seen).size, 1234);
      const notes = events.filter((e) => e.type === 'note').map((e) => (e.type === 'note' ? e.message : ''));
      assert.equal(notes.length, 1);
      assert.match(notes[0]!, /continue token of the pods list expired \(410 Gone\)/);
      const lists = expiring.requests.filter((r) => r.startsWith('/api/v1/pods?'));
      assert.equal(lists.filter((r) => !r.includes('continue=')).length, 2, 'the list did not start again');
    } finally {
      await expiring.stop();
    }
  });
});

describe('clusterBatches projection and controlled objects', () => {
  let server: FixtureApiServer;
  before(async () => {
    server = await startFixtureApiServer({
      token: TOKEN,
      collections: {
        '/v1/namespaces': [{ metadata: { name: 'shop', uid: 'uid-ns' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } }],
        'apps/v1/deployments': [
          {
            metadata: {
              namespace: 'shop',
              name: 'web',
              uid: 'uid-deploy',
              annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"huge":"copy"}', team: 'payments' },
              managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:spec': {} } }],
            },
            spec: { replicas: 2, template: template() },
            status: { replicas: 2 },
          },
        ],
        'apps/v1/replicasets': [
          { metadata: { namespace: 'shop', name: 'web-1', uid: 'uid-rs', ownerReferences: [owner('apps/v1', 'Deployment', 'web', 'uid-deploy')] }, spec: { template: template() } },
          // Owned by a Deployment that is not in the cluster's list (e.g. being deleted): scanned itself, and covers its Pods.
          { metadata: { namespace: 'shop', name: 'orphan-1', uid: 'uid-rs-2', ownerReferences: [owner('apps/v1', 'Deployment', 'gone', 'uid-gone')] }, spec: { template: template() } },
        ],
        'batch/v1/cronjobs': [{ metadata: { namespace: 'shop', name: 'nightly', uid: 'uid-cron' }, spec: { schedule: '0 0 * * *', jobTemplate: { spec: { template: template() } } } }],
        'batch/v1/jobs': [{ metadata: { namespace: 'shop', name: 'nightly-1', uid: 'uid-job', ownerReferences: [owner('batch/v1', 'CronJob', 'nightly', 'uid-cron')] }, spec: { template: template() } }],
        '/v1/pods': [
          pod('shop', 'web-1-a', { ownerReferences: [owner('apps/v1', 'ReplicaSet', 'web-1', 'uid-rs')] }),
          pod('shop', 'nightly-1-x', { ownerReferences: [owner('batch/v1', 'Job', 'nightly-1', 'uid-job')] }),
          // A mirror pod is controlled by its Node, not a workload: scanned.
          pod('shop', 'static-node1', { ownerReferences: [owner('v1', 'Node', 'node1', 'uid-node')] }),
          // An owner that is not the controller does not count.
          pod('shop', 'adopted', { ownerReferences: [owner('apps/v1', 'ReplicaSet', 'web-1', 'uid-rs', false)] }),
          pod('shop', 'orphan-1-b', { ownerReferences: [owner('apps/v1', 'ReplicaSet', 'orphan-1', 'uid-rs-2')] }),
        ],
      },
    });
  });
  after(() => server.stop());

  it('sets kind and apiVersion, drops status, managedFields and the last-applied annotation, keeps the rest', async () => {
    const { batches } = await collect({ kubeconfig: server.kubeconfig(), kinds: SCANNED_KINDS.filter((k) => k.kind === 'Deployment') });
    const [deployment] = batches.flatMap((b) => b.resources);
    assert.ok(deployment);
    assert.deepEqual(Object.keys(deployment.object).slice(0, 2), ['apiVersion', 'kind']);
    assert.equal(deployment.object.apiVersion, 'apps/v1');
    assert.equal(deployment.object.kind, 'Deployment');
    assert.equal(deployment.object['status'], undefined);
    assert.equal(deployment.object.metadata?.['managedFields'], undefined);
    assert.deepEqual(deployment.object.metadata?.annotations, { team: 'payments' });
    assert.deepEqual(deployment.object['spec'], { replicas: 2, template: template() });
    assert.deepEqual(deployment.ref, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop', uid: 'uid-deploy' });
    assert.deepEqual(deployment.origin, { type: 'cluster', context: 'fixture' });
  });

  it('leaves out objects a scanned workload controls, counts them, and scans those whose controller is absent', async () => {
    const { batches, events } = await collect({ kubeconfig: server.kubeconfig() });
    assert.deepEqual(errors(batches), []);
    assert.deepEqual(names(batches).sort(), [
      'CronJob/shop/nightly',
      'Deployment/shop/web',
      'Namespace/shop',
      'Pod/shop/adopted',
      'Pod/shop/static-node1',
      'ReplicaSet/shop/orphan-1',
    ]);
    const done = events.find((e) => e.type === 'done');
    assert.deepEqual(done && done.type === 'done' ? [done.objects, done.skipped, done.skippedByKind] : [], [6, 5, { ReplicaSet: 1, Job: 1, Pod: 3 }]);
    assert.equal(batches.reduce((n, b) => n + b.skipped, 0), 5);
  });

  it('includeControlled yields them all (for an inventory)', async () => {
    const { batches, events } = await collect({ kubeconfig: server.kubeconfig(), includeControlled: true });
    assert.equal(names(batches).length, 11);
    const done = events.find((e) => e.type === 'done');
    assert.equal(done && done.type === 'done' ? done.skipped : -1, 0);
  });

  it('a controller it may not list (403) is an error naming the permission, and what it controls is scanned itself', async () => {
    const forbidden = await startFixtureApiServer({
      token: TOKEN,
      collections: {
        'apps/v1/replicasets': [{ metadata: { namespace: 'shop', name: 'web-1', uid: 'uid-rs' }, spec: { template: template() } }],
        '/v1/pods': [pod('shop', 'web-1-a', { ownerReferences: [owner('apps/v1', 'ReplicaSet', 'web-1', 'uid-rs')] })],
      },
      forbidden: ['apps/v1/replicasets'],
    });
    try {
      const kinds = SCANNED_KINDS.filter((k) => k.kind === 'Pod' || k.kind === 'ReplicaSet');
      const { batches } = await collect({ kubeconfig: forbidden.kubeconfig(), kinds });
      assert.deepEqual(names(batches), ['Pod/shop/web-1-a']);
      assert.deepEqual(errors(batches), [
        'cannot list ReplicaSet objects (apps/v1 replicasets) in all namespaces: forbidden, missing permission: list replicasets.apps in all namespaces; they were not scanned (to scan only namespaces you may read, name them with -n)',
      ]);
    } finally {
      await forbidden.stop();
    }
  });

  it('a kind the server does not serve is an error saying so; the other kinds are still read', async () => {
    const kinds = [
      ...SCANNED_KINDS.filter((k) => k.kind === 'Namespace'),
      { group: 'example.com', version: 'v1', resource: 'widgets', kind: 'Widget', namespaced: true },
    ];
    const { batches } = await collect({ kubeconfig: server.kubeconfig(), kinds });
    assert.deepEqual(names(batches), ['Namespace/shop']);
    assert.deepEqual(errors(batches), [
      'the API server does not serve example.com/v1 widgets, so no Widget objects were read (is the API group example.com installed, at version v1?)',
    ]);
  });

  it('an optional kind (a CRD) the server does not serve is no error: there are none, and progress says so', async () => {
    const { batches, events } = await collect({ kubeconfig: server.kubeconfig() });
    assert.deepEqual(errors(batches), []);
    const absent = events.filter((e) => e.type === 'not-served').map((e) => (e.type === 'not-served' ? `${e.apiVersion} ${e.resource}` : ''));
    assert.deepEqual(absent, [
      'cilium.io/v2 ciliumnetworkpolicies',
      'cilium.io/v2 ciliumclusterwidenetworkpolicies',
      'crd.projectcalico.org/v1 networkpolicies',
      'policy.networking.k8s.io/v1alpha1 adminnetworkpolicies',
      'policy.networking.k8s.io/v1alpha1 baselineadminnetworkpolicies',
    ]);
    assert.ok(!server.requests.some((r) => r.startsWith('/apis/cilium.io/v2/')), 'listed a kind discovery does not show');
  });

  it('an optional kind the server serves is read like the others', async () => {
    const cilium = await startFixtureApiServer({
      token: TOKEN,
      collections: { 'cilium.io/v2/ciliumnetworkpolicies': [{ metadata: { namespace: 'shop', name: 'allow-dns', uid: 'uid-cnp' }, spec: { endpointSelector: {} } }] },
    });
    try {
      const { batches } = await collect({ kubeconfig: cilium.kubeconfig() });
      assert.deepEqual(errors(batches), []);
      const policy = batches.flatMap((b) => b.resources).find((r) => r.ref.kind === 'CiliumNetworkPolicy');
      assert.deepEqual(policy?.ref, { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', name: 'allow-dns', namespace: 'shop', uid: 'uid-cnp' });
    } finally {
      await cilium.stop();
    }
  });

  it('credentials the server rejects (401) give one error and end the scan', async () => {
    const { batches } = await collect({ kubeconfig: server.kubeconfig('expired-token') });
    assert.equal(names(batches).length, 0);
    assert.deepEqual(errors(batches), [
      `context fixture (${server.url}) rejected the credentials of user "fixture-user" (401 Unauthorized): they are invalid or expired`,
    ]);
  });

  it('a label selector that matches nothing is an error', async () => {
    const { batches } = await collect({ kubeconfig: server.kubeconfig(), labelSelector: 'app=nothing' });
    assert.deepEqual(errors(batches), ['label selector "app=nothing" matches no object in any namespace']);
  });

  it('namespaces: each is checked to exist; namespaced kinds are listed in each; other cluster-scoped kinds are not read', async () => {
    const first = server.requests.length;
    const { batches, events } = await collect({ kubeconfig: server.kubeconfig(), namespaces: ['shop', 'nope'] });
    const requests = server.requests.slice(first);
    assert.deepEqual(errors(batches), ['namespace "nope" does not exist']);
    assert.ok(names(batches).includes('Namespace/shop'));
    assert.ok(names(batches).includes('Deployment/shop/web'));
    assert.ok(requests.includes('/apis/apps/v1/namespaces/shop/deployments?limit=500'));
    assert.ok(!requests.some((r) => r.includes('/namespaces/nope/')), 'listed in a namespace that does not exist');
    assert.ok(!requests.some((r) => r.includes('clusterroles')), 'cluster-scoped kinds read with -n');
    assert.ok(events.some((e) => e.type === 'note' && /not reading ClusterRole, ClusterRoleBinding/.test(e.message)));
  });
});

describe('clusterBatches when the cluster cannot be used', () => {
  it('connection refused is one clear error', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const server = await startFixtureApiServer({ token: TOKEN, collections: {} });
    const kubeconfig = server.kubeconfig();
    await server.stop();
    const { readFileSync, writeFileSync } = await import('node:fs');
    writeFileSync(kubeconfig, readFileSync(kubeconfig, 'utf8').replace(server.url, `http://127.0.0.1:${port}`));
    const { batches } = await collect({ kubeconfig });
    assert.deepEqual(errors(batches), [
      `cannot reach the API server of context fixture (http://127.0.0.1:${port}): connection refused (is the API server running, and is the kubeconfig server address right?)`,
    ]);
  });

  it('an unknown context names the contexts the kubeconfig has', async () => {
    const server = await startFixtureApiServer({ token: TOKEN, collections: {} });
    try {
      const kubeconfig = server.kubeconfig();
      const { batches } = await collect({ kubeconfig, context: 'prod' });
      assert.deepEqual(errors(batches), [`context "prod" is not in the kubeconfig ${kubeconfig} (its contexts: fixture)`]);
      assert.deepEqual(server.requests, []);
    } finally {
      await server.stop();
    }
  });

  it('a missing kubeconfig file, and no kubeconfig at all, are clear errors', async () => {
    const missing = await collect({ kubeconfig: '/nonexistent/kubeconfig' });
    assert.deepEqual(errors(missing.batches), ['cannot read kubeconfig /nonexistent/kubeconfig: no such file']);
    const none = await collect({ env: { HOME: '/nonexistent-home' } });
    assert.deepEqual(errors(none.batches), [
      'no kubeconfig found: pass --kubeconfig, set KUBECONFIG, create /nonexistent-home/.kube/config, or run inside a cluster',
    ]);
  });
});

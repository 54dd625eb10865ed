/**
 * `aspis inventory cluster` against a real kube-apiserver with kube-controller-manager, so that Deployments make
 * ReplicaSets and Pods and Jobs make Pods: owner chains, server-allocated node ports and service-account objects are
 * the cluster's own. The Pod Security verdicts are checked against the API server's own PodSecurity admission:
 * where Aspis says a namespace's enforce level is stricter than its workloads, the server rejects their pods; where
 * Aspis says it can be raised, the server raises it without a warning about existing pods.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Inventory } from '../../src/inventory/inventory.js';
import { startControlPlane } from '../harness/control-plane.js';
import type { ControlPlane } from '../harness/control-plane.js';
import { runCli } from '../cli/run-cli.js';
import { names } from './inventory-of.js';
import { SCANNED_KINDS } from '../../src/sources/cluster/scanned-kinds.js';
import { isInventoriedKind } from '../../src/inventory/inventoried-kinds.js';

const RESTRICTED_POD_SPEC = `
      securityContext:
        runAsNonRoot: true
        runAsUser: 101
        seccompProfile: {type: RuntimeDefault}
      containers:
        - name: site
          image: registry.example.com/site:2.0
          securityContext:
            allowPrivilegeEscalation: false
            capabilities: {drop: [ALL]}`;

const OBJECTS = `
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
automountServiceAccountToken: false
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      containers:
        - name: nginx
          image: nginx:1.27
          ports: [{containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web-public, namespace: shop}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules:
    - host: shop.example.com
      http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: web-public, port: {name: http}}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cleanup, namespace: shop}
spec:
  schedule: "0 3 * * *"
  suspend: true
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: cleanup, image: "busybox:1.36"}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: site, namespace: web}
spec:
  selector: {matchLabels: {app: site}}
  template:
    metadata: {labels: {app: site}}
    spec:${RESTRICTED_POD_SPEC}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: node-agent, namespace: monitoring}
spec:
  selector: {matchLabels: {app: node-agent}}
  template:
    metadata: {labels: {app: node-agent}}
    spec:
      hostNetwork: true
      containers:
        - name: agent
          image: registry.example.com/agent:1.0
          ports: [{containerPort: 9100}]
`;

describe('aspis inventory cluster (real API server and controller-manager)', { timeout: 240_000 }, () => {
  let cp: ControlPlane;
  let inventory: Inventory;
  let cronJobUid: string;

  before(async () => {
    cp = await startControlPlane({ controllerManager: true });
    await cp.createNamespace('shop', { labels: { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted' } });
    await cp.createNamespace('web', { labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } });
    await cp.createNamespace('monitoring');
    const applied = await cp.apply(OBJECTS);
    cronJobUid = applied.find((o) => o.kind === 'CronJob')!.metadata!.uid!;
    // What the CronJob controller does on schedule: a Job it controls (the Job controller then makes its Pod).
    await cp.apply({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'cleanup-manual',
        namespace: 'shop',
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'cleanup', uid: cronJobUid, controller: true, blockOwnerDeletion: true }],
      },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'cleanup', image: 'busybox:1.36' }] } } },
    } as never);
    await waitFor('2 web Pods, the site Pod and the Job Pod', async () => {
      const pods = (await cp.request<{ items: unknown[] }>('GET', '/api/v1/pods')).body.items;
      return pods.length >= 4;
    });
    const result = runCli(['inventory', 'cluster', '--kubeconfig', cp.adminKubeconfig, '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    inventory = JSON.parse(result.stdout) as Inventory;
  });

  after(() => cp?.stop());

  async function waitFor(what: string, done: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 90_000;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(200);
    }
  }

  it('evaluates `latest` at the server version and names the context read', () => {
    assert.deepEqual(inventory.errors, []);
    assert.equal(inventory.pssVersion, `v1.${cp.version.split('.')[1]}`);
    assert.match(inventory.inputs[0]!, /all namespaces$/);
  });

  it('chains Pods to ReplicaSets to the Deployment, and the Job Pod to its Job and CronJob, by uid', () => {
    const shopPods = inventory.workloads.filter((w) => w.resource.kind === 'Pod' && w.resource.namespace === 'shop');
    const webPods = shopPods.filter((w) => w.resource.name.startsWith('web-'));
    assert.equal(webPods.length, 2);
    for (const pod of webPods) {
      assert.deepEqual(pod.owners.map((o) => [o.kind, o.inInput]), [['ReplicaSet', true], ['Deployment', true]]);
      assert.equal(pod.owners[1]!.name, 'web');
      assert.ok(pod.resource.uid && pod.owners.every((o) => o.uid));
    }
    const jobPod = shopPods.find((w) => w.resource.name.startsWith('cleanup-manual-'))!;
    assert.deepEqual(jobPod.owners.map((o) => `${o.kind}/${o.name}`), ['Job/cleanup-manual', 'CronJob/cleanup']);
    assert.equal(jobPod.owners[1]!.uid, cronJobUid);
  });

  it('lists the top-most workloads: the Deployment stands for its ReplicaSet and Pods', () => {
    const nginx = inventory.images.find((image) => image.image === 'docker.io/library/nginx:1.27')!;
    assert.deepEqual(names(nginx.workloads), ['Deployment/shop/web']);
    const busybox = inventory.images.find((image) => image.image === 'docker.io/library/busybox:1.36')!;
    assert.deepEqual(names(busybox.workloads), ['CronJob/shop/cleanup']);
  });

  it('exposure: the LoadBalancer with the node port the server allocated, the Ingress route, the host-network DaemonSet', () => {
    const service = inventory.exposedServices.find((s) => s.resource.name === 'web-public')!;
    assert.equal(service.type, 'LoadBalancer');
    const [port] = service.ports;
    assert.equal(port!.port, 80);
    assert.ok(port!.nodePort! >= 30000 && port!.nodePort! <= 32767, `nodePort ${port!.nodePort}`);
    assert.deepEqual(names(service.workloads), ['Deployment/shop/web']);
    const route = inventory.ingresses.find((i) => i.resource.name === 'web')!.routes[0]!;
    assert.deepEqual([route.host, route.service, route.port, route.serviceFound, names(route.workloads)], ['shop.example.com', 'web-public', 'http', true, ['Deployment/shop/web']]);
    // No node runs here, so the DaemonSet has no Pods; its template binds 9100 on the node.
    const agent = inventory.hostAccess.find((h) => h.resource.name === 'node-agent')!;
    assert.deepEqual([agent.hostNetwork, agent.hostPorts.map((p) => p.hostPort)], [true, [9100]]);
  });

  it('service accounts: the server-made default accounts, and the pod-level vs account-level token decision', () => {
    const account = (ns: string, name: string) => inventory.serviceAccounts.find((sa) => sa.resource.namespace === ns && sa.resource.name === name)!;
    assert.equal(account('shop', 'web').automountServiceAccountToken, false);
    assert.deepEqual(account('shop', 'web').tokenMountedIn, []);
    assert.equal(account('shop', 'default').inInput, true, 'the controller-manager creates each namespace default account');
    // The Job and its Pod run as it too, represented by their CronJob.
    assert.deepEqual(names(account('shop', 'default').tokenMountedIn), ['CronJob/shop/cleanup']);
    const webPod = inventory.workloads.find((w) => w.resource.kind === 'Pod' && w.resource.name.startsWith('web-'))!;
    assert.deepEqual(webPod.tokenMount, { mounted: false, decidedBy: 'service-account', serviceAccount: false });
  });

  it('Pod Security verdicts agree with the API server: what Aspis says enforce would reject, the server rejects', async () => {
    const ns = (name: string) => inventory.namespaces.find((n) => n.name === name)!.podSecurity;
    assert.equal(ns('shop').satisfied, 'baseline');
    assert.equal(ns('shop').assessment, 'matches');
    assert.deepEqual(names(ns('shop').warn!.violations), ['CronJob/shop/cleanup', 'Deployment/shop/web']);
    assert.equal(ns('web').assessment, 'laxer');
    assert.equal(ns('web').satisfied, 'restricted');
    assert.equal(ns('monitoring').satisfied, 'privileged');

    // Raising web to what Aspis says it satisfies: the server finds no existing pod violating it.
    const web = await cp.kubectl(['label', '--dry-run=server', '--overwrite', 'namespace', 'web', 'pod-security.kubernetes.io/enforce=restricted']);
    assert.equal(web.code, 0, web.stderr);
    assert.doesNotMatch(web.stderr, /violate/);
    // Raising shop one level above what Aspis says it satisfies: the server names the pods that would be rejected.
    const shop = await cp.kubectl(['label', '--dry-run=server', '--overwrite', 'namespace', 'shop', 'pod-security.kubernetes.io/enforce=restricted']);
    assert.equal(shop.code, 0, shop.stderr);
    assert.match(shop.stderr, /existing pods in namespace "shop" violate the new PodSecurity enforce level "restricted:latest"/);
    // `Warning: <pod> (and N other pods): <violations>`, one line per group of pods violating alike.
    let rejected = 0;
    const named: string[] = [];
    for (const match of shop.stderr.matchAll(/^Warning: ([a-z0-9.-]+)(?: \(and (\d+) other pods?\))?: /gm)) {
      named.push(match[1]!);
      rejected += 1 + Number(match[2] ?? 0);
    }
    const notRestricted = inventory.workloads
      .filter((w) => w.resource.kind === 'Pod' && w.resource.namespace === 'shop' && w.pssLevel !== 'restricted')
      .map((w) => w.resource.name);
    assert.equal(rejected, notRestricted.length, shop.stderr);
    for (const pod of named) assert.ok(notRestricted.includes(pod), `${pod} not in ${notRestricted.join(', ')}`);
  });

  it('-n limits the inventory to a namespace; a namespace that does not exist is an error', () => {
    const result = runCli(['inventory', 'cluster', '--kubeconfig', cp.adminKubeconfig, '-n', 'web', '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const scoped = JSON.parse(result.stdout) as Inventory;
    assert.deepEqual(scoped.namespaces.map((n) => [n.name, n.inInput]), [['web', true]]);
    assert.ok(scoped.workloads.every((w) => w.resource.namespace === 'web'));
    const missing = runCli(['inventory', 'cluster', '--kubeconfig', cp.adminKubeconfig, '-n', 'nope', '-o', 'json']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /namespace "nope" does not exist/);
  });

  it('needs nothing but list on the kinds it reads (a subset of the scanner ClusterRole\'s)', async () => {
    const byGroup = new Map<string, string[]>();
    for (const kind of SCANNED_KINDS.filter((k) => isInventoriedKind(k.group, k.kind))) {
      byGroup.set(kind.group, [...(byGroup.get(kind.group) ?? []), kind.resource]);
    }
    await cp.apply([
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'aspis-inventory' },
        rules: [...byGroup].map(([group, resources]) => ({ apiGroups: [group], resources, verbs: ['list'] })),
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'aspis-inventory-dave' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'aspis-inventory' },
        subjects: [{ kind: 'User', name: 'dave', apiGroup: 'rbac.authorization.k8s.io' }],
      },
    ] as never);
    await cp.waitForRbacPropagation();
    const result = runCli(['inventory', 'cluster', '--kubeconfig', cp.kubeconfigFor('dave'), '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const asDave = JSON.parse(result.stdout) as Inventory;
    assert.deepEqual(asDave.errors, []);
    assert.equal(asDave.pssVersion, inventory.pssVersion);
    assert.deepEqual(asDave.workloads.map((w) => w.resource.uid), inventory.workloads.map((w) => w.resource.uid));
  });

  it('kinds the credentials may not list are errors naming the permission, and the rest is still inventoried', () => {
    // alice has no grant at all: every LIST is forbidden.
    const result = runCli(['inventory', 'cluster', '--kubeconfig', cp.kubeconfigFor('alice'), '-o', 'json']);
    assert.equal(result.code, 2);
    const denied = JSON.parse(result.stdout) as Inventory;
    assert.ok(denied.errors.some((e) => /cannot list Pod objects .*forbidden, missing permission/.test(e.message)), JSON.stringify(denied.errors));
    assert.match(result.stderr, /forbidden/);
  });
});

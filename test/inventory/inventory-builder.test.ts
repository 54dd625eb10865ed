/**
 * The inventory of a small multi-namespace shop (fixtures/shop): namespaces against their Pod Security labels,
 * service-account tokens, deduplicated images, exposure through LoadBalancer/NodePort Services, Ingress routes and
 * host ports — and the same answers whatever the batching.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadManifests } from '../../src/sources/manifests/load-manifests.js';
import { buildInventory, InventoryBuilder } from '../../src/inventory/inventory-builder.js';
import { LATEST_PSS_VERSION } from '../../src/core/model/check-context.js';
import type { Inventory } from '../../src/inventory/inventory.js';
import { FIXTURES, inventoryOf, names } from './inventory-of.js';
import { temporaryDirectory } from '../harness/temporary-directory.js';

const inventory = await inventoryOf(['shop']);
const namespace = (name: string) => inventory.namespaces.find((ns) => ns.name === name)!;
const workload = (kind: string, ns: string, name: string) =>
  inventory.workloads.find((w) => w.resource.kind === kind && w.resource.namespace === ns && w.resource.name === name)!;

describe('inventory of fixtures/shop', () => {
  it('reads every object without errors', () => {
    assert.deepEqual(inventory.errors, []);
    assert.deepEqual(inventory.summary, {
      namespaces: 4,
      workloads: 5,
      images: 5,
      serviceAccounts: 5,
      exposedServices: 2,
      ingresses: 1,
      hostAccess: 2,
      errors: 0,
    });
  });

  it('compares each namespace enforce label with the strictest level its workloads satisfy', () => {
    // shop enforces restricted@v1.30, but cart runs without seccomp or runAsNonRoot: its pods are rejected on re-create.
    const shop = namespace('shop').podSecurity;
    assert.equal(shop.satisfied, 'baseline');
    assert.equal(shop.assessment, 'stricter');
    assert.deepEqual({ level: shop.enforce!.level, version: shop.enforce!.version }, { level: 'restricted', version: 'v1.30' });
    assert.deepEqual(names(shop.enforce!.violations), ['Deployment/shop/cart']);
    assert.deepEqual(names(shop.warn!.violations), ['Deployment/shop/cart']);
    // No audit label: admission's default, privileged, which nothing violates.
    assert.deepEqual(shop.audit, { level: 'privileged', version: 'v1.37', violations: [] });

    // web enforces baseline, while its only workload is restricted: it can be hardened for free.
    assert.equal(namespace('web').podSecurity.assessment, 'laxer');
    assert.equal(namespace('web').podSecurity.satisfied, 'restricted');

    // monitoring runs a host-network DaemonSet and says privileged: a match; audit and warn name the DaemonSet.
    const monitoring = namespace('monitoring').podSecurity;
    assert.equal(monitoring.assessment, 'matches');
    assert.deepEqual(names(monitoring.audit!.violations), ['DaemonSet/monitoring/node-exporter']);
    assert.equal(monitoring.warn!.versionLabel, 'latest');

    // batch is not defined in the input: its labels are unknown, but what its workloads satisfy is known.
    assert.deepEqual(namespace('batch'), {
      name: 'batch',
      inInput: false,
      workloads: 1,
      podSecurity: { satisfied: 'privileged', assessment: 'labels-unknown' },
    });
  });

  it('says whether each workload gets a token and what decided it', () => {
    // The pod field wins over the account: cart's account says true, its pod template false.
    assert.deepEqual(workload('Deployment', 'shop', 'cart').tokenMount, { mounted: false, decidedBy: 'pod', pod: false, serviceAccount: true });
    // frontend leaves it unset; its account opts out.
    assert.deepEqual(workload('Deployment', 'shop', 'frontend').tokenMount, { mounted: false, decidedBy: 'service-account', serviceAccount: false });
    // static-site runs as the namespace default account, not in the input: mounted by default.
    assert.deepEqual(workload('Deployment', 'web', 'static-site').tokenMount, { mounted: true, decidedBy: 'default' });

    const accounts = Object.fromEntries(inventory.serviceAccounts.map((sa) => [`${sa.resource.namespace}/${sa.resource.name}`, sa]));
    assert.deepEqual(Object.keys(accounts), ['batch/reporter', 'monitoring/node-exporter', 'shop/cart', 'shop/frontend', 'web/default']);
    assert.equal(accounts['shop/cart']!.inInput, true);
    assert.equal(accounts['shop/cart']!.automountServiceAccountToken, true);
    assert.deepEqual(names(accounts['shop/cart']!.workloads), ['Deployment/shop/cart']);
    assert.deepEqual(accounts['shop/cart']!.tokenMountedIn, []);
    assert.equal(accounts['web/default']!.inInput, false);
    assert.deepEqual(names(accounts['web/default']!.tokenMountedIn), ['Deployment/web/static-site']);
  });

  it('deduplicates images across spellings and says how each is pinned', () => {
    const nginx = inventory.images.find((image) => image.repository === 'library/nginx')!;
    assert.equal(nginx.image, 'docker.io/library/nginx:1.27');
    assert.deepEqual(nginx.written, ['docker.io/library/nginx:1.27', 'nginx:1.27']);
    assert.deepEqual(names(nginx.workloads), ['Deployment/shop/frontend', 'Deployment/web/static-site']);
    const pinning = Object.fromEntries(inventory.images.map((image) => [image.image.replace(/@.*/, '@…'), image.pinning]));
    assert.deepEqual(pinning, {
      'docker.io/library/nginx:1.27': 'tag',
      'ghcr.io/example/cart-migrate:2.1.0': 'tag',
      'ghcr.io/example/cart@…': 'digest',
      'quay.io/prometheus/node-exporter:v1.8.2': 'tag',
      'registry.example.com/reports/generator': 'untagged',
    });
    // Init containers count: the migration image is run by cart too.
    assert.deepEqual(
      workload('Deployment', 'shop', 'cart').containers.map((c) => [c.type, c.container]),
      [['initContainers', 'migrate'], ['containers', 'cart']],
    );
  });

  it('lists LoadBalancer and NodePort Services with their ports and the workloads they select', () => {
    const [lb, nodePort] = inventory.exposedServices;
    assert.equal(lb!.resource.name, 'frontend-external');
    assert.equal(lb!.type, 'LoadBalancer');
    assert.deepEqual(lb!.ports, [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }]);
    assert.deepEqual(lb!.loadBalancerSourceRanges, ['203.0.113.0/24']);
    assert.deepEqual(names(lb!.workloads), ['Deployment/shop/frontend']);
    assert.equal(nodePort!.type, 'NodePort');
    assert.deepEqual(nodePort!.ports, [{ protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }]);
    assert.deepEqual(names(nodePort!.workloads), ['Deployment/web/static-site']);
    // ClusterIP Services are not exposed.
    assert.ok(!inventory.exposedServices.some((s) => s.resource.name === 'frontend' || s.resource.name === 'cart'));
  });

  it('follows Ingress hosts and paths to Services and their workloads', () => {
    const [ingress] = inventory.ingresses;
    assert.equal(ingress!.ingressClass, 'nginx');
    assert.deepEqual(
      ingress!.routes.map((r) => [r.host, r.path, r.tls, r.service, r.port, r.serviceFound, names(r.workloads)]),
      [
        ['shop.example.com', '/', true, 'frontend', 80, true, ['Deployment/shop/frontend']],
        ['shop.example.com', '/api/cart', true, 'cart', 'grpc', true, ['Deployment/shop/cart']],
        ['legacy.example.com', '/', false, 'legacy', 80, false, []],
      ],
    );
  });

  it('lists workloads on the host network or binding host ports', () => {
    assert.deepEqual(
      inventory.hostAccess.map((h) => [names([h.resource])[0], h.hostNetwork, h.hostPorts.map((p) => `${p.hostPort}/${p.protocol}`)]),
      [
        // hostPort written explicitly
        ['CronJob/batch/nightly-report', false, ['8443/TCP']],
        // hostNetwork: the API server defaults hostPort to the containerPort
        ['DaemonSet/monitoring/node-exporter', true, ['9100/TCP']],
      ],
    );
  });

  it('gives the same inventory whether fed file by file, object by object, or at once', async () => {
    const loaded = await loadManifests(['shop'], { cwd: FIXTURES });
    const options = { pssVersion: LATEST_PSS_VERSION, inputs: ['shop'], toolVersion: 'test', now: new Date(0) };
    assert.deepEqual(buildInventory(loaded.resources, loaded.errors, options), inventory);
    const builder = new InventoryBuilder(options);
    for (const resource of loaded.resources) builder.add([resource]);
    assert.deepEqual(builder.finish(), inventory);
  });
});

function inline(text: string): Promise<Inventory> {
  const dir = temporaryDirectory('aspis-inventory-');
  writeFileSync(join(dir, 'objects.yaml'), text);
  return inventoryOf([join(dir, 'objects.yaml')]);
}

describe('exposure: older and rarer shapes', () => {
  it('v1beta1 Ingress backends, default and resource backends, wildcard TLS, the class annotation', async () => {
    const result = await inline(`apiVersion: extensions/v1beta1
kind: Ingress
metadata:
  name: legacy
  namespace: apps
  annotations: {kubernetes.io/ingress.class: traefik}
spec:
  backend: {serviceName: fallback, servicePort: 8080}
  tls:
    - hosts: ["*.example.com"]
  rules:
    - host: api.example.com
      http:
        paths:
          - {path: /v1, backend: {serviceName: api, servicePort: http}}
    - host: deep.api.example.com
      http:
        paths:
          - {path: /, backend: {serviceName: api, servicePort: 80}}
    - http:
        paths:
          - path: /assets
            pathType: Prefix
            backend: {resource: {apiGroup: storage.example.com, kind: Bucket, name: assets}}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: apps}
spec:
  selector: {app: api}
  externalIPs: [198.51.100.7]
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: by-hand, namespace: apps}
spec:
  type: NodePort
  ports: [{port: 443}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: api, namespace: apps}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api, tier: backend}}
    spec:
      containers: [{name: api, image: "registry.example.com/api:3"}]
`);
    assert.deepEqual(result.errors, []);
    const [ingress] = result.ingresses;
    assert.equal(ingress!.ingressClass, 'traefik');
    assert.deepEqual(
      ingress!.routes.map((r) => [r.host, r.path ?? null, r.tls, r.service ?? r.resourceBackend, r.port ?? null, r.serviceFound, names(r.workloads)]),
      [
        ['*', null, false, 'fallback', 8080, false, []],
        // `*.example.com` covers one label: api.example.com, not deep.api.example.com.
        ['api.example.com', '/v1', true, 'api', 'http', true, ['StatefulSet/apps/api']],
        ['deep.api.example.com', '/', false, 'api', 80, true, ['StatefulSet/apps/api']],
        ['*', '/assets', false, 'Bucket/assets', null, false, []],
      ],
    );
    // A ClusterIP Service with an external IP is reachable from outside; one without a selector selects nothing.
    assert.deepEqual(
      result.exposedServices.map((s) => [s.resource.name, s.type, s.externalIPs, s.selector ?? null, names(s.workloads)]),
      [
        ['api', 'ClusterIP', ['198.51.100.7'], { app: 'api' }, ['StatefulSet/apps/api']],
        ['by-hand', 'NodePort', [], null, []],
      ],
    );
  });
});

describe('Pod Security labels', () => {
  const NAMESPACE = (labels: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n  labels:\n${labels}`;
  // Baseline at v1.33, privileged from v1.34: its liveness probe targets another host (hostProbesAndHostLifecycle).
  const PROBING_POD = `apiVersion: v1
kind: Pod
metadata:
  name: prober
  namespace: apps
spec:
  containers:
    - name: app
      image: registry.example.com/app:1.0
      livenessProbe:
        httpGet: {path: /, port: 80, host: 169.254.169.254}
`;
  const LABELS = '    pod-security.kubernetes.io/enforce: baseline\n    pod-security.kubernetes.io/enforce-version: v1.33\n';

  it('evaluates a namespace pinned to an older version at that version when the Namespace comes first', async () => {
    const result = await inline(`${NAMESPACE(LABELS)}---\n${PROBING_POD}`);
    const ps = result.namespaces.find((ns) => ns.name === 'apps')!.podSecurity;
    assert.equal(ps.enforce!.version, 'v1.33');
    assert.equal(ps.enforce!.evaluatedAt, undefined);
    assert.equal(ps.satisfied, 'baseline');
    assert.equal(ps.assessment, 'matches');
    // The workload's own level is at the inventory's version, where the probe host is forbidden.
    assert.equal(result.workloads[0]!.pssLevel, 'privileged');
  });

  it('says which version it used when the Namespace came after its workloads', async () => {
    const result = await inline(`${PROBING_POD}---\n${NAMESPACE(LABELS)}`);
    const ps = result.namespaces.find((ns) => ns.name === 'apps')!.podSecurity;
    assert.equal(ps.enforce!.version, 'v1.33');
    assert.equal(ps.enforce!.evaluatedAt, 'v1.37');
    assert.equal(ps.assessment, 'stricter');
  });

  it('resolves invalid labels as admission does (enforce fails closed, audit/warn open) and reports them at file:line', async () => {
    const labels =
      '    pod-security.kubernetes.io/enforce: strict\n' +
      '    pod-security.kubernetes.io/audit: loose\n' +
      '    pod-security.kubernetes.io/warn-version: "1.30"\n';
    const result = await inline(`${NAMESPACE(labels)}---\n${PROBING_POD}`);
    const ps = result.namespaces.find((ns) => ns.name === 'apps')!.podSecurity;
    assert.equal(ps.enforce!.level, 'restricted');
    assert.equal(ps.enforce!.levelLabel, 'strict');
    assert.equal(ps.audit!.level, 'privileged');
    assert.equal(ps.warn!.version, 'v1.37');
    assert.deepEqual(
      result.errors.map((e) => [e.line, e.field]),
      [
        [6, 'metadata.labels["pod-security.kubernetes.io/enforce"]'],
        [7, 'metadata.labels["pod-security.kubernetes.io/audit"]'],
        [8, 'metadata.labels["pod-security.kubernetes.io/warn-version"]'],
      ],
    );
    assert.match(result.errors[0]!.message, /^Namespace\/apps: "strict" is not a Pod Security level .*restricted$/);
  });

  it('a version newer than `latest` is evaluated as latest, like an older API server does', async () => {
    const result = await inline(`${NAMESPACE('    pod-security.kubernetes.io/enforce: baseline\n    pod-security.kubernetes.io/enforce-version: v1.99\n')}`);
    const enforce = result.namespaces[0]!.podSecurity.enforce!;
    assert.equal(enforce.version, 'v1.37');
    assert.equal(result.namespaces[0]!.podSecurity.assessment, 'no-workloads');
  });
});

/**
 * What the cluster source gives network analysis, on a real kube-apiserver (test/harness):
 * - Pods keep their addresses, lifetime and running images from `status` (podIP(s), hostIP(s), phase, startTime,
 *   container name/image/imageID, when a container ended) and nothing else of it; Services keep their load-balancer
 *   addresses; other kinds keep no status;
 * - AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1, CRDs of sig-network's
 *   network-policy-api) are listed only where the API is served: before their CRDs are installed that is no error,
 *   after it they are read and `aspis netpol explain` on the cluster names the AdminNetworkPolicy rule that decides;
 * - `aspis netpol harden` on the cluster matches an image scan report to a Pod by the digest its status reports.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { clusterBatches } from '../../src/sources/cluster/cluster-batches.js';
import type { ClusterBatch, ClusterBatchesOptions, ClusterProgress } from '../../src/sources/cluster/cluster-batches.js';
import { SCANNED_KINDS } from '../../src/sources/cluster/scanned-kinds.js';
import type { NetpolExplainReport } from '../../src/outputs/netpol-report.js';
import type { NetpolHardenReport } from '../../src/outputs/netpol-harden-report.js';
import { runCli } from '../cli/run-cli.js';
import { startControlPlane } from '../harness/control-plane.js';
import type { ControlPlane } from '../harness/control-plane.js';

const NS = 'shop';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const ADMIN_KINDS = SCANNED_KINDS.filter((k) => k.group === 'policy.networking.k8s.io');

async function collect(options: ClusterBatchesOptions): Promise<{ batches: ClusterBatch[]; events: ClusterProgress[] }> {
  const batches: ClusterBatch[] = [];
  const events: ClusterProgress[] = [];
  for await (const batch of clusterBatches({ ...options, onProgress: (event) => events.push(event) })) batches.push(batch);
  return { batches, events };
}

function crd(plural: string, kind: string): string {
  return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${plural}.policy.networking.k8s.io
  # *.k8s.io groups are protected: upstream's CRDs carry this approval too.
  annotations: {api-approved.kubernetes.io: "https://github.com/kubernetes-sigs/network-policy-api/pull/30"}
spec:
  group: policy.networking.k8s.io
  scope: Cluster
  names: {plural: ${plural}, singular: ${kind.toLowerCase()}, kind: ${kind}, listKind: ${kind}List}
  versions:
  - name: v1alpha1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
          status: {type: object, x-kubernetes-preserve-unknown-fields: true}
`;
}

function pod(name: string, image: string): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS, labels: { app: name } }, spec: { containers: [{ name: 'main', image, ports: [{ containerPort: 80 }] }] } };
}

describe('the cluster source for network analysis (real API server)', () => {
  let cp: ControlPlane;
  let dir: string;

  before(async () => {
    cp = await startControlPlane();
    dir = mkdtempSync(join(tmpdir(), 'aspis-cluster-network-'));
    await cp.createNamespace(NS);
    for (const [name, image] of [['web', 'registry.example.com/web:1.0'], ['client', 'registry.example.com/client:2.0']] as const) {
      const created = await cp.request('POST', `/api/v1/namespaces/${NS}/pods`, pod(name, image));
      assert.equal(created.status, 201, JSON.stringify(created.body));
    }
    // No kubelet runs: the test writes the status one would.
    const status = {
      status: {
        phase: 'Running',
        podIP: '10.244.0.7',
        podIPs: [{ ip: '10.244.0.7' }],
        hostIP: '192.0.2.10',
        hostIPs: [{ ip: '192.0.2.10' }],
        startTime: '2026-05-01T09:00:00Z',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [
          { name: 'main', image: 'registry.example.com/web:1.0', imageID: `registry.example.com/web@${DIGEST}`, ready: true, restartCount: 0, state: { running: { startedAt: '2026-05-01T09:00:01Z' } } },
        ],
      },
    };
    const patched = await cp.request('PATCH', `/api/v1/namespaces/${NS}/pods/web/status`, status, { contentType: 'application/merge-patch+json' });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: NS }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80 }] } };
    assert.equal((await cp.request('POST', `/api/v1/namespaces/${NS}/services`, service)).status, 201);
    const lb = await cp.request('PATCH', `/api/v1/namespaces/${NS}/services/web/status`, { status: { loadBalancer: { ingress: [{ ip: '203.0.113.10', ipMode: 'VIP' }] } } }, { contentType: 'application/merge-patch+json' });
    assert.equal(lb.status, 200, JSON.stringify(lb.body));
  });

  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await cp?.stop();
  });

  it("keeps a Pod's addresses, lifetime and running images, a Service's load-balancer addresses, and no other status", async () => {
    const kinds = SCANNED_KINDS.filter((k) => k.group === '' && ['Pod', 'Service', 'Namespace'].includes(k.kind));
    const { batches } = await collect({ kubeconfig: cp.adminKubeconfig, kinds, namespaces: [NS], includeControlled: true });
    assert.deepEqual(batches.flatMap((b) => b.errors), []);
    const objects = batches.flatMap((b) => b.resources.map((r) => r.object));
    const web = objects.find((o) => o.kind === 'Pod' && o.metadata?.name === 'web')!;
    assert.deepEqual(web['status'], {
      phase: 'Running',
      podIP: '10.244.0.7',
      podIPs: [{ ip: '10.244.0.7' }],
      hostIP: '192.0.2.10',
      hostIPs: [{ ip: '192.0.2.10' }],
      startTime: '2026-05-01T09:00:00Z',
      containerStatuses: [{ name: 'main', image: 'registry.example.com/web:1.0', imageID: `registry.example.com/web@${DIGEST}` }],
    });
    const client = objects.find((o) => o.kind === 'Pod' && o.metadata?.name === 'client')!;
    assert.deepEqual(client['status'], { phase: 'Pending' }, 'what the API server sets on create, nothing more');
    assert.deepEqual(objects.find((o) => o.kind === 'Service')!['status'], { loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } });
    assert.equal(objects.find((o) => o.kind === 'Namespace')!['status'], undefined);
  });

  it('harden matches a report to the Pod by the digest its status reports, whatever name the report gives the image', () => {
    const report = join(dir, 'web.json');
    const vulnerability = { id: 'CVE-2023-39631', aliases: ['PYSEC-2023-163'], severity: 'critical', score: 9.8, package: { ecosystem: 'PyPI', name: 'numexpr', version: '2.8.4' }, fixedVersions: [] };
    writeFileSync(report, JSON.stringify({ target: { name: 'oci:/scans/web-layout:1.0', manifestDigest: DIGEST }, vulnerabilities: [vulnerability] }));
    const out = join(dir, 'harden.json');
    const run = runCli(['netpol', 'harden', '--images', report, '--kubeconfig', cp.adminKubeconfig, '--report', out]);
    assert.equal(run.code, 0, run.stderr);
    const r = JSON.parse(readFileSync(out, 'utf8')) as NetpolHardenReport;
    assert.deepEqual(r.reports[0]!.matches, [{ workload: `${NS}/Pod/web`, container: 'main', image: 'registry.example.com/web:1.0', by: 'digest' }]);
    assert.deepEqual(r.workloads.map((w) => [w.id, w.policy, w.internetFacing]), [[`${NS}/Pod/web`, `${NS}/harden-web`, [`Service ${NS}/web (LoadBalancer) 80/TCP → 80/TCP`]]]);
    assert.deepEqual(r.workloads[0]!.after[0]!.toOutside, []);
  });

  it('lists AdminNetworkPolicies only once their API is served, then netpol names the admin rule that decides', async () => {
    const absent = await collect({ kubeconfig: cp.adminKubeconfig, kinds: ADMIN_KINDS });
    assert.deepEqual(absent.batches.flatMap((b) => b.errors), []);
    assert.deepEqual(absent.events.filter((e) => e.type === 'not-served').map((e) => (e.type === 'not-served' ? e.kind : '')), ['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy']);

    const installed = await cp.kubectl(['apply', '-f', '-'], { input: `${crd('adminnetworkpolicies', 'AdminNetworkPolicy')}---\n${crd('baselineadminnetworkpolicies', 'BaselineAdminNetworkPolicy')}` });
    assert.equal(installed.code, 0, installed.stderr);
    for (let attempt = 0; ; attempt++) {
      const discovery = await cp.request<{ resources?: { name: string }[] }>('GET', '/apis/policy.networking.k8s.io/v1alpha1');
      const names = discovery.status === 200 ? (discovery.body.resources ?? []).map((r) => r.name) : [];
      if (names.includes('adminnetworkpolicies') && names.includes('baselineadminnetworkpolicies')) break;
      if (attempt > 100) throw new Error('the CRDs are not served after 20 s');
      await sleep(200);
    }
    const policies = `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: deny-client-to-web}
spec:
  priority: 10
  subject: {pods: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ${NS}}}, podSelector: {matchLabels: {app: web}}}}
  ingress:
  - name: no-client
    action: Deny
    from: [{pods: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ${NS}}}, podSelector: {matchLabels: {app: client}}}}]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
  ingress:
  - name: baseline-deny
    action: Deny
    from: [{namespaces: {}}]
`;
    for (let attempt = 0; ; attempt++) {
      const applied = await cp.kubectl(['apply', '-f', '-'], { input: policies });
      if (applied.code === 0) break;
      if (attempt > 20) assert.fail(applied.stderr);
      await sleep(250);
    }
    const present = await collect({ kubeconfig: cp.adminKubeconfig, kinds: ADMIN_KINDS });
    assert.deepEqual(present.batches.flatMap((b) => b.errors), []);
    assert.deepEqual(
      present.batches.flatMap((b) => b.resources.map((r) => `${r.object.apiVersion} ${r.object.kind}/${r.object.metadata?.name}`)),
      ['policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy/deny-client-to-web', 'policy.networking.k8s.io/v1alpha1 BaselineAdminNetworkPolicy/default'],
    );

    const explain = runCli(['netpol', 'explain', '--kubeconfig', cp.adminKubeconfig, '-n', NS, '--from', 'client', '--to', 'web', '--port', '80', '-o', 'json']);
    assert.equal(explain.code, 1, explain.stderr); // denied
    const report = JSON.parse(explain.stdout) as NetpolExplainReport;
    assert.equal(report.allowed, 'no');
    assert.deepEqual(report.cases.map((c) => [c.ingress?.admin?.policy, c.ingress?.admin?.name, c.ingress?.admin?.action]), [['AdminNetworkPolicy/deny-client-to-web', 'no-client', 'Deny']]);
  });
});

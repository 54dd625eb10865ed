/**
 * `aspis netpol` against a live cluster: a real kube-apiserver with kube-controller-manager (test/harness), Online
 * Boutique applied to namespace `boutique` with upstream's NetworkPolicies. The controller-manager creates ReplicaSets
 * and Pods, so `reach` reads real Pods and groups them under their top-most owner (Pod → ReplicaSet → Deployment);
 * the answer must be the one the manifests give. `diff cluster NEW` shows what applying NEW would open.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCliInProcess } from '../cli/run-cli-in-process.js';
import type { NetpolDiffReport, NetpolExplainReport, NetpolReachReport } from '../../src/outputs/netpol-report.js';
import { startControlPlane } from '../harness/control-plane.js';
import type { ControlPlane } from '../harness/control-plane.js';

const CORPUS = '/work/shared/corpora/microservices-demo';
const POLICY_DIR = join(CORPUS, 'kustomize/components/network-policies');
const NS = 'boutique';

const aspis = runCliInProcess;

describe('aspis netpol on a live cluster (Online Boutique)', () => {
  let cp: ControlPlane;
  let dir: string;
  let manifestsReport: NetpolReachReport;

  before(async () => {
    cp = await startControlPlane({ controllerManager: true });
    dir = mkdtempSync(join(tmpdir(), 'aspis-netpol-cluster-'));
    await cp.createNamespace(NS);
    const files = [join(CORPUS, 'release/kubernetes-manifests.yaml'), ...readdirSync(POLICY_DIR).filter((f) => f.startsWith('network-policy-')).map((f) => join(POLICY_DIR, f))];
    // kubectl, not cp.apply(): the harness applies through @kubernetes/client-node, whose typed serializer drops the
    // `from` of NetworkPolicy ingress rules (the model calls it `_from`).
    const applied = await cp.kubectl(['apply', '-n', NS, ...files.flatMap((f) => ['-f', f])]);
    assert.equal(applied.code, 0, applied.stderr);
    // The controller-manager creates one Pod per Deployment (replicas 1); they stay Pending (no scheduler).
    for (let attempt = 0; ; attempt++) {
      const pods = await cp.request<{ items: unknown[] }>('GET', `/api/v1/namespaces/${NS}/pods`);
      if (pods.body.items.length >= 12) break;
      if (attempt > 120) throw new Error(`only ${pods.body.items.length} pods after 60 s`);
      await sleep(500);
    }
    const fromManifests = await aspis(['netpol', 'reach', '-f', ...files, '--default-namespace', NS, '-o', 'json']);
    assert.equal(fromManifests.code, 0, fromManifests.stderr);
    manifestsReport = JSON.parse(fromManifests.stdout) as NetpolReachReport;
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await cp?.stop();
  });

  it('reach groups live Pods under their Deployments and gives the same connections as the manifests', async () => {
    const result = await aspis(['netpol', 'reach', '--kubeconfig', cp.adminKubeconfig, '-n', NS, '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as NetpolReachReport;
    assert.equal(report.source, 'cluster');
    assert.deepEqual(
      report.workloads.map((w) => `${w.id} pods=${w.pods}`),
      manifestsReport.workloads.map((w) => `${w.id} pods=1`),
    );
    assert.deepEqual(report.edges, manifestsReport.edges);
    assert.deepEqual(report.external, manifestsReport.external);
  });

  it('explain on the cluster follows the Service to its live backend', async () => {
    const result = await aspis(['netpol', 'explain', '--kubeconfig', cp.adminKubeconfig, '--from', `${NS}/checkoutservice`, '--to', `svc/${NS}/emailservice`, '--port', '5000', '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as NetpolExplainReport;
    assert.deepEqual(report.cases.map((c) => [c.from, c.to, c.port, c.allowed]), [[`${NS}/Deployment/checkoutservice`, `${NS}/Deployment/emailservice`, 8080, true]]);
    assert.match(report.cases[0]!.ingress!.rules.find((r) => r.matches)!.location, /^NetworkPolicy\/boutique\/emailservice spec\.ingress\[0\]$/);
  });

  it('diff cluster NEW: what applying a policy would open', async () => {
    const file = join(dir, 'allow-frontend-payment.yaml');
    writeFileSync(
      file,
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: paymentservice, namespace: ${NS}}
spec:
  podSelector: {matchLabels: {app: paymentservice}}
  policyTypes: [Ingress, Egress]
  ingress:
  - from: [{podSelector: {matchLabels: {app: checkoutservice}}}, {podSelector: {matchLabels: {app: frontend}}}]
    ports: [{port: 50051, protocol: TCP}]
  egress: [{}]
`,
    );
    const result = await aspis(['netpol', 'diff', 'cluster', file, '--kubeconfig', cp.adminKubeconfig, '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as NetpolDiffReport;
    assert.deepEqual(report.opened.map((c) => `${c.from} → ${c.to} ${c.ports}`), [`${NS}/Deployment/frontend → ${NS}/Deployment/paymentservice TCP:50051`]);
    assert.deepEqual(report.closed, []);
  });
});

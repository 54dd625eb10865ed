/**
 * `aspis netpol generate` and `replay` against a live cluster: a real kube-apiserver with kube-controller-manager
 * (test/harness), Online Boutique applied to namespace `boutique` without policies; the controller-manager creates
 * ReplicaSets and Pods, which Aspis reads and groups under their Deployments. From the 16 documented calls, the
 * cluster gives the same policies as the manifests, word for word; applied to the cluster, `replay` with the cluster's
 * own policies allows every call and `reach` on the cluster shows those 16 edges and no other. Flows known only by
 * address are attributed through the Pods' addresses the cluster read keeps.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startControlPlane } from '../../harness/control-plane.js';
import type { ControlPlane } from '../../harness/control-plane.js';
import { runCli } from '../../cli/run-cli.js';
import { callGraph, MANIFESTS, onlineBoutiqueFlowLines } from './online-boutique-flows.js';

const NS = 'boutique';

describe('aspis netpol generate on a live cluster (Online Boutique)', () => {
  let cp: ControlPlane;
  let dir: string;
  let flows: string;

  before(async () => {
    cp = await startControlPlane({ controllerManager: true });
    dir = mkdtempSync(join(tmpdir(), 'aspis-generate-cluster-'));
    flows = join(dir, 'flows.jsonl');
    writeFileSync(flows, `${onlineBoutiqueFlowLines().map((line) => line.replaceAll('"namespace":"default"', `"namespace":"${NS}"`)).join('\n')}\n`);
    await cp.createNamespace(NS);
    const applied = await cp.kubectl(['apply', '-n', NS, '-f', MANIFESTS]);
    assert.equal(applied.code, 0, applied.stderr);
    for (let attempt = 0; ; attempt++) {
      const pods = await cp.request<{ items: unknown[] }>('GET', `/api/v1/namespaces/${NS}/pods`);
      if (pods.body.items.length >= 12) break;
      if (attempt > 120) throw new Error(`only ${pods.body.items.length} pods after 60 s`);
      await sleep(500);
    }
  });

  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await cp?.stop();
  });

  it('gives the policies the manifests give, proves them, and once applied the cluster allows exactly the 16 calls', async () => {
    const fromCluster = runCli(['netpol', 'generate', '--flows', flows, '--kubeconfig', cp.adminKubeconfig, '--output-dir', join(dir, 'policies')]);
    assert.equal(fromCluster.code, 0, fromCluster.stderr);
    assert.match(fromCluster.stderr, /Replayed 280 flows \(16 edges\)[^\n]*\n {2}280 flows allowed \(16 edges\)\n {2}0 flows would break/);
    const cluster = runCli(['netpol', 'generate', '--flows', flows, '--kubeconfig', cp.adminKubeconfig]);
    const manifests = runCli(['netpol', 'generate', '--flows', flows, '-f', MANIFESTS, '--default-namespace', NS]);
    assert.equal(manifests.code, 0, manifests.stderr);
    assert.equal(cluster.stdout, manifests.stdout, 'the same policies from the live Pods as from the manifests');

    const applied = await cp.kubectl(['apply', '-R', '-f', join(dir, 'policies')]);
    assert.equal(applied.code, 0, applied.stderr);
    const replay = runCli(['netpol', 'replay', '--flows', flows, '--kubeconfig', cp.adminKubeconfig, '--policies', join(dir, 'policies', NS), '--with-existing', '-o', 'json']);
    assert.equal(replay.code, 0, replay.stderr);
    const report = JSON.parse(replay.stdout) as { summary: Record<string, number>; policies: Record<string, number> };
    assert.deepEqual(report.policies, { proposed: 13, existing: 13 });
    assert.deepEqual(report.summary, { allowedFlows: 280, deniedFlows: 0, allowedEdges: 16, deniedEdges: 0 });

    const reach = runCli(['netpol', 'reach', '--kubeconfig', cp.adminKubeconfig, '-n', NS, '-o', 'json']);
    assert.equal(reach.code, 0, reach.stderr);
    const edges = (JSON.parse(reach.stdout) as { edges: { from: string; to: string; ports: unknown }[] }).edges.map((e) => `${e.from.split('/')[2]} → ${e.to.split('/')[2]}`);
    assert.deepEqual(edges.sort(), callGraph.edges.map((e) => `${e.from} → ${e.to}`).sort());
  });

  it("flows known only by address are attributed through the live Pods' addresses (status.podIPs); an address no Pod holds is not, and the output says why", async () => {
    // No kubelet runs: the test writes what one would, the frontend Pod's status with its address.
    const pods = await cp.request<{ items: { metadata: { name: string; labels: Record<string, string> } }[] }>('GET', `/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dfrontend`);
    const frontend = pods.body.items[0]!.metadata.name;
    const patched = await cp.request('PATCH', `/api/v1/namespaces/${NS}/pods/${frontend}/status`, { status: { phase: 'Running', podIP: '10.244.0.5', podIPs: [{ ip: '10.244.0.5' }], hostIP: '192.0.2.10' } }, {
      contentType: 'application/merge-patch+json',
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const byAddress = join(dir, 'by-address.jsonl');
    writeFileSync(
      byAddress,
      [
        '{"source":{"ip":"10.244.0.5"},"destination":{"namespace":"boutique","service":"cartservice"},"port":7070}',
        '{"source":{"ip":"10.244.0.99"},"destination":{"namespace":"boutique","service":"cartservice"},"port":7070}',
      ].join('\n') + '\n',
    );
    const result = runCli(['netpol', 'replay', '--flows', byAddress, '--kubeconfig', cp.adminKubeconfig, '--policies', join(dir, 'policies', NS), '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { edges: { source: { name: string }; destination: { name: string }; port: number; verdict: string }[]; unattributed: { subject: string; reason: string }[] };
    assert.deepEqual(report.edges.map((e) => `${e.source.name} → ${e.destination.name}:${e.port} ${e.verdict}`), ['frontend → cartservice:7070 allowed']);
    assert.deepEqual(report.unattributed.map((u) => u.subject), ['10.244.0.99']);
    assert.match(report.unattributed[0]!.reason, /an address of the cluster networks that no pod or Service of the inventory held/);
    assert.match(result.stderr, /Hint: a live cluster read knows the addresses of the Pods that exist now/);
  });
});

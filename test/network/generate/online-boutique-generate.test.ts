/**
 * Online Boutique (GoogleCloudPlatform/microservices-demo at /work/shared/corpora/microservices-demo, see its
 * PROVENANCE.md): from upstream's real manifests (release/kubernetes-manifests.yaml) and flows synthesised for exactly
 * the 16 calls of call-graph.json (each caller dialling the callee's Service on its Service port, as the `*_ADDR`
 * variables say), generation yields policies under which
 * - replay allows all 16 calls, each on the container port the call-graph gives (emailservice: Service port 5000,
 *   container port 8080);
 * - reach between the 12 workloads is exactly those 16 (source, destination, port) triples, nothing else;
 * and compared with upstream's own policies (kustomize/components/network-policies) with the semantic diff of the
 * engine, every difference is one of these, each asserted below:
 * 1. upstream's frontend policy admits everyone on every port (`ingress: [{}]`: frontend is the public entry point
 *    behind the LoadBalancer frontend-external). The flows hold no call from outside the cluster (the call-graph lists
 *    "(internet) → frontend" as a row but not as one of the 16 calls) and only loadgenerator → frontend on 8080, so
 *    generation closes every other workload → frontend on every port, loadgenerator → frontend on every port but
 *    TCP 8080, and outside → frontend;
 * 2. upstream leaves egress open on purpose (`egress: [{}]`: DNS, istiod, Cloud APIs); generation allows only the
 *    observed egress plus DNS to the cluster DNS, so every workload's egress to outside the cluster is closed (DNS
 *    goes to kube-system pods, which these manifests do not hold, so it shows in no matrix);
 * 3. the 15 other calls are allowed on exactly the same port by both, so they are no difference at all; nothing is
 *    opened.
 * The texts differ as well, without changing what is allowed: upstream's `deny-all` is our `default-deny`;
 * loadgenerator's upstream policy isolates egress only (ours both directions, its ingress admitting nothing: upstream's
 * deny-all does the same); currencyservice's port is named `grpc` in its manifest, so our rules say `grpc` where
 * upstream's say 7000.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../../src/core/model/resource.js';
import { buildNetworkModel, diffReach, matrixEdges, matrixPorts, reachMatrix } from '../../../src/network/index.js';
import type { NetworkModel, ReachMatrix } from '../../../src/network/index.js';
import { FlowAttributor } from '../../../src/network/flows/flow-attribution.js';
import { FlowAggregator } from '../../../src/network/flows/flow-aggregator.js';
import type { FlowObservation } from '../../../src/network/flows/workload-edge.js';
import { formatEnd } from '../../../src/network/flows/workload-edge.js';
import { generatePolicies } from '../../../src/network/generate/generate-policies.js';
import type { GenerateResult } from '../../../src/network/generate/generate-policies.js';
import { readFlowFiles } from '../../../src/sources/flows/read-flow-files.js';
import { loadManifests } from '../../../src/sources/manifests/load-manifests.js';

import { callGraph, MANIFESTS, onlineBoutiqueFlowLines, UPSTREAM_POLICIES } from './online-boutique-flows.js';

async function objects(paths: string[]): Promise<KubeObject[]> {
  const loaded = await loadManifests(paths);
  assert.deepEqual(loaded.errors, []);
  return loaded.resources.map((r) => r.object);
}

describe('Online Boutique: generate from the 16 documented calls', () => {
  let dir: string;
  let workloads: KubeObject[];
  let model: NetworkModel;
  let observation: FlowObservation;
  let result: GenerateResult;
  let generated: ReachMatrix;
  const index = (matrix: ReachMatrix, name: string) => matrix.groups.findIndex((g) => g.owner.name === name);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aspis-ob-'));
    const flows = join(dir, 'flows.jsonl');
    writeFileSync(flows, `${onlineBoutiqueFlowLines().join('\n')}\n`);
    workloads = await objects([MANIFESTS]);
    model = buildNetworkModel(workloads);
    const aggregator = new FlowAggregator(new FlowAttributor(model));
    await readFlowFiles([flows], aggregator);
    observation = aggregator.result();
    result = generatePolicies(observation, model, workloads);
    generated = reachMatrix(buildNetworkModel([...workloads, ...result.output.map((p) => p.object)]));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the 16 calls as 16 workload edges, each on its container port (Service ports translated)', () => {
    assert.deepEqual(observation.errors, []);
    assert.deepEqual(observation.unattributed, []);
    assert.deepEqual(
      observation.edges.map((e) => `${formatEnd(e.from)} → ${formatEnd(e.to)}:${e.port}`).sort(),
      callGraph.edges.map((e) => `Deployment/default/${e.from} → Deployment/default/${e.to}:${e.target_port}`).sort(),
    );
  });

  it('one default deny and one policy per workload; replay allows all 16 calls', () => {
    assert.deepEqual(result.output.map((p) => p.name), ['default-deny', ...Object.keys(callGraph.services).sort()]);
    assert.deepEqual(result.plan.problems, []);
    assert.deepEqual([result.replay.allowedEdges, result.replay.deniedEdges, result.replay.deniedFlows], [16, 0, 0]);
  });

  it('reach between the workloads is exactly the 16 calls, each on its one container port', () => {
    const documented = new Map(callGraph.edges.map((e) => [`${e.from} → ${e.to}`, `TCP:${e.target_port}`]));
    const allowed = new Map([...matrixEdges(generated)].map((e) => [`${generated.groups[e.from]!.owner.name} → ${generated.groups[e.to]!.owner.name}`, e.ports.toString()]));
    assert.deepEqual(allowed, documented);
    // The denials PROVENANCE.md names.
    assert.ok(matrixPorts(generated, index(generated, 'frontend'), index(generated, 'paymentservice')).isEmpty());
    assert.ok(matrixPorts(generated, index(generated, 'loadgenerator'), index(generated, 'cartservice')).isEmpty());
  });

  it('nothing outside the cluster may connect in, and no workload may connect out', () => {
    for (const [i, group] of generated.groups.entries()) {
      assert.deepEqual(generated.fromExternal[i], [], group.id);
      assert.deepEqual(generated.toExternal[i], [], group.id);
    }
  });

  it("diff against upstream's policies: nothing opened; closed only what the file comment explains", async () => {
    const upstreamFiles = readdirSync(UPSTREAM_POLICIES)
      .filter((name) => name.startsWith('network-policy-'))
      .map((name) => join(UPSTREAM_POLICIES, name));
    const upstream = reachMatrix(buildNetworkModel([...workloads, ...(await objects(upstreamFiles))]));
    const diff = diffReach(upstream, generated);
    assert.deepEqual(diff.addedGroups, []);
    assert.deepEqual(diff.removedGroups, []);
    assert.deepEqual(diff.edges.filter((e) => !e.opened.isEmpty()), [], 'nothing opened');
    // 1. Every workload → frontend: all ports closed, but loadgenerator's documented TCP 8080.
    const closed = diff.edges.map((e) => [e.from.split('/')[2], e.to.split('/')[2], e.closed.toString()]);
    const expected = Object.keys(callGraph.services)
      .sort()
      .map((name) => [name, 'frontend', name === 'loadgenerator' ? 'TCP:1-8079,8081-65535 UDP:* SCTP:*' : 'all']);
    assert.deepEqual(closed, expected);
    // 1 and 2: outside → frontend closed; every workload's egress to outside closed. Nothing opened.
    assert.ok(diff.external.every((c) => c.opened.length === 0));
    assert.deepEqual(
      diff.external.map((c) => `${c.direction} ${c.group.split('/')[2]} ${c.closed.map((a) => `${a.addresses} ${a.ports}`).join('; ')}`).sort(),
      [
        ...Object.keys(callGraph.services).map((name) => `egress ${name} 0.0.0.0/0, ::/0 all`),
        'ingress frontend 0.0.0.0/0, ::/0 all',
      ].sort(),
    );
  });

  it('the texts differ where the file comment says, and only there', async () => {
    const byName = new Map(result.output.map((p) => [p.name, p.object]));
    const spec = (name: string) => byName.get(name)!['spec'] as Record<string, unknown>;
    assert.deepEqual(spec('default-deny'), { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    assert.deepEqual(spec('loadgenerator')['policyTypes'], ['Ingress', 'Egress']);
    assert.equal(spec('loadgenerator')['ingress'], undefined);
    assert.deepEqual(spec('currencyservice')['ingress'], [
      { from: [{ podSelector: { matchLabels: { app: 'checkoutservice' } } }], ports: [{ protocol: 'TCP', port: 'grpc' }] },
      { from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 'grpc' }] },
    ]);
    // Ingress of every other workload admits exactly upstream's (source app, port) pairs, on numbered ports.
    for (const name of Object.keys(callGraph.services).filter((n) => n !== 'currencyservice' && n !== 'frontend')) {
      const upstream = (await objects([join(UPSTREAM_POLICIES, `network-policy-${name === 'redis-cart' ? 'redis' : name}.yaml`)]))[0]!['spec'] as Record<string, unknown>;
      const pairs = (rules: unknown) =>
        ((rules as { from?: { podSelector: { matchLabels: { app: string } } }[]; ports?: { port: number }[] }[] | undefined) ?? [])
          .flatMap((rule) => (rule.from ?? []).flatMap((peer) => (rule.ports ?? []).map((port) => `${peer.podSelector.matchLabels.app}:${port.port}`)))
          .sort();
      assert.deepEqual(pairs(spec(name)['ingress']), pairs(upstream['ingress']), name);
    }
  });
});

/**
 * Online Boutique (GoogleCloudPlatform/microservices-demo, /work/shared/corpora/microservices-demo; see its
 * PROVENANCE.md): `reach` over upstream's own manifests and NetworkPolicies (kustomize/components/network-policies)
 * allows exactly the calls documented in call-graph.json, on the container port each policy admits, and every other
 * difference is explained here:
 * - every workload may reach frontend on every port: frontend's policy is `ingress: [{}]` (upstream: frontend is the
 *   public entry point, behind the LoadBalancer Service frontend-external), so anyone in or out of the cluster may
 *   connect, frontend's own pods included;
 * - egress is wide open on purpose (`egress: [{}]`, upstream README: DNS, istiod, Cloud APIs), so the only limits are
 *   ingress ones.
 * `diff` then shows what the component closes, and what removing one of its policies would close.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '../../src/core/model/resource.js';
import { loadManifests } from '../../src/sources/manifests/load-manifests.js';
import type { NetworkModel, ReachMatrix } from '../../src/network/index.js';
import { buildNetworkModel, diffReach, explainConnection, matrixEdges, matrixPorts, reachMatrix, resolveEndpoint } from '../../src/network/index.js';

const CORPUS = '/work/shared/corpora/microservices-demo';
const POLICIES = join(CORPUS, 'kustomize/components/network-policies');
const callGraph = JSON.parse(readFileSync(join(CORPUS, 'call-graph.json'), 'utf8')) as {
  services: Record<string, unknown>;
  edges: { from: string; to: string; port: number; target_port: number }[];
};

async function objects(paths: string[]): Promise<KubeObject[]> {
  const loaded = await loadManifests(paths);
  assert.deepEqual(loaded.errors, []);
  return loaded.resources.map((r) => r.object);
}

const policyFiles = readdirSync(POLICIES)
  .filter((name) => name.startsWith('network-policy-'))
  .map((name) => join(POLICIES, name));

describe('Online Boutique: reach over upstream policies', () => {
  let workloads: KubeObject[];
  let model: NetworkModel;
  let matrix: ReachMatrix;
  const index = (name: string) => matrix.groups.findIndex((g) => g.owner.name === name);

  before(async () => {
    workloads = await objects([join(CORPUS, 'release/kubernetes-manifests.yaml')]);
    model = buildNetworkModel([...workloads, ...(await objects(policyFiles))]);
    matrix = reachMatrix(model);
  });

  it('reads 12 workloads and 13 valid policies', () => {
    assert.equal(policyFiles.length, 13);
    assert.deepEqual(model.issues, []);
    assert.equal(model.policies.length, 13);
    assert.deepEqual(matrix.groups.map((g) => g.owner.name).sort(), Object.keys(callGraph.services).sort());
  });

  it('every documented call is allowed, on exactly the container port the call-graph gives (frontend: every port)', () => {
    for (const edge of callGraph.edges) {
      const ports = matrixPorts(matrix, index(edge.from), index(edge.to));
      assert.ok(ports.has('TCP', edge.target_port), `${edge.from} → ${edge.to}`);
      assert.equal(ports.toString(), edge.to === 'frontend' ? 'all' : `TCP:${edge.target_port}`, `${edge.from} → ${edge.to}`);
    }
  });

  it('the only other connections go to frontend, on every port, from every workload (its `ingress: [{}]`)', () => {
    const documented = new Set(callGraph.edges.map((e) => `${e.from} → ${e.to}`));
    const others = [];
    for (const edge of matrixEdges(matrix)) {
      const key = `${matrix.groups[edge.from]!.owner.name} → ${matrix.groups[edge.to]!.owner.name}`;
      if (documented.has(key)) continue;
      others.push(key);
      assert.equal(matrix.groups[edge.to]!.owner.name, 'frontend', `undocumented connection ${key}`);
      assert.equal(edge.ports.toString(), 'all');
    }
    // 12 workloads (frontend too) reach frontend; loadgenerator → frontend is documented, the other 11 are not.
    assert.equal(others.length, 11);
    assert.equal(callGraph.edges.length, 16);
  });

  it('denies what PROVENANCE.md says must be denied', () => {
    assert.equal(matrixPorts(matrix, index('frontend'), index('paymentservice')).isEmpty(), true);
    assert.equal(matrixPorts(matrix, index('loadgenerator'), index('cartservice')).isEmpty(), true);
    assert.equal(matrix.rows.every((row) => !row.to.includes(index('loadgenerator'))), true, 'loadgenerator admits nothing');
  });

  it('from outside the cluster only frontend is reachable; every workload may reach outside', () => {
    for (const [i, group] of matrix.groups.entries()) {
      const inbound = matrix.fromExternal[i]!.map((a) => `${a.addresses} ${a.ports}`);
      assert.deepEqual(inbound, group.owner.name === 'frontend' ? ['0.0.0.0/0, ::/0 all'] : [], group.id);
      assert.deepEqual(matrix.toExternal[i]!.map((a) => `${a.addresses} ${a.ports}`), ['0.0.0.0/0, ::/0 all'], group.id);
    }
  });

  it('explain follows the emailservice Service from port 5000 to target port 8080 and names the deciding rule', () => {
    const explanation = explainConnection(model, resolveEndpoint(model, 'checkoutservice'), resolveEndpoint(model, 'svc/emailservice'), 5000, 'TCP');
    assert.equal(explanation.allowed, 'yes');
    const [only] = explanation.cases;
    assert.equal(only!.port, 8080);
    assert.ok(only!.verdict!.ingress.isolated);
    const matching = only!.verdict!.ingress.rules.filter((r) => r.matches).map((r) => `${r.policy.name} ingress[${r.rule.index}] peer ${r.peer} port ${r.port}`);
    assert.deepEqual(matching, ['emailservice ingress[0] peer 0 port 0']);
    const denied = explainConnection(model, resolveEndpoint(model, 'frontend'), resolveEndpoint(model, 'svc/emailservice'), 5000, 'TCP');
    assert.equal(denied.allowed, 'no');
  });

  it('diff: the component closes every undocumented connection and opens none', async () => {
    const diff = diffReach(reachMatrix(buildNetworkModel(workloads)), matrix);
    assert.deepEqual(diff.edges.filter((e) => !e.opened.isEmpty()), []);
    // 144 ordered pairs: 12 into frontend unchanged; the 15 other documented calls narrowed to one port; 117 closed.
    assert.equal(diff.edges.length, 132);
    assert.equal(diff.edges.filter((e) => e.closed.isAll()).length, 117);
    // From outside: every workload but frontend closed.
    assert.deepEqual(diff.external.map((c) => `${c.direction} ${c.group}`).sort(), matrix.groups.filter((g) => g.owner.name !== 'frontend').map((g) => `ingress ${g.id}`).sort());
  });

  it('diff: dropping the emailservice policy closes checkoutservice → emailservice 8080 and all of emailservice\'s egress (deny-all still isolates it)', async () => {
    const without = await objects(policyFiles.filter((f) => !f.endsWith('network-policy-emailservice.yaml')));
    const diff = diffReach(matrix, reachMatrix(buildNetworkModel([...workloads, ...without])));
    assert.deepEqual(
      diff.edges.map((e) => [e.from, e.to, e.opened.toString(), e.closed.toString()]),
      [
        ['default/Deployment/checkoutservice', 'default/Deployment/emailservice', 'none', 'TCP:8080'],
        // Its `egress: [{}]` went with it: emailservice may no longer send anywhere, frontend included.
        ['default/Deployment/emailservice', 'default/Deployment/frontend', 'none', 'all'],
      ],
    );
    assert.deepEqual(diff.external.map((c) => [c.direction, c.group, c.closed.map((a) => `${a.addresses} ${a.ports}`)]), [['egress', 'default/Deployment/emailservice', ['0.0.0.0/0, ::/0 all']]]);
  });
});

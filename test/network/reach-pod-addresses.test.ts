/**
 * Pod groups carry their pods' addresses, and pods an ipBlock tells apart are never in one group: `netpol reach`'s
 * matrix (one cell per pair of groups) equals the per-connection verdict for every pair of pods, each with its own
 * addresses, also when ipBlocks (cidr and except) and AdminNetworkPolicy `networks` peers cut through the replicas of
 * a Deployment. Checked on random clusters (fast-check) and on the cases the real-dataplane rig found.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { KubeObject } from '../../src/core/model/resource.js';
import { workloadOf } from '../../src/core/k8s/workload.js';
import type { Endpoint, NetworkModel, PodNetwork, Protocol } from '../../src/network/index.js';
import { buildNetworkModel, evaluateConnection, explainConnection, parseNetworkPolicy, policyList, resolveEndpoint, parseIpAddress, podNetworkOf, Reachability, reachMatrix, matrixPorts } from '../../src/network/index.js';
import { podAddressesOf } from '../../src/network/pod-addresses.js';
import { replayEdge } from '../../src/network/flows/replay.js';
import { namespace, policy } from './netpol-fixtures.js';

const NAMESPACES = ['a', 'b'];
const PROBES: [number, Protocol][] = [
  [80, 'TCP'],
  [8080, 'TCP'],
  [53, 'UDP'],
];
/** Pod addresses: a /28 of IPv4 and a few IPv6 ones, so that random blocks cut between them. */
const V4 = Array.from({ length: 12 }, (_, i) => `10.0.0.${i + 1}`);
const V6 = ['fd00::1', 'fd00::2', 'fd00::11'];
const EXTERNAL = ['10.0.0.99', '203.0.113.1', 'fd00::99'];

const cidr = fc.oneof(
  fc.constantFrom('0.0.0.0/0', '10.0.0.0/8', '10.0.0.0/28', '10.0.0.0/29', '10.0.0.8/29', '10.0.0.4/30', '::/0', 'fd00::/124', 'fd00::/64'),
  fc.constantFrom(...V4, ...V6).map((ip) => (ip.includes(':') ? `${ip}/128` : `${ip}/32`)),
);
/** A block with excepts inside it (the API server rejects others). */
const ipBlock = cidr.chain((block) => {
  const [base, bits] = block.split('/');
  const family = base!.includes(':') ? 6 : 4;
  const inside = [...V4, ...V6].filter((ip) => (ip.includes(':') ? 6 : 4) === family && contains(block, ip) && Number(bits) < (family === 4 ? 32 : 128));
  const excepts = [...inside.map((ip) => (family === 4 ? `${ip}/32` : `${ip}/128`)), ...(family === 4 && Number(bits) < 30 && contains(block, '10.0.0.4') ? ['10.0.0.4/30'] : [])];
  return fc.subarray(excepts, { maxLength: Math.min(2, excepts.length) }).map((except) => ({ cidr: block, ...(except.length > 0 ? { except } : {}) }));
});

function contains(block: string, ip: string): boolean {
  const [base, bits] = block.split('/');
  const a = parseIpAddress(base!)!;
  const b = parseIpAddress(ip)!;
  if (a.family !== b.family) return false;
  const width = BigInt(a.family === 4 ? 32 : 128);
  const shift = width - BigInt(Number(bits));
  return a.value >> shift === b.value >> shift;
}

const selector = fc.oneof(fc.constant({}), fc.constantFrom('web', 'api').map((app) => ({ matchLabels: { app } })));
const peer = fc.oneof(
  { weight: 1, arbitrary: selector.map((podSelector) => ({ podSelector })) },
  { weight: 1, arbitrary: fc.constant({ namespaceSelector: {} }) },
  { weight: 4, arbitrary: ipBlock.map((block) => ({ ipBlock: block })) },
);
const port = fc.oneof(fc.record({ port: fc.constantFrom(80, 8080) }), fc.record({ protocol: fc.constant('UDP'), port: fc.constantFrom(53, 'dns') }));
const rule = (direction: 'from' | 'to') =>
  fc.record({ peers: fc.option(fc.array(peer, { minLength: 1, maxLength: 3 }), { nil: undefined }), ports: fc.option(fc.array(port, { maxLength: 2 }), { nil: undefined }) }).map((r) => ({
    ...(r.peers ? { [direction]: r.peers } : {}),
    ...(r.ports ? { ports: r.ports } : {}),
  }));
const policySpec = fc.record({
  podSelector: selector,
  policyTypes: fc.subarray(['Ingress', 'Egress'], { minLength: 1 }),
  ingress: fc.array(rule('from'), { maxLength: 2 }),
  egress: fc.array(rule('to'), { maxLength: 2 }),
});

/** A pod: its addresses (none: pending), whether it runs on the host's network (it then has the node's address). */
const podShape = fc.record({
  addresses: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...V4).map((ip) => [ip]) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...V4), fc.constantFrom(...V6)).map(([v4, v6]) => [v4, v6]) },
    { weight: 1, arbitrary: fc.constant([] as string[]) },
  ),
  hostNetwork: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});
const deployment = fc.record({
  ns: fc.constantFrom(...NAMESPACES),
  app: fc.constantFrom('web', 'api', 'db'),
  http: fc.constantFrom(80, 8080),
  pods: fc.array(podShape, { minLength: 1, maxLength: 4 }),
});
const cluster = fc.record({
  deployments: fc.array(deployment, { minLength: 1, maxLength: 4 }),
  policies: fc.array(fc.tuple(fc.constantFrom(...NAMESPACES), policySpec), { maxLength: 3 }),
  adminNetworks: fc.option(fc.array(cidr, { minLength: 1, maxLength: 2 }), { nil: undefined }),
});

type Cluster = typeof cluster extends fc.Arbitrary<infer T> ? T : never;

/** The objects a live cluster read gives: Deployments, their ReplicaSets, Pods with status.podIPs, policies. */
function objectsOf(c: Cluster): KubeObject[] {
  const objects: KubeObject[] = NAMESPACES.map((ns) => namespace(ns));
  c.deployments.forEach((d, i) => {
    const labels = { app: d.app };
    const containers = [{ name: 'c', ports: [{ name: 'http', containerPort: d.http }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] }];
    objects.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `d${i}`, namespace: d.ns, uid: `d${i}` }, spec: { template: { metadata: { labels }, spec: { containers } } } });
    objects.push({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: `d${i}-rs`, namespace: d.ns, uid: `rs${i}`, ownerReferences: [{ kind: 'Deployment', name: `d${i}`, uid: `d${i}`, controller: true }] },
      spec: { template: { metadata: { labels }, spec: { containers } } },
    });
    d.pods.forEach((p, j) => {
      objects.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `d${i}-rs-${j}`, namespace: d.ns, labels, ownerReferences: [{ kind: 'ReplicaSet', name: `d${i}-rs`, uid: `rs${i}`, controller: true }] },
        spec: { containers, ...(p.hostNetwork ? { hostNetwork: true } : {}) },
        status: p.addresses.length > 0 ? { phase: 'Running', podIP: p.addresses[0], podIPs: p.addresses.map((ip) => ({ ip })) } : { phase: 'Pending' },
      });
    });
  });
  c.policies.forEach(([ns, spec], i) => objects.push(policy(ns, `np${i}`, spec)));
  if (c.adminNetworks) {
    objects.push({
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'AdminNetworkPolicy',
      metadata: { name: 'anp' },
      spec: { priority: 1, subject: { namespaces: {} }, egress: [{ action: 'Deny', to: [{ networks: c.adminNetworks }], ports: [{ portNumber: { protocol: 'TCP', port: 8080 } }] }] },
    });
  }
  return objects;
}

/** Each Pod with its own network identity (its own addresses) and the index of the group reach puts it in. */
function podsOf(model: NetworkModel, objects: readonly KubeObject[]): { name: string; pod: PodNetwork; group: number }[] {
  return objects
    .filter((o) => o.kind === 'Pod')
    .map((o) => {
      const group = model.groups.findIndex((g) => g.objects.includes(o));
      assert.ok(group >= 0, `pod ${o.metadata?.name} is in no group`);
      const addresses = podAddressesOf(o);
      return { name: `${o.metadata?.namespace}/${o.metadata?.name}`, pod: { ...podNetworkOf(workloadOf(o)!, 'default'), ...(addresses.length > 0 ? { addresses } : {}) }, group };
    });
}

/** reach's matrix and external access, per pod, equal the per-connection verdict with the pod's own addresses. */
function assertExactPerPod(objects: KubeObject[]): void {
  const model = buildNetworkModel(objects, { podsFrom: 'pods' });
  assert.deepEqual(model.issues.map((i) => `${i.field}: ${i.message}`), []);
  const engine = new Reachability(model);
  const matrix = reachMatrix(model, engine);
  const pods = podsOf(model, objects);
  for (const from of pods) {
    for (const to of pods) {
      for (const [p, protocol] of PROBES) {
        const exact = evaluateConnection(model.lookup, { from: { kind: 'pod', pod: from.pod }, to: { kind: 'pod', pod: to.pod }, port: p, protocol }).allowed;
        assert.equal(matrixPorts(matrix, from.group, to.group).has(protocol, p), exact, `reach ${model.groups[from.group]!.id} → ${model.groups[to.group]!.id} for pods ${from.name} → ${to.name} ${p}/${protocol}`);
      }
    }
    for (const ip of EXTERNAL) {
      const address = parseIpAddress(ip)!;
      const external: Endpoint = { kind: 'external', address };
      for (const [p, protocol] of PROBES) {
        const out: boolean = evaluateConnection(model.lookup, { from: { kind: 'pod', pod: from.pod }, to: external, port: p, protocol }).allowed;
        assert.equal(matrix.toExternal[from.group]!.some((a) => a.addresses.has(address) && a.ports.has(protocol, p)), out, `${from.name} → ${ip} ${p}/${protocol}`);
        const into: boolean = evaluateConnection(model.lookup, { from: external, to: { kind: 'pod', pod: from.pod }, port: p, protocol }).allowed;
        assert.equal(matrix.fromExternal[from.group]!.some((a) => a.addresses.has(address) && a.ports.has(protocol, p)), into, `${ip} → ${from.name} ${p}/${protocol}`);
      }
    }
  }
}

describe('reach with pod addresses', () => {
  it('the matrix equals the per-connection verdict for every pod with its own addresses (fast-check: ipBlocks cutting through replicas)', () => {
    fc.assert(
      fc.property(cluster, (c) => assertExactPerPod(objectsOf(c))),
      { numRuns: 300 },
    );
  });

  const replicas = (addresses: string[], extra: KubeObject[]): NetworkModel => {
    const c: Cluster = { deployments: [{ ns: 'a', app: 'web', http: 80, pods: addresses.map((ip) => ({ addresses: [ip], hostNetwork: false })) }], policies: [], adminNetworks: undefined };
    return buildNetworkModel([...objectsOf(c), ...extra], { podsFrom: 'pods' });
  };
  const denyAllBut = (block: Record<string, unknown>) => policy('a', 'from-block', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: block }] }] });

  it('replicas no ipBlock tells apart stay one group, with all their addresses', () => {
    const model = replicas(['10.0.0.1', '10.0.0.2', '10.0.0.3'], [denyAllBut({ cidr: '10.0.0.0/24' })]);
    assert.deepEqual(model.groups.map((g) => [g.id, g.pods, g.addresses?.length]), [['a/Deployment/d0', 3, 3]]);
  });

  it('an except between replicas splits them: the group of the excepted one is denied, the others allowed', () => {
    const model = replicas(['10.0.0.1', '10.0.0.2', '10.0.0.3'], [denyAllBut({ cidr: '10.0.0.0/24', except: ['10.0.0.2/32'] })]);
    assert.deepEqual(model.groups.map((g) => [g.id, g.pods]), [['a/Deployment/d0', 2], ['a/Deployment/d0#2', 1]]);
    const engine = new Reachability(model);
    assert.ok(engine.ports(0, 1).has('TCP', 80), 'from the two replicas inside the block');
    assert.ok(!engine.ports(1, 0).has('TCP', 80), 'from the excepted replica');
    assert.ok(!engine.ports(1, 1).has('TCP', 80));
  });

  it('an ipBlock holding a pod address (not 0.0.0.0/0) matches that pod in reach (what the dataplane rig found)', () => {
    const model = buildNetworkModel(
      [
        namespace('a'),
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client', namespace: 'a', labels: { app: 'client' } }, spec: { containers: [{ name: 'c' }] }, status: { podIPs: [{ ip: '10.77.0.10' }] } },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'server', namespace: 'a', labels: { app: 'server' } }, spec: { containers: [{ name: 'c' }] }, status: { podIP: '10.77.0.11' } },
        policy('a', 'server', { podSelector: { matchLabels: { app: 'server' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.77.0.8/30' } }] }] }),
      ],
      // A `kubectl get -o yaml` dump read as manifests: bare Pods with their status.
      { podsFrom: 'templates' },
    );
    const engine = new Reachability(model);
    const [client, server] = [model.groups.findIndex((g) => g.id === 'a/Pod/client'), model.groups.findIndex((g) => g.id === 'a/Pod/server')];
    assert.ok(engine.ports(client, server).has('TCP', 80));
    assert.ok(engine.fromExternal(server).some((a) => a.addresses.has(parseIpAddress('10.77.0.9')!)), 'the rest of the block is an external peer');
    assert.ok(!engine.fromExternal(server).some((a) => a.addresses.has(parseIpAddress('10.77.0.20')!)));
  });

  it("explain takes a pod's address for that pod; an address no pod holds stays external", () => {
    const model = replicas(['10.0.0.1', '10.0.0.2'], [denyAllBut({ cidr: '10.0.0.0/24', except: ['10.0.0.2/32'] })]);
    const pod = resolveEndpoint(model, '10.0.0.2');
    assert.equal(pod.kind, 'workload');
    assert.deepEqual(pod.kind === 'workload' ? pod.groups.map((g) => g.id) : [], ['a/Deployment/d0#2']);
    assert.equal(explainConnection(model, pod, resolveEndpoint(model, 'a/d0'), 80, 'TCP').allowed, 'no', 'the excepted replica is denied');
    assert.equal(explainConnection(model, resolveEndpoint(model, '10.0.0.1'), resolveEndpoint(model, '10.0.0.2'), 80, 'TCP').allowed, 'yes');
    assert.deepEqual(resolveEndpoint(model, '10.0.0.3'), { kind: 'external', text: '10.0.0.3', address: parseIpAddress('10.0.0.3') });
  });

  it('replaying policies other than the model\'s splits a group by their ipBlocks: an edge from replicas on both sides of an except is partly allowed', () => {
    const model = replicas(['10.0.0.1', '10.0.0.2'], []);
    assert.equal(model.groups.length, 1, 'no policy of the model tells the replicas apart');
    const web = model.groups[0]!;
    const proposed = parseNetworkPolicy(policy('a', 'egress', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24', except: ['10.0.0.2/32'] } }] }] }), 'default').policy!;
    const workload = { id: 'a/Deployment/d0', namespace: 'a', kind: 'Deployment', name: 'd0', groups: [web] };
    const end = { type: 'workload' as const, namespace: 'a', kind: 'Deployment', name: 'd0' };
    const edge = { from: end, to: end, protocol: 'TCP' as const, port: 80, count: 1 };
    const lookup = policyList([proposed], (ns) => ({ 'kubernetes.io/metadata.name': ns }));
    const exact = replayEdge(edge, new Map([[workload.id, workload]]), lookup, { policies: [proposed] });
    assert.deepEqual([exact.allowed, exact.partly], [false, true], 'the replica at 10.0.0.2 is an excepted destination');
  });
});

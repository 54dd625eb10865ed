/**
 * Laws of NetworkPolicy semantics, checked on random clusters and policy sets (fast-check):
 * - the indexed engine (Reachability) and the per-connection evaluation agree on every pair, port and external address;
 * - union monotonicity: once every pod is isolated, adding a policy only ever adds connections; a policy without rules
 *   only ever removes them;
 * - peers: separate peers are ORed (a rule with peers [p, q] allows what two rules [p] and [q] allow), and a peer with
 *   both selectors is the AND of its namespaceSelector and its podSelector;
 * - policyTypes defaulting: absent policyTypes mean [Ingress], plus Egress when there are egress rules;
 * - order independence, and the diff of two matrices is exactly their set difference.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { KubeObject } from '../../src/core/model/resource.js';
import type { Endpoint, NetworkModel, NetworkPolicyPeer, Protocol } from '../../src/network/index.js';
import {
  buildNetworkModel,
  diffReach,
  evaluateConnection,
  matrixPorts,
  parseIpAddress,
  parseNetworkPolicy,
  peerMatches,
  Reachability,
  reachMatrix,
} from '../../src/network/index.js';
import { policy } from './netpol-fixtures.js';

const RUNS = 150;
const NAMESPACES = ['a', 'b', 'c'];
const PROBES: [number, Protocol][] = [
  [53, 'UDP'],
  [80, 'TCP'],
  [81, 'TCP'],
  [8080, 'TCP'],
  [53, 'SCTP'],
];
const EXTERNAL = ['10.1.2.3', '203.0.113.1', '2001:db8::1'];

const labelSet = fc.record({ app: fc.constantFrom('web', 'api', 'db'), tier: fc.option(fc.constantFrom('front', 'back'), { nil: undefined }) }).map((l) => {
  const labels: Record<string, string> = { app: l.app };
  if (l.tier) labels['tier'] = l.tier;
  return labels;
});

const selector = fc.oneof(
  fc.constant({}),
  labelSet.map((labels) => ({ matchLabels: { app: labels['app']! } })),
  fc.record({ key: fc.constantFrom('app', 'tier', 'team'), operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist'), values: fc.subarray(['web', 'api', 'front', 'red'], { minLength: 1 }) }).map((req) => ({
    matchExpressions: [req.operator === 'Exists' || req.operator === 'DoesNotExist' ? { key: req.key, operator: req.operator } : req],
  })),
);

const namespaceSelector = fc.oneof(fc.constant({}), fc.constantFrom(...NAMESPACES).map((ns) => ({ matchLabels: { 'kubernetes.io/metadata.name': ns } })), fc.constant({ matchLabels: { team: 'red' } }));

const peer = fc.oneof(
  fc.record({ podSelector: selector }),
  fc.record({ namespaceSelector }),
  fc.record({ podSelector: selector, namespaceSelector }),
  fc.constantFrom(
    { ipBlock: { cidr: '0.0.0.0/0' } },
    { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } },
    { ipBlock: { cidr: '10.0.0.0/8' } },
    { ipBlock: { cidr: '::/0' } },
    { ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8::/64'] } },
  ),
);

const port = fc.oneof(
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP', 'SCTP') }),
  fc.record({ port: fc.constantFrom(53, 80, 8080) }),
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP'), port: fc.constantFrom(53, 80), endPort: fc.constantFrom(81, 8080) }),
  fc.record({ port: fc.constantFrom('http', 'dns', 'admin') }),
  fc.record({ protocol: fc.constant('UDP'), port: fc.constant('dns') }),
);

const rule = (direction: 'from' | 'to') =>
  fc.record({ peers: fc.option(fc.array(peer, { maxLength: 3 }), { nil: undefined }), ports: fc.option(fc.array(port, { maxLength: 2 }), { nil: undefined }) }).map((r) => {
    const out: Record<string, unknown> = {};
    if (r.peers) out[direction] = r.peers;
    if (r.ports) out['ports'] = r.ports;
    return out;
  });

const policySpec = fc
  .record({
    podSelector: selector,
    policyTypes: fc.option(fc.subarray(['Ingress', 'Egress'], { minLength: 1 }), { nil: undefined }),
    ingress: fc.option(fc.array(rule('from'), { maxLength: 2 }), { nil: undefined }),
    egress: fc.option(fc.array(rule('to'), { maxLength: 2 }), { nil: undefined }),
  })
  .map((spec) => Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)));

const policyObject = fc.tuple(fc.constantFrom(...NAMESPACES), policySpec).map(([ns, spec]) => ({ ns, spec }));

const podObject = fc.record({
  ns: fc.constantFrom(...NAMESPACES),
  labels: labelSet,
  http: fc.constantFrom(80, 8080, undefined),
  dns: fc.boolean(),
  // About one pod in ten on the host network.
  hostNetwork: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});

const cluster = fc.record({
  pods: fc.array(podObject, { minLength: 2, maxLength: 6 }),
  policies: fc.array(policyObject, { maxLength: 5 }),
  redTeam: fc.subarray(NAMESPACES),
});

const adminPeer = (direction: 'from' | 'to') =>
  fc.oneof(
    fc.record({ namespaces: namespaceSelector }),
    fc.record({ pods: fc.record({ namespaceSelector, podSelector: selector }) }),
    ...(direction === 'to' ? [fc.constantFrom({ networks: ['0.0.0.0/0'] }, { networks: ['10.0.0.0/8', '2001:db8::/32'] }, { networks: ['::/0'] })] : []),
  );
const adminPort = fc.oneof(
  fc.record({ portNumber: fc.record({ protocol: fc.constantFrom('TCP', 'UDP'), port: fc.constantFrom(53, 80, 8080) }) }),
  fc.record({ portRange: fc.record({ protocol: fc.constantFrom('TCP', 'SCTP'), start: fc.constant(50), end: fc.constantFrom(81, 9000) }) }),
  fc.record({ namedPort: fc.constantFrom('http', 'dns') }),
);
const adminRule = (direction: 'from' | 'to', actions: string[]) =>
  fc.record({ action: fc.constantFrom(...actions), peers: fc.array(adminPeer(direction), { minLength: 1, maxLength: 2 }), ports: fc.option(fc.array(adminPort, { minLength: 1, maxLength: 2 }), { nil: undefined }) }).map((r) => ({
    action: r.action,
    [direction]: r.peers,
    ...(r.ports ? { ports: r.ports } : {}),
  }));
const adminSpec = (actions: string[]) =>
  fc.record({
    subject: fc.oneof(fc.record({ namespaces: namespaceSelector }), fc.record({ pods: fc.record({ namespaceSelector, podSelector: selector }) })),
    ingress: fc.array(adminRule('from', actions), { maxLength: 2 }),
    egress: fc.array(adminRule('to', actions), { maxLength: 2 }),
  });
const adminObjects = fc
  .record({ anps: fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), adminSpec(['Allow', 'Deny', 'Pass'])), { maxLength: 3 }), banp: fc.option(adminSpec(['Allow', 'Deny']), { nil: undefined }) })
  .map(({ anps, banp }) => [
    ...anps.map(([priority, spec], i) => ({ apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name: `anp-${i}` }, spec: { priority, ...spec } }) as KubeObject),
    ...(banp ? [{ apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'BaselineAdminNetworkPolicy', metadata: { name: 'default' }, spec: banp } as KubeObject] : []),
  ]);

type Cluster = { pods: { ns: string; labels: Record<string, string>; http: number | undefined; dns: boolean; hostNetwork: boolean }[]; policies: { ns: string; spec: Record<string, unknown> }[]; redTeam: string[] };

function objectsOf(c: Cluster, extra: { ns: string; spec: Record<string, unknown> }[] = []): KubeObject[] {
  const objects: KubeObject[] = NAMESPACES.map((ns) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: c.redTeam.includes(ns) ? { team: 'red' } : ({} as Record<string, string>) } }));
  c.pods.forEach((p, i) => {
    const ports: Record<string, unknown>[] = [];
    if (p.http) ports.push({ name: 'http', containerPort: p.http });
    if (p.dns) ports.push({ name: 'dns', containerPort: 53, protocol: 'UDP' });
    objects.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: p.ns, labels: p.labels }, spec: { hostNetwork: p.hostNetwork, containers: [{ name: 'c', ports }] } });
  });
  [...c.policies, ...extra].forEach((p, i) => objects.push(policy(p.ns, `np${i}`, p.spec)));
  return objects;
}

function endpoints(model: NetworkModel): { name: string; endpoint: Endpoint; index?: number }[] {
  return [
    ...model.groups.map((g, index) => ({ name: g.id, endpoint: { kind: 'pod', pod: g } as Endpoint, index })),
    ...EXTERNAL.map((ip) => ({ name: ip, endpoint: { kind: 'external', address: parseIpAddress(ip)! } as Endpoint })),
  ];
}

/** Every allowed (from, to, port) of a model, by the per-connection evaluation. */
function allowedSet(model: NetworkModel): Set<string> {
  const out = new Set<string>();
  const ends = endpoints(model);
  for (const from of ends) {
    for (const to of ends) {
      if (from.endpoint.kind === 'external' && to.endpoint.kind === 'external') continue;
      for (const [p, protocol] of PROBES) {
        if (evaluateConnection(model.lookup, { from: from.endpoint, to: to.endpoint, port: p, protocol }).allowed) out.add(`${from.name} ${to.name} ${p}/${protocol}`);
      }
    }
  }
  return out;
}

/** The indexed engine and the per-connection evaluation give the same answer for every pair, port and address. */
function assertAgreement(model: NetworkModel): void {
  assert.deepEqual(model.issues.map((i) => `${i.field}: ${i.message}`), []);
  const engine = new Reachability(model);
  for (const from of endpoints(model)) {
    for (const to of endpoints(model)) {
      if (from.endpoint.kind === 'external' && to.endpoint.kind === 'external') continue;
      for (const [p, protocol] of PROBES) {
        const verdict = evaluateConnection(model.lookup, { from: from.endpoint, to: to.endpoint, port: p, protocol }).allowed;
        let fast: boolean;
        if (from.index !== undefined && to.index !== undefined) fast = engine.ports(from.index, to.index).has(protocol, p);
        else {
          const access = from.index === undefined ? engine.fromExternal(to.index!) : engine.toExternal(from.index);
          const address = parseIpAddress(from.index === undefined ? from.name : to.name)!;
          fast = access.some((a) => a.addresses.has(address) && a.ports.has(protocol, p));
        }
        assert.equal(fast, verdict, `${from.name} → ${to.name} ${p}/${protocol}`);
      }
    }
  }
  // The matrix (destination by destination) gives the cells engine.ports gives.
  const matrix = reachMatrix(model, engine);
  for (let i = 0; i < model.groups.length; i++) for (let j = 0; j < model.groups.length; j++) assert.ok(matrixPorts(matrix, i, j).equals(engine.ports(i, j)));
}

const subset = (a: Set<string>, b: Set<string>) => [...a].filter((x) => !b.has(x));

describe('NetworkPolicy laws (fast-check)', () => {
  it('the indexed engine agrees with the per-connection evaluation everywhere (pods and external addresses)', () => {
    fc.assert(
      fc.property(cluster, (c) => assertAgreement(buildNetworkModel(objectsOf(c)))),
      { numRuns: RUNS },
    );
  });

  it('with AdminNetworkPolicies and a BaselineAdminNetworkPolicy too', () => {
    fc.assert(
      fc.property(cluster, adminObjects, (c, admin) => assertAgreement(buildNetworkModel([...objectsOf(c), ...admin]))),
      { numRuns: RUNS },
    );
  });

  it('once every pod is isolated both ways, adding any policy only adds connections', () => {
    fc.assert(
      fc.property(cluster, policyObject, (c, extra) => {
        const denyAll = NAMESPACES.map((ns) => ({ ns, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } }));
        const before = allowedSet(buildNetworkModel(objectsOf(c, denyAll)));
        const after = allowedSet(buildNetworkModel(objectsOf(c, [...denyAll, extra])));
        assert.deepEqual(subset(before, after), []);
      }),
      { numRuns: RUNS },
    );
  });

  it('adding a policy without rules only removes connections', () => {
    fc.assert(
      fc.property(cluster, fc.constantFrom(...NAMESPACES), selector, fc.subarray(['Ingress', 'Egress'], { minLength: 1 }), (c, ns, podSelector, policyTypes) => {
        const before = allowedSet(buildNetworkModel(objectsOf(c)));
        const after = allowedSet(buildNetworkModel(objectsOf(c, [{ ns, spec: { podSelector, policyTypes } }])));
        assert.deepEqual(subset(after, before), []);
      }),
      { numRuns: RUNS },
    );
  });

  it('separate peers are ORed: one rule [p, q] allows what rules [p] and [q] allow', () => {
    fc.assert(
      fc.property(cluster, fc.constantFrom(...NAMESPACES), selector, peer, peer, fc.option(fc.array(port, { maxLength: 2 }), { nil: undefined }), (c, ns, podSelector, p, q, ports) => {
        const rule = (peers: unknown[]) => ({ from: peers, ...(ports ? { ports } : {}) });
        const together = allowedSet(buildNetworkModel(objectsOf(c, [{ ns, spec: { podSelector, ingress: [rule([p, q])] } }])));
        const apart = allowedSet(buildNetworkModel(objectsOf(c, [{ ns, spec: { podSelector, ingress: [rule([p]), rule([q])] } }])));
        assert.deepEqual([...together].sort(), [...apart].sort());
      }),
      { numRuns: RUNS },
    );
  });

  it('a peer with both selectors matches exactly the pods both its namespaceSelector and its podSelector (in any namespace) match', () => {
    fc.assert(
      fc.property(cluster, fc.constantFrom(...NAMESPACES), selector, namespaceSelector, (c, ns, podSelector, nsSelector) => {
        const model = buildNetworkModel(objectsOf(c));
        const compile = (from: Record<string, unknown>) => {
          const parsed = parseNetworkPolicy(policy(ns, 'p', { ingress: [{ from: [from] }] }), 'default').policy!;
          return { policy: parsed, peer: parsed.ingress[0]!.peers![0] as NetworkPolicyPeer };
        };
        const both = compile({ podSelector, namespaceSelector: nsSelector });
        const onlyNamespaces = compile({ namespaceSelector: nsSelector });
        const podsAnywhere = compile({ podSelector, namespaceSelector: {} });
        for (const group of model.groups) {
          const endpoint: Endpoint = { kind: 'pod', pod: group };
          assert.equal(
            peerMatches(model.lookup, both.policy, both.peer, endpoint),
            peerMatches(model.lookup, onlyNamespaces.policy, onlyNamespaces.peer, endpoint) && peerMatches(model.lookup, podsAnywhere.policy, podsAnywhere.peer, endpoint),
            group.id,
          );
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('absent policyTypes mean [Ingress] plus Egress when egress has rules', () => {
    fc.assert(
      fc.property(cluster, policyObject, (c, p) => {
        const { policyTypes: _ignored, ...spec } = p.spec;
        const egress = spec['egress'];
        const explicit = { ...spec, policyTypes: Array.isArray(egress) && egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'] };
        const implicit = allowedSet(buildNetworkModel(objectsOf(c, [{ ns: p.ns, spec }])));
        const written = allowedSet(buildNetworkModel(objectsOf(c, [{ ns: p.ns, spec: explicit }])));
        assert.deepEqual([...implicit].sort(), [...written].sort());
      }),
      { numRuns: RUNS },
    );
  });

  it('policy order does not matter, and the diff of two matrices is their exact difference', () => {
    fc.assert(
      fc.property(cluster, fc.array(policyObject, { maxLength: 3 }), (c, changes) => {
        const forward = buildNetworkModel(objectsOf(c));
        const reversed = buildNetworkModel(objectsOf({ ...c, policies: [...c.policies].reverse() }));
        const same = diffReach(reachMatrix(forward), reachMatrix(reversed));
        assert.deepEqual([same.edges, same.external], [[], []]);

        const changed = buildNetworkModel(objectsOf(c, changes));
        const [a, b] = [reachMatrix(forward), reachMatrix(changed)];
        const diff = diffReach(a, b);
        for (let i = 0; i < a.groups.length; i++) {
          for (let j = 0; j < a.groups.length; j++) {
            const [before, after] = [matrixPorts(a, i, j), matrixPorts(b, i, j)];
            const change = diff.edges.find((e) => e.from === a.groups[i]!.id && e.to === a.groups[j]!.id);
            if (before.equals(after)) assert.equal(change, undefined);
            else {
              assert.ok(change);
              assert.ok(change.opened.equals(after.subtract(before)));
              assert.ok(change.closed.equals(before.subtract(after)));
            }
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});

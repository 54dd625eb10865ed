/**
 * Policy generation from observed edges (src/network/generate): what the policies say and how they read, that the
 * replay of every observed flow passes, that nothing else between workloads is allowed (property-tested against the
 * reachability engine), determinism, the Cilium dialect, and the failures generation must own up to.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FlowRecord } from '../../../src/core/model/flow-record.js';
import type { KubeObject } from '../../../src/core/model/resource.js';
import { buildNetworkModel, parseNetworkPolicy, PortSet, Reachability } from '../../../src/network/index.js';
import type { Protocol } from '../../../src/network/index.js';
import { generatePolicies } from '../../../src/network/generate/generate-policies.js';
import { PlanError } from '../../../src/network/generate/policy-plan.js';
import { deployment, flow } from '../flows/flow-fixtures.js';
import { clusterFlows, clusterObjects, observe } from './generate-fixture.js';

function generate(objects: KubeObject[], flows: FlowRecord[], options: Parameters<typeof generatePolicies>[3] = {}) {
  const { model, observation } = observe(objects, flows);
  return { observation, ...generatePolicies(observation, model, objects, options) };
}

const CART_POLICY = `# Deployment/shop/cart: allows the traffic observed in flows (aspis netpol generate); the namespace's default-deny denies the rest.

apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: cart
  namespace: shop
  labels:
    app.kubernetes.io/managed-by: aspis
spec:
  podSelector:
    matchLabels:
      app: cart
  policyTypes:
  - Ingress
  - Egress
  ingress:
  # Deployment/shop/web → Deployment/shop/cart TCP/7070 via Service shop/cart:80: 101 flows, 2026-05-01T10:00:01Z … 2026-05-01T12:00:00Z
  - from:
    - podSelector:
        matchLabels:
          app: web
    ports:
    - protocol: TCP
      port: grpc
  egress:
  # cluster DNS: the workload sends traffic, and Service names must resolve
  - to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
      podSelector:
        matchLabels:
          k8s-app: kube-dns
    ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
  # Deployment/shop/cart → 192.0.2.1 TCP/80: 1 flow, at 2026-05-01T10:00:05Z
  - to:
    - ipBlock:
        cidr: 192.0.2.1/32
    ports:
    - protocol: TCP
      port: 80
  # Deployment/shop/cart → 198.51.100.7 TCP/443: 3 flows, at 2026-05-01T10:00:03Z
  # Deployment/shop/cart → 198.51.100.8 TCP/443: 2 flows, at 2026-05-01T10:00:04Z
  - to:
    - ipBlock:
        cidr: 198.51.100.7/32
    - ipBlock:
        cidr: 198.51.100.8/32
    ports:
    - protocol: TCP
      port: 443
  # Deployment/shop/cart → StatefulSet/billing/ledger TCP/5432: 7 flows, at 2026-05-01T10:00:02Z
  - to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: billing
      podSelector:
        matchLabels:
          app: ledger
    ports:
    - protocol: TCP
      port: pg
`;

describe('generated NetworkPolicies', () => {
  const result = generate(clusterObjects, clusterFlows);

  it('per namespace with traffic a default deny, per workload with traffic one policy; kube-system is left alone', () => {
    assert.deepEqual(
      result.output.map((p) => `${p.namespace}/${p.name}`),
      ['billing/default-deny', 'billing/ledger', 'shop/default-deny', 'shop/cart', 'shop/web'],
    );
    assert.deepEqual(result.output.find((p) => p.name === 'default-deny')!.object['spec'], { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    assert.match(result.output[2]!.yaml, /^# No traffic was observed for shop\/CronJob\/report: all of it is denied\.$/m);
  });

  it('reads as the observed traffic: stable selectors, named ports, Services resolved, external /32 blocks, DNS, each rule with the flows behind it', () => {
    assert.equal(result.output.find((p) => p.name === 'cart')!.yaml, CART_POLICY);
  });

  it('the cluster DNS flows justify the DNS rule; an observed source outside the cluster becomes an ipBlock', () => {
    const web = result.output.find((p) => p.name === 'web')!;
    assert.match(web.yaml, /# cluster DNS: the workload sends traffic, and Service names must resolve\n {2}# Deployment\/shop\/web → Deployment\/kube-system\/coredns UDP\/53: 50 flows/);
    assert.deepEqual((web.object['spec'] as { ingress: unknown[] }).ingress, [{ from: [{ ipBlock: { cidr: '203.0.113.9/32' } }], ports: [{ protocol: 'TCP', port: 'http' }] }]);
  });

  it('every policy is one the API server accepts', () => {
    for (const policy of result.output) assert.deepEqual(parseNetworkPolicy(policy.object, 'default').issues, [], `${policy.namespace}/${policy.name}`);
  });

  it('replays every observed flow as allowed', () => {
    assert.deepEqual([result.replay.deniedFlows, result.replay.deniedEdges, result.replay.allowedEdges], [0, 0, result.observation.edges.length]);
    assert.equal(result.replay.allowedFlows, 169);
  });

  it('is deterministic: the same flows in another order, or read twice, give the same text', () => {
    const shuffled = generate(clusterObjects, [...clusterFlows].reverse());
    assert.deepEqual(
      shuffled.output.map((p) => p.yaml),
      result.output.map((p) => p.yaml),
    );
  });

  it('aggregates external peers to a prefix on request', () => {
    const aggregated = generate(clusterObjects, clusterFlows, { externalPrefix: { v4: 24, v6: 64 } });
    const cart = aggregated.output.find((p) => p.name === 'cart')!;
    assert.match(cart.yaml, /- ipBlock:\n {8}cidr: 198\.51\.100\.0\/24\n {4}ports:/);
    assert.match(cart.yaml, /cidr: 192\.0\.2\.0\/24/);
    assert.equal(aggregated.replay.deniedFlows, 0);
  });

  it('narrows an aggregated block until it holds no pod address, so a coarse prefix never opens traffic to pods', () => {
    // A Pod (say a hostNetwork-free pod on a routable range) at 198.51.100.200: the /24 around 198.51.100.7 would hold it.
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'edge', namespace: 'shop', labels: { app: 'edge' } },
      spec: { containers: [{ name: 'edge', image: 'edge:1' }] },
      status: { phase: 'Running', podIP: '198.51.100.200', podIPs: [{ ip: '198.51.100.200' }] },
    };
    const narrowed = generate([...clusterObjects, pod], clusterFlows, { externalPrefix: { v4: 24, v6: 64 } });
    const cart = narrowed.output.find((p) => p.name === 'cart')!;
    assert.match(cart.yaml, /cidr: 198\.51\.100\.0\/25/, 'the /24 holds the pod: narrowed to the /25 that does not');
    assert.doesNotMatch(cart.yaml, /198\.51\.100\.0\/24/);
    assert.match(cart.yaml, /cidr: 192\.0\.2\.0\/24/, 'a block without pods keeps the requested prefix');
    assert.equal(narrowed.replay.deniedFlows, 0);
  });

  it('without DNS: no DNS rule, the observed DNS flows are allowed as the ordinary edge they are', () => {
    const noDns = generate(clusterObjects, clusterFlows, { dns: false });
    assert.doesNotMatch(noDns.output.map((p) => p.yaml).join(''), /cluster DNS/);
    const egress = (noDns.output.find((p) => p.name === 'web')!.object['spec'] as { egress: { to: unknown[]; ports: unknown[] }[] }).egress;
    assert.deepEqual(egress[0], {
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [{ protocol: 'UDP', port: 'dns' }],
    });
    assert.equal(noDns.replay.deniedFlows, 0);
  });

  it('namespaces can be named; one without workloads is an error', () => {
    const onlyShop = generate(clusterObjects, clusterFlows, { namespaces: ['shop'] });
    assert.deepEqual([...new Set(onlyShop.output.map((p) => p.namespace))], ['shop']);
    // billing is not generated: cart's egress to ledger is still allowed by cart's own policy.
    assert.equal(onlyShop.replay.deniedFlows, 0);
    assert.throws(() => generate(clusterObjects, clusterFlows, { namespaces: ['nowhere'] }), PlanError);
  });

  it('as CiliumNetworkPolicies from the same plan', () => {
    const cilium = generate(clusterObjects, clusterFlows, { dialect: 'cilium' });
    assert.deepEqual(
      cilium.output.map((p) => `${p.object.kind} ${p.namespace}/${p.name}`),
      result.output.map((p) => `CiliumNetworkPolicy ${p.namespace}/${p.name}`),
    );
    assert.deepEqual(cilium.output[0]!.object['spec'], { endpointSelector: {}, ingress: [{}], egress: [{}] });
    const cart = cilium.output.find((p) => p.name === 'cart')!.object['spec'] as Record<string, unknown>;
    assert.deepEqual(cart, {
      endpointSelector: { matchLabels: { app: 'cart' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: 'grpc', protocol: 'TCP' }] }] }],
      egress: [
        { toEndpoints: [{ matchLabels: { 'k8s-app': 'kube-dns', 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }, { port: '53', protocol: 'TCP' }] }] },
        { toCIDR: ['192.0.2.1/32'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
        { toCIDR: ['198.51.100.7/32', '198.51.100.8/32'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
        { toEndpoints: [{ matchLabels: { app: 'ledger', 'k8s:io.kubernetes.pod.namespace': 'billing' } }], toPorts: [{ ports: [{ port: 'pg', protocol: 'TCP' }] }] },
      ],
    });
    // The replay proves the same plan through its NetworkPolicy rendering.
    assert.deepEqual(cilium.networkPolicies.map((p) => p.yaml), result.output.map((p) => p.yaml));
    assert.equal(cilium.replay.deniedFlows, 0);
  });
});

describe('what generation cannot do is reported, and the replay shows its effect', () => {
  it('a workload whose name no policy may carry gets none; names in comments cannot end a line or drive a terminal', () => {
    const web = deployment('shop', 'web', { app: 'web' }, [{ port: 8080 }]);
    const evil = deployment('shop', 'evil\u001b[2J\nx', { app: 'evil' });
    const end = (name: string) => ({ namespace: 'shop', workload: { kind: 'Deployment', name } });
    const result = generate([web, evil], [flow(end('evil\u001b[2J\nx'), end('web'), 8080)]);
    assert.deepEqual(result.output.map((p) => p.name), ['default-deny', 'web']);
    assert.match(result.plan.problems[0]!, /^shop\/evil\u001b\[2J\nx: the generated policy would not be valid \(metadata\.name: "evil\u001b\[2J\nx" is not an object name\): left out$/);
    const yaml = result.output.map((p) => p.yaml).join('');
    assert.doesNotMatch(yaml, /\u001b/);
    assert.match(yaml, /# Deployment\/shop\/evil\\u001b\[2J\\u000ax → Deployment\/shop\/web TCP\/8080: 1 flow/);
    // Without its own policy, the workload's egress is denied by the default deny: the replay says so.
    assert.equal(result.replay.deniedFlows, 1);
  });


  it('a workload that cannot be selected gets no policy, and its flows fail the replay', () => {
    const bare: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', namespace: 'shop' }, spec: { containers: [{ name: 'c', image: 'x' }] } };
    const web = deployment('shop', 'web', { app: 'web' }, [{ port: 8080 }]);
    const result = generate([bare, web], [flow({ namespace: 'shop', workload: { kind: 'Pod', name: 'debug' } }, { namespace: 'shop', workload: { kind: 'Deployment', name: 'web' } }, 8080)]);
    assert.deepEqual(result.plan.problems, ['shop/Pod/debug: its pods have no stable label to select them by (labels: {})']);
    assert.deepEqual(result.output.map((p) => p.name), ['default-deny', 'web']);
    assert.equal(result.replay.deniedFlows, 1);
    assert.deepEqual(result.replay.verdicts[0]!.deniedAt, ['egress']);
    assert.deepEqual(result.replay.verdicts[0]!.isolatedBy, ['shop/default-deny']);
  });
});

/** A random cluster: workloads w0…wn in one or two namespaces, each with distinct labels and one to three ports. */
const clusters = fc
  .record({
    workloads: fc.array(
      fc.record({
        namespace: fc.constantFrom('alpha', 'beta'),
        ports: fc.uniqueArray(fc.record({ port: fc.integer({ min: 1, max: 40 }).map((n) => 8000 + n), named: fc.boolean(), protocol: fc.constantFrom<Protocol>('TCP', 'UDP') }), {
          minLength: 1,
          maxLength: 3,
          selector: (p) => `${p.port}/${p.protocol}`,
        }),
      }),
      { minLength: 2, maxLength: 6 },
    ),
    edges: fc.array(fc.record({ from: fc.nat(), to: fc.nat(), port: fc.nat(), count: fc.integer({ min: 1, max: 5 }) }), { minLength: 1, maxLength: 12 }),
  })
  .map(({ workloads, edges }) => {
    const objects = workloads.map((w, i) =>
      deployment(w.namespace, `w${i}`, { app: `w${i}` }, w.ports.map((p, j) => ({ port: p.port, protocol: p.protocol, ...(p.named ? { name: `p${i}-${j}` } : {}) }))),
    );
    const flows = edges.map((e) => {
      const from = e.from % workloads.length;
      const to = e.to % workloads.length;
      const port = workloads[to]!.ports[e.port % workloads[to]!.ports.length]!;
      const end = (i: number) => ({ namespace: workloads[i]!.namespace, workload: { kind: 'Deployment', name: `w${i}` } });
      return flow(end(from), end(to), port.port, { protocol: port.protocol, count: e.count });
    });
    return { objects, flows };
  });

describe('property: the generated policies allow exactly the observed edges between workloads', () => {
  it('for random clusters and flows, reach under the generated policies equals the observed (source, destination, port) set', () => {
    fc.assert(
      fc.property(clusters, ({ objects, flows }) => {
        // Every namespace isolated (named explicitly: by default a namespace without flows is left alone).
        const namespaces = [...new Set(objects.map((o) => o.metadata!.namespace!))];
        const result = generate(objects, flows, { dns: false, namespaces });
        assert.equal(result.replay.deniedFlows, 0);
        const model = buildNetworkModel([...objects, ...result.networkPolicies.map((p) => p.object)]);
        const engine = new Reachability(model);
        // Exactly the observed ports of each pair, nothing more: no port the rules did not name, no other pair.
        const expected = new Map<string, PortSet>();
        for (const f of flows) {
          const key = `${f.source.workload!.name}>${f.destination.workload!.name}`;
          expected.set(key, (expected.get(key) ?? PortSet.NONE).union(PortSet.range(f.protocol, f.port)));
        }
        model.groups.forEach((from, i) =>
          model.groups.forEach((to, j) => {
            const key = `${from.owner.name}>${to.owner.name}`;
            const allowed = engine.ports(i, j);
            const wanted = expected.get(key) ?? PortSet.NONE;
            assert.ok(allowed.equals(wanted), `${key}: allowed ${allowed.toString()}, observed ${wanted.toString()}`);
          }),
        );
      }),
      { numRuns: 60 },
    );
  });
});

/**
 * Tricky NetworkPolicy cases, table-driven. Most are the truth tables of the upstream e2e suite
 * (kubernetes/kubernetes test/e2e/network/netpol/network_policy.go, quoted by test name): same topology (namespaces
 * x, y, z; pods a, b, c), same policies, same expected verdicts for every pair. The others cite the API reference
 * (k8s.io/api/networking/v1 NetworkPolicySpec field docs) or the concepts page
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/core/model/resource.js';
import { buildNetworkModel, evaluateConnection, explainConnection, parseIpAddress, Reachability, resolveEndpoint } from '../../src/network/index.js';
import type { Protocol } from '../../src/network/index.js';
import { allowed, e2eCluster, e2ePod, groupOf, namespace, policy, truthTable } from './netpol-fixtures.js';

const ns = (ref: string) => ref.split('/')[0]!;
const pod = (ref: string) => ref.split('/')[1]!;
const podA = (label: string) => ({ matchLabels: { pod: label } });
const nsName = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });

/**
 * A policy as the e2e generators build it (policies.go: SetSpecIngressRules / SetSpecEgressRules): each direction given
 * rules (even none) is listed in policyTypes explicitly.
 */
function e2ePolicy(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  if (spec['policyTypes']) return policy(namespace, name, spec);
  const types = ['ingress', 'egress'].filter((d) => spec[d] !== undefined).map((d) => (d === 'ingress' ? 'Ingress' : 'Egress'));
  return policy(namespace, name, { ...spec, ...(types.length > 0 ? { policyTypes: types } : { policyTypes: ['Ingress'], ingress: [] }) });
}

interface TruthCase {
  name: string;
  policies: KubeObject[];
  port: number;
  protocol?: Protocol;
  expect: (from: string, to: string) => boolean;
}

const E2E: TruthCase[] = [
  {
    name: "should support a 'default-deny-ingress' policy",
    policies: [e2ePolicy('x', 'deny-ingress', { podSelector: {} })],
    port: 80,
    expect: (_from, to) => ns(to) !== 'x',
  },
  {
    name: "should support a 'default-deny-all' policy",
    policies: [e2ePolicy('x', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })],
    port: 80,
    expect: (from, to) => ns(from) !== 'x' && ns(to) !== 'x',
  },
  {
    name: 'should enforce policy to allow traffic from pods within server namespace based on PodSelector',
    policies: [e2ePolicy('x', 'x-a-allows-x-b', { podSelector: podA('a'), ingress: [{ from: [{ podSelector: podA('b') }] }] })],
    port: 80,
    expect: (from, to) => to !== 'x/a' || from === 'x/b',
  },
  {
    name: 'should enforce policy to allow ingress traffic for a target',
    policies: [
      e2ePolicy('x', 'deny-all', { podSelector: {} }),
      e2ePolicy('x', 'allow-all-to-a', { podSelector: podA('a'), ingress: [{ from: [{ podSelector: {}, namespaceSelector: {} }] }] }),
    ],
    port: 80,
    expect: (_from, to) => ns(to) !== 'x' || to === 'x/a',
  },
  {
    name: 'should enforce policy to allow ingress traffic from pods in all namespaces',
    policies: [e2ePolicy('x', 'allow-from-another-ns', { podSelector: podA('a'), ingress: [{ from: [{ namespaceSelector: { matchLabels: {} } }] }] })],
    port: 80,
    expect: () => true,
  },
  {
    name: 'should enforce policy to allow traffic only from a different namespace, based on NamespaceSelector',
    policies: [e2ePolicy('x', 'allow-client-a-via-ns-selector', { podSelector: podA('a'), ingress: [{ from: [{ namespaceSelector: nsName('y') }] }] })],
    port: 80,
    expect: (from, to) => to !== 'x/a' || ns(from) === 'y',
  },
  {
    name: 'should enforce policy based on NamespaceSelector with MatchExpressions',
    policies: [
      e2ePolicy('x', 'allow-ns-y-match-selector', {
        podSelector: podA('a'),
        ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['y'] }] } }] }],
      }),
    ],
    port: 80,
    expect: (from, to) => to !== 'x/a' || ns(from) === 'y',
  },
  {
    name: 'should enforce policy based on PodSelector or NamespaceSelector',
    policies: [
      e2ePolicy('x', 'allow-ns-y-match-selector', {
        podSelector: podA('a'),
        ingress: [
          {
            from: [
              { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['x'] }] } },
              { podSelector: podA('b') },
            ],
          },
        ],
      }),
    ],
    port: 80,
    expect: (from, to) => to !== 'x/a' || from !== 'x/c',
  },
  {
    name: 'should enforce policy based on PodSelector and NamespaceSelector',
    policies: [
      e2ePolicy('x', 'allow-ns-y-podselector-and-nsselector', {
        podSelector: podA('a'),
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['x'] }] },
                podSelector: podA('b'),
              },
            ],
          },
        ],
      }),
    ],
    port: 80,
    expect: (from, to) => to !== 'x/a' || (ns(from) !== 'x' && pod(from) === 'b'),
  },
  {
    name: 'should enforce policy based on Multiple PodSelectors and NamespaceSelectors',
    policies: [
      e2ePolicy('x', 'allow-ns-y-z-pod-b-c', {
        podSelector: podA('a'),
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['x'] }] },
                podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b', 'c'] }] },
              },
            ],
          },
        ],
      }),
    ],
    port: 80,
    expect: (from, to) => to !== 'x/a' || (ns(from) !== 'x' && pod(from) !== 'a'),
  },
  {
    name: 'should enforce policy based on any PodSelectors',
    policies: [e2ePolicy('x', 'allow-ns-x-pod-b-c', { podSelector: podA('a'), ingress: [{ from: [{ podSelector: podA('b') }, { podSelector: podA('c') }] }] })],
    port: 80,
    expect: (from, to) => to !== 'x/a' || from === 'x/b' || from === 'x/c',
  },
  {
    name: 'should enforce policy based on Ports (port 81 allowed from y)',
    policies: [e2ePolicy('x', 'allow-client-a-via-ns-selector', { podSelector: podA('a'), ingress: [{ from: [{ namespaceSelector: nsName('y') }], ports: [{ port: 81, protocol: 'TCP' }] }] })],
    port: 81,
    expect: (from, to) => to !== 'x/a' || ns(from) === 'y',
  },
  {
    name: 'should enforce multiple, stacked policies with overlapping podSelectors (port 80 still denied)',
    policies: [e2ePolicy('x', 'allow-client-a-via-ns-selector', { podSelector: podA('a'), ingress: [{ from: [{ namespaceSelector: nsName('y') }], ports: [{ port: 81, protocol: 'TCP' }] }] })],
    port: 80,
    expect: (_from, to) => to !== 'x/a',
  },
  {
    name: 'should enforce multiple, stacked policies with overlapping podSelectors (a second policy unblocks port 80)',
    policies: [
      e2ePolicy('x', 'allow-client-a-via-ns-selector', { podSelector: podA('a'), ingress: [{ from: [{ namespaceSelector: nsName('y') }], ports: [{ port: 81, protocol: 'TCP' }] }] }),
      e2ePolicy('x', 'allow-client-a-via-ns-selector-80', { podSelector: podA('a'), ingress: [{ from: [{ namespaceSelector: nsName('y') }], ports: [{ port: 80, protocol: 'TCP' }] }] }),
    ],
    port: 80,
    expect: (from, to) => to !== 'x/a' || ns(from) === 'y',
  },
  {
    name: 'should allow ingress access on one named port (81 allowed)',
    policies: [e2ePolicy('x', 'allow-all', { podSelector: {}, ingress: [{ ports: [{ port: 'serve-81-tcp' }] }] })],
    port: 81,
    expect: () => true,
  },
  {
    name: 'should allow ingress access on one named port (80 denied)',
    policies: [e2ePolicy('x', 'allow-all', { podSelector: {}, ingress: [{ ports: [{ port: 'serve-81-tcp' }] }] })],
    port: 80,
    expect: (_from, to) => ns(to) !== 'x',
  },
  {
    name: 'should allow ingress access from namespace on one named port (81 blocked for all)',
    policies: [e2ePolicy('x', 'allow-client-a-via-ns-selector-80', { podSelector: podA('a'), ingress: [{ from: [{ namespaceSelector: nsName('y') }], ports: [{ port: 'serve-80-tcp', protocol: 'TCP' }] }] })],
    port: 81,
    expect: (_from, to) => to !== 'x/a',
  },
  {
    name: 'should allow egress access on one named port (80 allowed: the name resolves on each destination)',
    policies: [e2ePolicy('x', 'allow-egress', { podSelector: {}, egress: [{ ports: [{ port: 'serve-80-tcp' }] }] })],
    port: 80,
    expect: () => true,
  },
  {
    name: 'should allow egress access on one named port (81 denied)',
    policies: [e2ePolicy('x', 'allow-egress', { podSelector: {}, egress: [{ ports: [{ port: 'serve-80-tcp' }] }] })],
    port: 81,
    expect: (from) => ns(from) !== 'x',
  },
  {
    name: 'should enforce multiple egress policies with egress allow-all policy taking precedence',
    policies: [
      e2ePolicy('x', 'allow-egress-port-80', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 80 }] }] }),
      e2ePolicy('x', 'allow-egress', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] }),
    ],
    port: 81,
    expect: () => true,
  },
  {
    name: 'should enforce policies to check ingress and egress policies can be controlled independently based on PodSelector',
    policies: [
      e2ePolicy('x', 'allow-egress-for-target', { podSelector: podA('a'), policyTypes: ['Egress'], egress: [{}] }),
      e2ePolicy('x', 'deny-ingress-via-label-selector', { podSelector: podA('a'), policyTypes: ['Ingress'] }),
    ],
    port: 80,
    expect: (_from, to) => to !== 'x/a',
  },
  {
    name: 'should work with Ingress, Egress specified together',
    policies: [
      e2ePolicy('x', 'allow-client-a-via-pod-selector', {
        podSelector: podA('a'),
        ingress: [{ from: [{ podSelector: podA('b') }] }],
        egress: [{ ports: [{ port: 80 }, { protocol: 'UDP', port: 53 }] }],
        policyTypes: ['Ingress', 'Egress'],
      }),
    ],
    port: 80,
    expect: (from, to) => to !== 'x/a' || from === 'x/b',
  },
  {
    name: 'should work with Ingress, Egress specified together (port 81: x/a may not send)',
    policies: [
      e2ePolicy('x', 'allow-client-a-via-pod-selector', {
        podSelector: podA('a'),
        ingress: [{ from: [{ podSelector: podA('b') }] }],
        egress: [{ ports: [{ port: 80 }, { protocol: 'UDP', port: 53 }] }],
        policyTypes: ['Ingress', 'Egress'],
      }),
    ],
    port: 81,
    expect: (from, to) => from !== 'x/a' && (to !== 'x/a' || from === 'x/b'),
  },
  {
    name: "should not mistakenly treat 'protocol: SCTP' as 'protocol: TCP'",
    policies: [
      e2ePolicy('x', 'deny-ingress', { podSelector: {} }),
      e2ePolicy('x', 'allow-only-sctp-ingress-on-port-81', { podSelector: podA('a'), ingress: [{ ports: [{ port: 81, protocol: 'SCTP' }] }] }),
    ],
    port: 81,
    expect: (_from, to) => ns(to) !== 'x',
  },
  {
    name: 'should not mistakenly treat SCTP as TCP: SCTP itself is allowed',
    policies: [
      e2ePolicy('x', 'deny-ingress', { podSelector: {} }),
      e2ePolicy('x', 'allow-only-sctp-ingress-on-port-81', { podSelector: podA('a'), ingress: [{ ports: [{ port: 81, protocol: 'SCTP' }] }] }),
    ],
    port: 81,
    protocol: 'SCTP',
    expect: (_from, to) => ns(to) !== 'x' || to === 'x/a',
  },
  {
    name: 'should not allow access by TCP when a policy specifies only UDP',
    policies: [e2ePolicy('x', 'allow-only-udp-ingress-on-port-81', { podSelector: podA('a'), ingress: [{ ports: [{ port: 81, protocol: 'UDP' }] }] })],
    port: 81,
    expect: (_from, to) => to !== 'x/a',
  },
  {
    name: 'should enforce ingress policy allowing any port traffic to a server on a specific protocol',
    policies: [e2ePolicy('x', 'allow-ingress-by-proto', { podSelector: podA('a'), ingress: [{ ports: [{ protocol: 'TCP' }] }] })],
    port: 80,
    expect: () => true,
  },
  {
    name: 'should enforce ingress policy allowing any port traffic to a server on a specific protocol (UDP denied)',
    policies: [e2ePolicy('x', 'allow-ingress-by-proto', { podSelector: podA('a'), ingress: [{ ports: [{ protocol: 'TCP' }] }] })],
    port: 80,
    protocol: 'UDP',
    expect: (_from, to) => to !== 'x/a',
  },
  {
    name: 'should support denying of egress traffic on the client side (even if the server explicitly allows this traffic)',
    policies: [
      e2ePolicy('x', 'allow-to-ns-y-z-pod-a', {
        podSelector: podA('a'),
        policyTypes: ['Egress'],
        egress: [{ to: [{ namespaceSelector: nsName('y'), podSelector: podA('a') }] }, { to: [{ namespaceSelector: nsName('z'), podSelector: podA('a') }] }],
      }),
      e2ePolicy('y', 'allow-from-xa-on-ya-match-selector', { podSelector: podA('a'), ingress: [{ from: [{ namespaceSelector: nsName('x'), podSelector: podA('a') }] }] }),
      e2ePolicy('y', 'allow-from-xa-on-yb-match-selector', { podSelector: podA('b'), ingress: [{ from: [{ namespaceSelector: nsName('x'), podSelector: podA('a') }] }] }),
    ],
    port: 80,
    expect: (from, to) => {
      if (from === 'x/a') return to === 'y/a' || to === 'z/a';
      if (to === 'y/a' || to === 'y/b') return false; // isolated, only x/a admitted
      return true;
    },
  },
  {
    name: 'should enforce policy to allow traffic based on NamespaceSelector with MatchLabels using default ns label',
    policies: [e2ePolicy('x', 'allow-client-a-via-ns-selector-for-immutable-ns-label', { podSelector: podA('a'), ingress: [{ from: [{ namespaceSelector: nsName('y') }] }] })],
    port: 80,
    expect: (from, to) => to !== 'x/a' || ns(from) === 'y',
  },
  {
    name: 'should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector',
    policies: [e2ePolicy('x', 'allow-ns-y-pod-a-via-namespace-pod-selector', { podSelector: podA('a'), ingress: [{ from: [{ namespaceSelector: nsName('y'), podSelector: podA('a') }] }] })],
    port: 80,
    expect: (from, to) => to !== 'x/a' || from === 'y/a',
  },
];

describe('upstream e2e truth tables (test/e2e/network/netpol/network_policy.go)', () => {
  for (const c of E2E) {
    it(c.name, () => {
      assert.deepEqual(truthTable(e2eCluster(c.policies), c.port, c.protocol ?? 'TCP', c.expect), []);
    });
  }
});

describe('ipBlock matches pods by address (e2e "CIDR block" tests; addresses known as in a flow or a live pod)', () => {
  const model = e2eCluster([
    policy('x', 'allow-client-a-via-cidr-egress-rule', { podSelector: podA('a'), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.1.2/32'] } }] }] }),
  ]);
  const withAddress = (ref: string, address: string) => ({ kind: 'pod' as const, pod: { ...groupOf(model, ref), addresses: [parseIpAddress(address)!] } });
  const verdict = (to: string, address: string) =>
    evaluateConnection(model.lookup, { from: withAddress('x/a', '10.0.1.1'), to: withAddress(to, address), port: 80, protocol: 'TCP' }).allowed;
  it('should allow egress access to server in CIDR block', () => assert.equal(verdict('x/c', '10.0.1.3'), true));
  it('should enforce except clause while egress access to server in CIDR block', () => assert.equal(verdict('x/b', '10.0.1.2'), false));
  it('a destination outside the CIDR is denied', () => assert.equal(verdict('y/a', '10.1.0.1'), false));
  it('a pod whose address is unknown is held only by a whole address family (0.0.0.0/0), not by 10.0.0.0/16', () => {
    assert.equal(allowed(model, 'x/a', 'x/b', 80), false);
    const open = e2eCluster([policy('x', 'egress-anywhere-v4', { podSelector: podA('a'), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] })]);
    assert.equal(allowed(open, 'x/a', 'x/b', 80), true);
    const except = e2eCluster([policy('x', 'egress-not-private', { podSelector: podA('a'), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] }] })]);
    assert.equal(allowed(except, 'x/a', 'x/b', 80), false);
    assert.equal(allowed(except, 'x/a', '203.0.113.9', 80), true);
    assert.equal(allowed(except, 'x/a', '10.3.4.5', 80), false);
  });
});

describe('policyTypes defaulting and empty versus absent (NetworkPolicySpec field docs)', () => {
  const cases: { name: string; spec: Record<string, unknown>; ingress: boolean; egress: boolean }[] = [
    { name: 'no policyTypes, no rules: isolates ingress only', spec: { podSelector: {} }, ingress: false, egress: true },
    { name: 'no policyTypes, egress rules: isolates ingress AND egress', spec: { podSelector: {}, egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] }, ingress: false, egress: false },
    { name: 'no policyTypes, `egress: []`: egress not isolated (no rules)', spec: { podSelector: {}, egress: [] }, ingress: false, egress: true },
    { name: 'policyTypes [Egress]: ingress stays open (an Egress-only policy)', spec: { podSelector: {}, policyTypes: ['Egress'] }, ingress: true, egress: false },
    { name: 'policyTypes [Ingress] with egress rules: the egress rules are ignored', spec: { podSelector: {}, policyTypes: ['Ingress'], egress: [{}] }, ingress: false, egress: true },
    { name: '`ingress: [{}]` allows everything', spec: { podSelector: {}, ingress: [{}] }, ingress: true, egress: true },
    { name: '`from: []` is every source, like an absent from', spec: { podSelector: {}, ingress: [{ from: [], ports: [{ port: 80 }] }] }, ingress: true, egress: true },
    { name: '`ports: []` is every port', spec: { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }], ports: [] }] }, ingress: true, egress: true },
    { name: 'podSelector absent selects all pods (not a pointer in the API)', spec: { policyTypes: ['Ingress'] }, ingress: false, egress: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const model = e2eCluster([policy('x', 'p', c.spec)]);
      // x/b → x/a exercises ingress of x/a, x/a → y/a egress of x/a (y/a is open).
      assert.equal(allowed(model, 'x/b', 'x/a', 80) || allowed(model, 'y/a', 'x/a', 80), c.ingress, 'ingress');
      assert.equal(allowed(model, 'x/a', 'y/a', 80), c.egress, 'egress');
    });
  }
});

describe('ports', () => {
  it('endPort makes an inclusive range (NetworkPolicyPort.endPort)', () => {
    const model = e2eCluster([policy('x', 'range', { podSelector: podA('a'), ingress: [{ ports: [{ port: 32000, endPort: 32768 }] }] })]);
    assert.equal(allowed(model, 'y/a', 'x/a', 31999), false);
    assert.equal(allowed(model, 'y/a', 'x/a', 32000), true);
    assert.equal(allowed(model, 'y/a', 'x/a', 32768), true);
    assert.equal(allowed(model, 'y/a', 'x/a', 32769), false);
  });
  it('a named port resolves on each destination pod: same name, different numbers', () => {
    const web = (name: string, port: number): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'x' },
      spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name, tier: 'web' } }, spec: { containers: [{ name: 'c', ports: [{ name: 'http', containerPort: port }] }] } } },
    });
    const model = buildNetworkModel([web('one', 8080), web('two', 9090), policy('x', 'http-only', { podSelector: { matchLabels: { tier: 'web' } }, ingress: [{ ports: [{ port: 'http' }] }] })]);
    const engine = new Reachability(model);
    const [one, two] = [0, 1];
    assert.equal(engine.ports(one, two).toString(), 'TCP:9090');
    assert.equal(engine.ports(two, one).toString(), 'TCP:8080');
  });
  it('a named egress port never matches a destination outside the cluster (it resolves on pods only)', () => {
    const model = e2eCluster([policy('x', 'egress-named', { podSelector: podA('a'), policyTypes: ['Egress'], egress: [{ ports: [{ port: 'serve-80-tcp' }] }] })]);
    assert.equal(allowed(model, 'x/a', 'y/b', 80), true);
    assert.equal(allowed(model, 'x/a', '198.51.100.1', 80), false);
  });
  it('a named port also needs the protocol to match: serve-80-udp with protocol TCP matches nothing', () => {
    const model = e2eCluster([policy('x', 'wrong-protocol', { podSelector: podA('a'), ingress: [{ ports: [{ port: 'serve-80-udp', protocol: 'TCP' }] }] })]);
    assert.equal(allowed(model, 'y/a', 'x/a', 80, 'TCP'), false);
    assert.equal(allowed(model, 'y/a', 'x/a', 80, 'UDP'), false);
  });
});

describe('hostNetwork pods (concepts page: "NetworkPolicy and hostNetwork pods")', () => {
  const model = buildNetworkModel([
    namespace('x'),
    e2ePod('x', 'a'),
    e2ePod('x', 'node-agent', { hostNetwork: true, labels: { pod: 'b' } }),
    policy('x', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    policy('x', 'allow-b', { podSelector: podA('a'), ingress: [{ from: [{ podSelector: podA('b') }] }] }),
  ]);
  it('a policy selecting all pods does not isolate a hostNetwork pod', () => assert.equal(allowed(model, 'x/node-agent', 'x/node-agent', 80), true));
  it('a podSelector does not match a hostNetwork pod even when its labels match', () => assert.equal(allowed(model, 'x/node-agent', 'x/a', 80), false));
  it('an ipBlock for every IPv4 address matches a hostNetwork pod (its node address is IPv4 or IPv6, but some family)', () => {
    const open = buildNetworkModel([
      e2ePod('x', 'a'),
      e2ePod('x', 'node-agent', { hostNetwork: true }),
      policy('x', 'from-anywhere', { podSelector: podA('a'), ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] }),
    ]);
    assert.equal(allowed(open, 'x/node-agent', 'x/a', 80), true);
  });
});

describe('traffic with outside the cluster, IPv4 and IPv6', () => {
  const model = e2eCluster([
    policy('x', 'ingress-from-internet', {
      podSelector: podA('a'),
      ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['203.0.113.0/24'] } }, { ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:bad::/48'] } }] }],
    }),
  ]);
  const cases: [string, boolean][] = [
    ['198.51.100.7', true],
    ['203.0.113.5', false],
    ['2001:db8:1::1', true],
    ['2001:db8:bad::1', false],
    ['2001:db9::1', false],
    ['::ffff:203.0.113.5', false], // an IPv4-mapped IPv6 address is IPv6: not in 0.0.0.0/0, not in 2001:db8::/32
  ];
  for (const [address, expected] of cases) it(`${address} → x/a: ${expected ? 'allowed' : 'denied'}`, () => assert.equal(allowed(model, address, 'x/a', 443), expected));
  it('the engine gives the same addresses as one canonical entry: every port from the two blocks', () => {
    const engine = new Reachability(model);
    const access = engine.fromExternal(model.groups.indexOf(groupOf(model, 'x/a')));
    assert.equal(access.length, 1);
    assert.equal(access[0]!.ports.toString(), 'all');
    for (const [address, expected] of cases) assert.equal(access[0]!.addresses.has(parseIpAddress(address)!), expected, address);
  });
});

describe('Services: explain goes through the Service to its backends and target ports', () => {
  const deployment = (name: string, port: number): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop' },
    spec: { template: { metadata: { labels: { app: 'api', track: name } }, spec: { containers: [{ name: 'c', ports: [{ name: 'grpc', containerPort: port }] }] } } },
  });
  const objects: KubeObject[] = [
    deployment('stable', 5000),
    deployment('canary', 6000),
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'client', namespace: 'shop' }, spec: { template: { metadata: { labels: { app: 'client' } }, spec: { containers: [{ name: 'c' }] } } } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'shop' }, spec: { selector: { app: 'api' }, ports: [{ name: 'rpc', port: 80, targetPort: 'grpc' }] } },
    policy('shop', 'api', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 5000 }] }] }),
  ];
  const model = buildNetworkModel(objects);
  it('a named targetPort resolves per backend; each backend is judged on its own port', () => {
    const explanation = explainConnection(model, resolveEndpoint(model, 'client', 'shop'), resolveEndpoint(model, 'svc/shop/api'), 80, 'TCP');
    assert.equal(explanation.allowed, 'partly');
    const byBackend = Object.fromEntries(explanation.cases.map((c) => [c.destination!.owner.name, [c.port, c.verdict!.allowed]]));
    assert.deepEqual(byBackend, { canary: [6000, false], stable: [5000, true] });
  });
  it('a port the Service does not have is an error naming its ports', () => {
    assert.throws(() => explainConnection(model, resolveEndpoint(model, 'client', 'shop'), resolveEndpoint(model, 'svc/shop/api'), 5000, 'TCP'), /has no port 5000\/TCP \(its ports: rpc=80\/TCP\)/);
  });
});

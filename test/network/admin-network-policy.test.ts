/**
 * AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1) around NetworkPolicy, after
 * the network-policy-api conformance suite (kubernetes-sigs/network-policy-api conformance/tests, quoted by test
 * name): its namespaces (gryffindor, slytherin, hufflepuff, ravenclaw, labelled `conformance-house`) and its
 * `core-anp-np-banp.yaml` (an ANP denying slytherin both ways, a NetworkPolicy allowing it, a BANP denying it),
 * then priority, ports, networks and hostNetwork cases from the API's field documentation. Every verdict is asked of
 * both the per-connection evaluation and the matrix engine (netpol-fixtures.ts `allowed`).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/core/model/resource.js';
import { buildNetworkModel, evaluateConnection, parseAdminNetworkPolicy, Reachability } from '../../src/network/index.js';
import type { NetworkModel } from '../../src/network/index.js';
import { allowed, policy } from './netpol-fixtures.js';

const HOUSES = ['gryffindor', 'slytherin', 'hufflepuff', 'ravenclaw'];
const PODS: Record<string, string> = { gryffindor: 'harry-potter', slytherin: 'draco-malfoy', hufflepuff: 'cedric-diggory', ravenclaw: 'luna-lovegood' };

function house(name: string, options: { hostNetwork?: boolean } = {}): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'conformance-house': name } } },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: PODS[name], namespace: name },
      spec: {
        template: {
          metadata: { labels: { app: PODS[name]! } },
          spec: {
            ...(options.hostNetwork ? { hostNetwork: true } : {}),
            containers: [
              { name: 'web', ports: [{ name: 'web', containerPort: 80 }, { name: 'web-alt', containerPort: 8080 }] },
              { name: 'dns', ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'sctp', containerPort: 9003, protocol: 'SCTP' }] },
            ],
          },
        },
      },
    },
  ];
}

const anp = (name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name }, spec });
const banp = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'BaselineAdminNetworkPolicy', metadata: { name: 'default' }, spec });
const houseSelector = (name: string) => ({ matchLabels: { 'conformance-house': name } });

/** conformance/base/api_integration/core-anp-np-banp.yaml, in the API shape of its time (`namespaces: {namespaceSelector}`). */
function integration(options: { ingress?: string; egress?: string; withNetworkPolicy?: boolean } = {}): KubeObject[] {
  return [
    ...HOUSES.flatMap((h) => house(h)),
    anp('pass-example', {
      priority: 10,
      subject: { namespaces: houseSelector('gryffindor') },
      ingress: [{ name: 'deny-all-ingress-from-slytherin', action: options.ingress ?? 'Deny', from: [{ namespaces: { namespaceSelector: houseSelector('slytherin') } }] }],
      egress: [{ name: 'deny-all-egress-to-slytherin', action: options.egress ?? 'Deny', to: [{ namespaces: { namespaceSelector: houseSelector('slytherin') } }] }],
    }),
    ...(options.withNetworkPolicy === false
      ? []
      : [
          policy('gryffindor', 'allow-gress-from-to-slytherin-to-gryffindor', {
            podSelector: null,
            policyTypes: ['Ingress', 'Egress'],
            ingress: [{ from: [{ namespaceSelector: houseSelector('slytherin') }] }],
            egress: [{ to: [{ namespaceSelector: houseSelector('slytherin') }] }],
          }),
        ]),
    banp({
      subject: { namespaces: houseSelector('gryffindor') },
      ingress: [{ name: 'deny-all-ingress-from-slytherin', action: 'Deny', from: [{ namespaces: { namespaceSelector: houseSelector('slytherin') } }] }],
      egress: [{ name: 'deny-all-egress-to-slytherin', action: 'Deny', to: [{ namespaces: { namespaceSelector: houseSelector('slytherin') } }] }],
    }),
  ];
}

const G = 'gryffindor/harry-potter';
const S = 'slytherin/draco-malfoy';
const H = 'hufflepuff/cedric-diggory';

function model(objects: KubeObject[]): NetworkModel {
  const built = buildNetworkModel(objects);
  assert.deepEqual(built.issues.map((i) => `${i.field}: ${i.message}`), []);
  return built;
}

describe('AdminNetworkPolicyIntegration (ANP, then NetworkPolicy, then BANP)', () => {
  it('Should Deny traffic from slytherin to gryffindor respecting ANP (the NetworkPolicy allowing it is not consulted)', () => {
    const m = model(integration());
    assert.equal(allowed(m, S, G, 80), false);
    assert.equal(allowed(m, S, G, 8080), false);
  });
  it('Should Deny traffic to slytherin from gryffindor respecting ANP', () => {
    const m = model(integration());
    assert.equal(allowed(m, G, S, 80), false);
  });
  it("Should support a 'pass-ingress' policy for ANP and respect the match for network policy", () => {
    const m = model(integration({ ingress: 'Pass' }));
    assert.equal(allowed(m, S, G, 80), true);
    assert.equal(allowed(m, S, G, 8080), true);
  });
  it("Should support a 'pass-egress' policy for ANP and respect the match for network policy", () => {
    assert.equal(allowed(model(integration({ egress: 'Pass' })), G, S, 80), true);
  });
  it("Should support a 'pass-ingress' policy for ANP and respect the match for baseline admin network policy", () => {
    assert.equal(allowed(model(integration({ ingress: 'Pass', withNetworkPolicy: false })), S, G, 80), false);
  });
  it("Should support a 'pass-egress' policy for ANP and respect the match for baseline admin network policy", () => {
    assert.equal(allowed(model(integration({ egress: 'Pass', withNetworkPolicy: false })), G, S, 80), false);
  });
  it('traffic no admin rule matches follows NetworkPolicy (hufflepuff is not admitted by it), or BANP (no match: allowed)', () => {
    assert.equal(allowed(model(integration()), H, G, 80), false);
    assert.equal(allowed(model(integration({ withNetworkPolicy: false })), H, G, 80), true);
  });
  it('the verdict names the tier and rule that decided; the matrix engine agrees', () => {
    const m = model(integration({ ingress: 'Pass', withNetworkPolicy: false }));
    const [g, s] = [m.groups.find((x) => x.id.startsWith('gryffindor/'))!, m.groups.find((x) => x.id.startsWith('slytherin/'))!];
    const verdict = evaluateConnection(m.lookup, { from: { kind: 'pod', pod: s }, to: { kind: 'pod', pod: g }, port: 80, protocol: 'TCP' });
    assert.equal(verdict.allowed, false);
    assert.deepEqual([verdict.ingress.admin?.policy.name, verdict.ingress.admin?.rule.action], ['pass-example', 'Pass']);
    assert.deepEqual([verdict.ingress.baseline?.policy.name, verdict.ingress.baseline?.rule.name], ['default', 'deny-all-ingress-from-slytherin']);
    assert.equal(verdict.ingress.isolated, false);
    const engine = new Reachability(m);
    assert.equal(engine.ports(m.groups.indexOf(s), m.groups.indexOf(g)).toString(), 'none');
    assert.equal(engine.ports(m.groups.indexOf(g), m.groups.indexOf(s)).toString(), 'none');
  });
});

describe('priority, ports and peers', () => {
  const base = HOUSES.flatMap((h) => house(h));
  it('AdminNetworkPolicyPriorityField: the lower priority value wins, whatever the order in the input', () => {
    const deny = anp('deny-slytherin', { priority: 20, subject: { namespaces: houseSelector('gryffindor') }, ingress: [{ action: 'Deny', from: [{ namespaces: houseSelector('slytherin') }] }] });
    const allow = anp('allow-slytherin', { priority: 5, subject: { namespaces: houseSelector('gryffindor') }, ingress: [{ action: 'Allow', from: [{ namespaces: houseSelector('slytherin') }] }] });
    assert.equal(allowed(model([...base, deny, allow]), S, G, 80), true);
    assert.equal(allowed(model([...base, allow, deny]), S, G, 80), true);
  });
  it('rules of one policy are ordered: the first match decides', () => {
    const ordered = anp('ordered', {
      priority: 1,
      subject: { pods: { namespaceSelector: houseSelector('gryffindor'), podSelector: {} } },
      ingress: [
        { action: 'Allow', from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'draco-malfoy' } } } }], ports: [{ portNumber: { protocol: 'TCP', port: 80 } }] },
        { action: 'Deny', from: [{ namespaces: {} }] },
      ],
    });
    const m = model([...base, ordered]);
    assert.equal(allowed(m, S, G, 80), true);
    assert.equal(allowed(m, S, G, 8080), false);
    assert.equal(allowed(m, H, G, 80), false);
  });
  it('portRange, namedPort (resolved on the destination, any protocol) and SCTP', () => {
    const ports = anp('ports', {
      priority: 3,
      subject: { namespaces: houseSelector('gryffindor') },
      ingress: [
        { action: 'Allow', from: [{ namespaces: {} }], ports: [{ portRange: { protocol: 'TCP', start: 8000, end: 8100 } }, { namedPort: 'dns' }, { portNumber: { protocol: 'SCTP', port: 9003 } }] },
        { action: 'Deny', from: [{ namespaces: {} }] },
      ],
    });
    const m = model([...base, ports]);
    assert.equal(allowed(m, H, G, 8080), true);
    assert.equal(allowed(m, H, G, 80), false);
    assert.equal(allowed(m, H, G, 53, 'UDP'), true);
    assert.equal(allowed(m, H, G, 53, 'TCP'), false);
    assert.equal(allowed(m, H, G, 9003, 'SCTP'), true);
    assert.equal(allowed(m, H, G, 9003, 'TCP'), false);
  });
  it('networks peers (egress) match external addresses, and pods only through a whole address family', () => {
    const networks = anp('block-documentation-range', {
      priority: 2,
      subject: { namespaces: {} },
      egress: [
        { action: 'Deny', to: [{ networks: ['203.0.113.0/24', '2001:db8::/32'] }] },
        { action: 'Pass', to: [{ networks: ['0.0.0.0/0'] }], ports: [{ portNumber: { protocol: 'TCP', port: 443 } }] },
      ],
    });
    const np = policy('gryffindor', 'egress-443-nowhere', { podSelector: {}, policyTypes: ['Egress'] });
    const m = model([...base, networks, np]);
    assert.equal(allowed(m, G, '203.0.113.7', 443), false);
    assert.equal(allowed(m, H, '203.0.113.7', 443), false);
    assert.equal(allowed(m, H, '198.51.100.1', 443), true);
    assert.equal(allowed(m, H, '2001:db8::1', 80), false);
    // Pass to NetworkPolicy, which isolates gryffindor for egress with no rule: denied.
    assert.equal(allowed(m, G, '198.51.100.1', 443), false);
    // The matrix engine gives the same per address range.
    const engine = new Reachability(m);
    const h = m.groups.findIndex((x) => x.id.startsWith('hufflepuff/'));
    const access = engine.toExternal(h).map((a) => `${a.addresses} ${a.ports}`);
    assert.ok(access.every((a) => !a.includes('203.0.113.0/24')), access.join('\n'));
  });
  it('hostNetwork pods are neither subjects nor pod peers', () => {
    const objects = [...house('gryffindor'), ...house('slytherin', { hostNetwork: true })];
    const denyAll = anp('deny-all', { priority: 1, subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }], egress: [{ action: 'Deny', to: [{ namespaces: {} }] }] });
    const m = model([...objects, denyAll]);
    // slytherin's pod is on the host network: not a subject (its egress is not denied) and not a peer of gryffindor.
    assert.equal(allowed(m, S, G, 80), true);
    assert.equal(allowed(m, G, S, 80), true);
  });
});

describe('AdminNetworkPolicy validation', () => {
  const issues = (object: KubeObject) => parseAdminNetworkPolicy(object).issues.map((i) => `${i.field}: ${i.message}`);
  const subject = { namespaces: {} };
  it('refuses what the CRD refuses', () => {
    assert.match(issues(anp('p', { priority: 1001, subject }))[0]!, /spec\.priority: priority must be an integer from 0 to 1000/);
    assert.match(issues(anp('p', { priority: 1, subject, ingress: [{ from: [{ namespaces: {} }] }] }))[0]!, /spec\.ingress\[0\]\.action: action must be one of Allow, Deny, Pass/);
    assert.match(issues(anp('p', { priority: 1, subject, ingress: [{ action: 'Allow', from: [{ namespaces: {}, pods: { namespaceSelector: {}, podSelector: {} } }] }] }))[0]!, /must set exactly one of namespaces, pods/);
    assert.match(issues(anp('p', { priority: 1, subject, ingress: [{ action: 'Allow', from: [{ networks: ['10.0.0.0/8'] }] }] }))[0]!, /exactly one of namespaces, pods \(found networks\)/);
    assert.match(issues(anp('p', { priority: 1, subject, egress: [{ action: 'Allow', to: [{ networks: ['10.0.0.0/33'] }] }] }))[0]!, /networks\[0\]: .*prefix length/);
    assert.match(issues(anp('p', { priority: 1, subject, egress: [{ action: 'Allow', to: [{ namespaces: {} }], ports: [{ portRange: { start: 90, end: 80 } }] }] }))[0]!, /start \(90\) must be less than end \(80\)/);
    assert.match(issues({ ...banp({ subject }), metadata: { name: 'other' } })[0]!, /must be named "default"/);
    assert.match(issues(banp({ subject, ingress: [{ action: 'Pass', from: [{ namespaces: {} }] }] }))[0]!, /action must be one of Allow, Deny/);
  });
  it('an invalid one is reported and left out of the model', () => {
    const built = buildNetworkModel([...house('gryffindor'), anp('broken', { priority: -1, subject })]);
    assert.equal(built.adminPolicies.length, 0);
    assert.match(built.issues[0]!.message, /priority must be an integer/);
  });
});

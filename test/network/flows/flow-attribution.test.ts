/**
 * Attribution of flow ends through the inventory at the time of the flow (src/network/flows/flow-attribution.ts) and
 * aggregation to workload edges (flow-aggregator.ts): addresses reused by pods over time, finished pods, Services
 * and named target ports, hostNetwork pods, external and unknown addresses, workloads named by the observer, address
 * records, and the unattributed and skipped buckets.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildNetworkModel } from '../../../src/network/index.js';
import type { KubeObject } from '../../../src/core/model/resource.js';
import { FlowAttributor } from '../../../src/network/flows/flow-attribution.js';
import type { Attribution, FlowAttributionOptions } from '../../../src/network/flows/flow-attribution.js';
import { FlowAggregator } from '../../../src/network/flows/flow-aggregator.js';
import { formatEnd } from '../../../src/network/flows/workload-edge.js';
import { at, deployment, flow, podOf, service } from './flow-fixtures.js';

const web = deployment('shop', 'web', { app: 'web' }, [{ port: 8080, name: 'http' }]);
const api = deployment('shop', 'api', { app: 'api', tier: 'backend' }, [{ port: 9000, name: 'grpc' }]);
const apiCanary = deployment('shop', 'api-canary', { app: 'api', tier: 'canary' }, [{ port: 9443, name: 'grpc' }]);
const agent = deployment('kube-system', 'node-agent', { app: 'agent' }, [{ port: 9100 }], { hostNetwork: true });

function attributor(objects: KubeObject[], options: FlowAttributionOptions = {}, podsFrom: 'pods' | 'templates' = 'pods'): FlowAttributor {
  return new FlowAttributor(buildNetworkModel(objects, { podsFrom }), options);
}

/** An attribution as text: `Kind/ns/name:port` per end (`via Service`), or `unattributed subject: reason`. */
function text(result: Attribution): string[] | string {
  if ('unattributed' in result) return `unattributed ${result.unattributed.subject}: ${result.unattributed.reason}`;
  return result.ends.map((e) => `${formatEnd(e.end)}:${e.port}${e.service ? ` via ${e.service}` : ''}`);
}

describe('addresses over time', () => {
  // 10.1.0.5 belonged to a web pod until 10:30, then, from 11:00, to an api pod.
  const objects = [
    web,
    api,
    podOf(web, 'web-1', { ip: '10.1.0.5', created: '2026-05-01T09:00:00Z', deleted: '2026-05-01T10:30:00Z' }),
    podOf(api, 'api-1', { ip: '10.1.0.5', created: '2026-05-01T11:00:00Z' }),
    podOf(api, 'api-2', { ip: '10.1.0.9', created: '2026-05-01T09:00:00Z', phase: 'Succeeded', finishedAt: '2026-05-01T09:45:00Z' }),
  ];
  const attribute = attributor(objects);

  it('follows the pod that held the address at the time of the flow', () => {
    assert.deepEqual(text(attribute.attributeSource({ ip: '10.1.0.5' }, Date.parse('2026-05-01T10:00:00Z'))), ['Deployment/shop/web:0']);
    assert.deepEqual(text(attribute.attributeSource({ ip: '10.1.0.5' }, Date.parse('2026-05-01T11:00:00Z'))), ['Deployment/shop/api:0']);
  });

  it('between two holders, the address is unattributed and the message says who held it when', () => {
    assert.equal(
      text(attribute.attributeSource({ ip: '10.1.0.5' }, Date.parse('2026-05-01T10:40:00Z'))),
      'unattributed 10.1.0.5: an address of the cluster networks that no pod or Service of the inventory held at the time of the flow ' +
        '(shop/Deployment/web held it from 2026-05-01T09:00:00.000Z until 2026-05-01T10:30:00.000Z)',
    );
  });

  it('a flow without a time is attributed only when one workload ever held the address', () => {
    assert.equal(text(attribute.attributeSource({ ip: '10.1.0.5' }, undefined)), 'unattributed 10.1.0.5: the flow has no time and the address was held by shop/Deployment/api, shop/Deployment/web');
    assert.deepEqual(text(attribute.attributeSource({ ip: '10.1.0.9' }, undefined)), ['Deployment/shop/api:0']);
  });

  it('a finished pod gives its address back when its last container ends', () => {
    assert.deepEqual(text(attribute.attributeSource({ ip: '10.1.0.9' }, Date.parse('2026-05-01T09:30:00Z'))), ['Deployment/shop/api:0']);
    assert.match(text(attribute.attributeSource({ ip: '10.1.0.9' }, Date.parse('2026-05-01T09:50:00Z'))) as string, /^unattributed 10\.1\.0\.9: .*until 2026-05-01T09:45:00\.000Z\)$/);
  });

  it('compares addresses in canonical form', () => {
    const v6 = attributor([web, podOf(web, 'web-6', { ip: 'fd00:0:0::7' })]);
    assert.deepEqual(text(v6.attributeSource({ ip: 'fd00::7' }, undefined)), ['Deployment/shop/web:0']);
  });
});

describe('Services', () => {
  const objects = [
    web,
    api,
    apiCanary,
    service('shop', 'api', { app: 'api' }, [{ port: 80, targetPort: 'grpc' }, { port: 53, protocol: 'UDP' }, { port: 443, targetPort: 'https' }], '10.96.0.20'),
    service('shop', 'manual', undefined, [{ port: 5432 }], '10.96.0.30'),
  ];
  // Manifests: workloads from their templates.
  const attribute = attributor(objects, {}, 'templates');

  it('a Service stands for each backend workload, on the port its named targetPort resolves to there', () => {
    const expected = ['Deployment/shop/api:9000 via shop/api:80', 'Deployment/shop/api-canary:9443 via shop/api:80'];
    assert.deepEqual(text(attribute.attributeDestination({ ip: '10.96.0.20' }, undefined, 80, 'TCP')), expected);
    assert.deepEqual(text(attribute.attributeDestination({ namespace: 'shop', service: 'api' }, undefined, 80, 'TCP')), expected);
  });

  it('a Service port that does not exist, a Service without selector, or an unknown Service: unattributed with the reason', () => {
    assert.equal(text(attribute.attributeDestination({ ip: '10.96.0.20' }, undefined, 81, 'TCP')), 'unattributed Service shop/api:81/TCP: the Service has no port 81/TCP (its ports: 80/TCP, 53/UDP, 443/TCP)');
    // A numeric target port needs no declaration; a named one must be declared by the backend.
    assert.deepEqual(text(attribute.attributeDestination({ ip: '10.96.0.20' }, undefined, 53, 'UDP')), ['Deployment/shop/api:53 via shop/api:53', 'Deployment/shop/api-canary:53 via shop/api:53']);
    assert.equal(text(attribute.attributeDestination({ ip: '10.96.0.20' }, undefined, 443, 'TCP')), 'unattributed Service shop/api:443/TCP: the Service selects no pod of the inventory that declares its target port https');
    assert.match(text(attribute.attributeDestination({ ip: '10.96.0.30' }, undefined, 5432, 'TCP')) as string, /has no selector/);
    assert.equal(text(attribute.attributeDestination({ namespace: 'shop', service: 'nope' }, undefined, 80, 'TCP')), 'unattributed Service shop/nope: no such Service in the inventory');
  });

  it('a Service address as a source is unattributed: connections come from pods', () => {
    assert.equal(text(attribute.attributeSource({ ip: '10.96.0.20' }, undefined)), "unattributed 10.96.0.20: the source address is Service shop/api's: connections come from pods");
  });
});

describe('addresses outside the inventory', () => {
  it('outside the cluster networks an address is an external peer; inside, it is unattributed; --cluster-cidr moves the line', () => {
    const attribute = attributor([web]);
    assert.deepEqual(text(attribute.attributeDestination({ ip: '203.0.113.7' }, undefined, 443, 'TCP')), ['203.0.113.7:443']);
    assert.equal(text(attribute.attributeDestination({ ip: '192.168.5.10' }, undefined, 5432, 'TCP')), 'unattributed 192.168.5.10: an address of the cluster networks that no pod or Service of the inventory held');
    const narrow = attributor([web], { clusterNetworks: ['10.244.0.0/16', '10.96.0.0/12'] });
    assert.deepEqual(text(narrow.attributeDestination({ ip: '192.168.5.10' }, undefined, 5432, 'TCP')), ['192.168.5.10:5432']);
    assert.throws(() => attributor([web], { clusterNetworks: ['10.0.0.0/33'] }), /prefix length/);
  });

  it("Hubble's reserved identities: world is external wherever it is, host and others keep their name", () => {
    const attribute = attributor([web]);
    assert.deepEqual(text(attribute.attributeDestination({ ip: '10.9.9.9', reserved: 'world' }, undefined, 443, 'TCP')), ['10.9.9.9:443']);
    assert.deepEqual(text(attribute.attributeDestination({ ip: '10.0.0.1', reserved: 'kube-apiserver' }, undefined, 6443, 'TCP')), ['10.0.0.1 (kube-apiserver):6443']);
  });

  it('a hostNetwork pod is its node to NetworkPolicy: known by address, unattributable by name alone', () => {
    const attribute = attributor([agent, podOf(agent, 'agent-1', { ip: '10.0.0.11', hostNetwork: true })]);
    assert.deepEqual(text(attribute.attributeSource({ ip: '10.0.0.11' }, undefined)), ['10.0.0.11 (node):0']);
    assert.match(text(attribute.attributeSource({ namespace: 'kube-system', workload: { kind: 'Deployment', name: 'node-agent' } }, undefined)) as string, /use the host network/);
  });
});

describe('workloads and pods named by the observer', () => {
  const attribute = attributor([web, podOf(web, 'web-1', { ip: '10.1.0.5' })]);

  it('takes a known workload or pod as is; an unknown one with labels becomes a workload known from the flows', () => {
    assert.deepEqual(text(attribute.attributeSource({ namespace: 'shop', workload: { kind: 'Deployment', name: 'web' } }, undefined)), ['Deployment/shop/web:0']);
    assert.deepEqual(text(attribute.attributeSource({ namespace: 'shop', pod: 'web-1' }, undefined)), ['Deployment/shop/web:0']);
    assert.deepEqual(text(attribute.attributeSource({ namespace: 'ops', workload: { kind: 'Deployment', name: 'probe' }, labels: { app: 'probe' } }, undefined)), ['Deployment/ops/probe:0']);
    assert.deepEqual(attribute.workloads.get('ops/Deployment/probe')?.observedLabels, { app: 'probe' });
    assert.equal(text(attribute.attributeSource({ namespace: 'ops', workload: { kind: 'Deployment', name: 'ghost' } }, undefined)), 'unattributed workload ops/Deployment/ghost: not in the inventory, and no pod labels are given');
    // Workloads known only from flows must have names and labels generated policies can use.
    assert.equal(text(attribute.attributeSource({ namespace: 'Ops!', workload: { kind: 'Deployment', name: 'x' }, labels: { app: 'x' } }, undefined)), 'unattributed workload Ops!/Deployment/x: not in the inventory, and "Ops!" is not a namespace name');
    assert.equal(text(attribute.attributeSource({ namespace: 'ops', workload: { kind: 'Deployment', name: 'x' }, labels: { 'bad key!': 'x', app: 'not valid!' } }, undefined)), 'unattributed workload ops/Deployment/x: not in the inventory, and none of the pod labels given is a valid label');
    assert.deepEqual(text(attribute.attributeSource({ namespace: 'ops', workload: { kind: 'Deployment', name: 'y' }, labels: { 'bad key!': 'x', app: 'y' } }, undefined)), ['Deployment/ops/y:0']);
    assert.deepEqual(attribute.workloads.get('ops/Deployment/y')?.observedLabels, { app: 'y' });
    assert.equal(text(attribute.attributeSource({ namespace: 'ops', pod: 'ghost-1' }, undefined)), 'unattributed pod ops/ghost-1: not in the inventory, and the flow gives neither its address nor its labels');
  });

  it('address records place an address under a workload from then on (later records refine earlier answers)', () => {
    const records = attributor([web], {}, 'templates');
    assert.match(text(records.attributeSource({ ip: '10.2.0.8' }, Date.parse('2026-05-01T10:00:00Z'))) as string, /^unattributed/);
    assert.equal(records.addAddress({ ip: '10.2.0.8', namespace: 'shop', pod: 'web-xyz', workload: { kind: 'Deployment', name: 'web' }, from: Date.parse('2026-05-01T09:00:00Z') }), undefined);
    assert.deepEqual(text(records.attributeSource({ ip: '10.2.0.8' }, Date.parse('2026-05-01T10:00:00Z'))), ['Deployment/shop/web:0']);
    assert.match(text(records.attributeSource({ ip: '10.2.0.8' }, Date.parse('2026-05-01T08:00:00Z'))) as string, /^unattributed/);
    assert.equal(records.addAddress({ ip: '10.2.0.9', namespace: 'shop', pod: 'mystery' }), 'pod shop/mystery: not in the inventory, and no pod labels are given; its flows cannot be attributed');
    assert.equal(records.addAddress({ ip: 'nope', namespace: 'shop', pod: 'web-1', workload: { kind: 'Deployment', name: 'web' } }), '"nope" is not an IP address');
  });
});

describe('aggregation to workload edges', () => {
  it('sums flows per edge with first and last seen, keeps unattributed, skipped and non-pod traffic apart, caps kept errors', () => {
    const objects = [web, api, podOf(web, 'web-1', { ip: '10.1.0.5' }), podOf(api, 'api-1', { ip: '10.1.0.6' }), service('shop', 'api', { app: 'api' }, [{ port: 80, targetPort: 9000 }], '10.96.0.20')];
    const aggregator = new FlowAggregator(new FlowAttributor(buildNetworkModel(objects, { podsFrom: 'pods' })), { maxErrors: 2 });
    aggregator.flow(flow({ ip: '10.1.0.5' }, { ip: '10.96.0.20' }, 80, { time: '2026-05-01T10:00:00Z' }), at(1));
    aggregator.flow(flow({ ip: '10.1.0.5' }, { ip: '10.1.0.6' }, 9000, { time: '2026-05-01T09:00:00Z', count: 4 }), at(2));
    aggregator.flow(flow({ ip: '10.1.0.5' }, { ip: '10.1.0.77' }, 9000, { time: '2026-05-01T11:00:00Z' }), at(3));
    aggregator.flow(flow({ ip: '10.1.0.5' }, { ip: '10.1.0.77' }, 9000), at(4));
    aggregator.flow(flow({ ip: '198.51.100.1' }, { ip: '203.0.113.1' }, 443), at(5));
    aggregator.flow(flow({ ip: '10.1.0.6' }, { ip: '203.0.113.1' }, 443, { protocol: 'TCP' }), at(6));
    aggregator.skip('reply direction', at(7));
    aggregator.skip('reply direction', at(8));
    for (let line = 9; line < 12; line++) aggregator.error({ source: 'flows.jsonl', line, message: 'bad' });
    const observation = aggregator.result();
    assert.deepEqual(
      observation.edges.map((e) => [formatEnd(e.from), formatEnd(e.to), `${e.protocol}/${e.port}`, e.count, e.firstSeen, e.lastSeen, e.services]),
      [
        ['Deployment/shop/api', '203.0.113.1', 'TCP/443', 1, undefined, undefined, undefined],
        ['Deployment/shop/web', 'Deployment/shop/api', 'TCP/9000', 5, Date.parse('2026-05-01T09:00:00Z'), Date.parse('2026-05-01T10:00:00Z'), ['shop/api:80']],
      ],
    );
    assert.deepEqual(
      observation.unattributed.map((u) => [u.side, u.subject, u.count, u.example.line, u.firstSeen]),
      [['destination', '10.1.0.77', 2, 3, Date.parse('2026-05-01T11:00:00Z')]],
    );
    assert.deepEqual(
      observation.skipped.map((s) => [s.reason, s.count, s.example.line]),
      [
        ['reply direction', 2, 7],
        ['neither end is a pod (node or outside traffic, which NetworkPolicy does not govern)', 1, 5],
      ],
    );
    assert.deepEqual([observation.records, observation.flows, observation.attributedFlows, observation.unattributedFlows, observation.nonPodFlows], [6, 9, 6, 2, 1]);
    assert.deepEqual([observation.errors.length, observation.errorCount], [2, 3]);
    assert.deepEqual([...observation.workloads.keys()].sort(), ['shop/Deployment/api', 'shop/Deployment/web']);
  });
});

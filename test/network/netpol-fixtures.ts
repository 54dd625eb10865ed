/**
 * Builders for NetworkPolicy tests: the pod topology of the upstream e2e suite (k8s test/e2e/network/netpol: namespaces
 * x, y, z; pods a, b, c labelled `pod: <name>`, serving ports 80 and 81 over TCP, UDP and SCTP with named ports
 * `serve-80-tcp`…), policies as plain objects, and a verdict helper that asks both the per-connection evaluation and
 * the indexed engine and fails when they disagree.
 */
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/core/model/resource.js';
import type { Endpoint, NetworkModel, PodGroup, Protocol } from '../../src/network/index.js';
import { Reachability, buildNetworkModel, evaluateConnection, parseIpAddress } from '../../src/network/index.js';

export const PROTOCOL_NAMES: Protocol[] = ['TCP', 'UDP', 'SCTP'];

export function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

/** A pod as the e2e suite makes them: one container per port and protocol, named `serve-<port>-<protocol>`. */
export function e2ePod(ns: string, name: string, options: { hostNetwork?: boolean; labels?: Record<string, string> } = {}): KubeObject {
  const containers = [80, 81].flatMap((port) =>
    PROTOCOL_NAMES.map((protocol) => ({
      name: `cont-${port}-${protocol.toLowerCase()}`,
      image: 'registry.k8s.io/e2e-test-images/agnhost:2.47',
      ports: [{ containerPort: port, name: `serve-${port}-${protocol.toLowerCase()}`, protocol }],
    })),
  );
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: options.labels ?? { pod: name } },
    spec: { containers, ...(options.hostNetwork ? { hostNetwork: true } : {}) },
  };
}

export function policy(ns: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}

/** The e2e topology: x/a x/b x/c y/a y/b y/c z/a z/b z/c, plus extra objects (policies). */
export function e2eCluster(extra: KubeObject[]): NetworkModel {
  const objects: KubeObject[] = [];
  for (const ns of ['x', 'y', 'z']) {
    objects.push(namespace(ns));
    for (const pod of ['a', 'b', 'c']) objects.push(e2ePod(ns, pod));
  }
  return buildNetworkModel([...objects, ...extra]);
}

export function groupOf(model: NetworkModel, ref: string): PodGroup {
  const [ns, name] = ref.split('/');
  const group = model.groups.find((g) => g.namespace === ns && g.owner.name === name);
  assert.ok(group, `no pod ${ref}`);
  return group;
}

/** An end of a connection: `x/a` (a pod) or an IP address (outside the cluster). */
function endpointOf(model: NetworkModel, ref: string): { endpoint: Endpoint; index?: number } {
  const address = parseIpAddress(ref);
  if (address) return { endpoint: { kind: 'external', address } };
  const group = groupOf(model, ref);
  return { endpoint: { kind: 'pod', pod: group }, index: model.groups.indexOf(group) };
}

/**
 * Whether `from` may connect to `to` on port/protocol, asked of the per-connection evaluation and, for two pods, of
 * the indexed engine too (they must agree).
 */
export function allowed(model: NetworkModel, from: string, to: string, port: number, protocol: Protocol = 'TCP', engine = new Reachability(model)): boolean {
  const source = endpointOf(model, from);
  const destination = endpointOf(model, to);
  const verdict = evaluateConnection(model.lookup, { from: source.endpoint, to: destination.endpoint, port, protocol }).allowed;
  if (source.index !== undefined && destination.index !== undefined) {
    assert.equal(engine.ports(source.index, destination.index).has(protocol, port), verdict, `engine and per-connection verdict disagree on ${from} → ${to} ${port}/${protocol}`);
  }
  return verdict;
}

/**
 * The e2e suite's truth table: every ordered pair of pods with the expected verdict, for one port and protocol.
 * `expect(from, to)` gives the expected value; the table of mismatches must be empty.
 */
export function truthTable(model: NetworkModel, port: number, protocol: Protocol, expect: (from: string, to: string) => boolean): string[] {
  const engine = new Reachability(model);
  const pods = model.groups.map((g) => `${g.namespace}/${g.owner.name}`);
  const wrong: string[] = [];
  for (const from of pods) {
    for (const to of pods) {
      if (from === to) continue; // the e2e suite ignores loopback
      const actual = allowed(model, from, to, port, protocol, engine);
      if (actual !== expect(from, to)) wrong.push(`${from} → ${to} ${port}/${protocol}: ${actual ? 'allowed' : 'denied'}, expected ${expect(from, to) ? 'allowed' : 'denied'}`);
    }
  }
  return wrong;
}

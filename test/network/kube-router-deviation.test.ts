/**
 * The allowance for kube-router's order-dependent named-port deviation (the sixth in kube-router-deviation.ts), on the
 * policy the real-dataplane test reduced it to: pure, no dataplane.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/core/model/resource.js';
import { KubeRouterVerdicts } from './kube-router-deviation.js';

const namespaces = ['ns-a', 'ns-b', 'ns-c'].map(
  (name): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } }),
);
const pod = (namespace: string, name: string, ip: string, labels: Record<string, string>, ports: { name?: string; containerPort: number; protocol?: string }[]): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace, name, labels },
  spec: { containers: [{ name: 'agent', ports: ports.map((p) => ({ protocol: 'TCP', ...p })) }] },
  status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
});
const pods = [
  pod('ns-a', 'web', '10.77.0.11', { app: 'web', tier: 'front' }, [{ name: 'http', containerPort: 80 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }]),
  pod('ns-a', 'db', '10.77.0.12', { app: 'db', tier: 'back' }, [{ name: 'http', containerPort: 8080 }]),
  pod('ns-b', 'web', '10.77.0.13', { app: 'web', tier: 'back' }, [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 5353, protocol: 'UDP' }]),
  pod('ns-b', 'api', '10.77.0.14', { app: 'api' }, []),
  pod('ns-c', 'api', '10.77.0.16', { app: 'api', tier: 'front' }, [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'http', containerPort: 80 }]),
];
const addresses = new Map(pods.map((p) => [`${p.metadata!.namespace}/${p.metadata!.name}`, (p['status'] as { podIP: string }).podIP]));
const policy = (egress: unknown[]): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'p0', namespace: 'ns-a' },
  spec: { podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['front'] }] }, policyTypes: ['Egress'], egress },
});
const verdicts = (egress: unknown[]) => new KubeRouterVerdicts([...namespaces, ...pods, policy(egress)], (key) => addresses.get(key)!);

describe("kube-router's order-dependent named-port sets", () => {
  it('may open a port the destination does not declare, when it shares a declaration with a pod that does', () => {
    // ns-b/web declares http/TCP/8080 and dns/UDP/5353; ns-a/db declares http/TCP/8080 only.
    const kubeRouter = verdicts([{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ns-b' } } }, { podSelector: {}, namespaceSelector: {} }], ports: [{ protocol: 'UDP', port: 'dns' }] }]);
    assert.deepEqual(kubeRouter.verdict({ from: 'ns-a/web', to: 'ns-a/db', protocol: 'UDP', port: 5353 }), { allowed: false, mayAlsoOpen: true });
    // No pod declaring dns on 53 shares a declaration with db: that set cannot hold it.
    assert.deepEqual(kubeRouter.verdict({ from: 'ns-a/web', to: 'ns-a/db', protocol: 'UDP', port: 53 }), { allowed: false, mayAlsoOpen: false });
    // The spec's own verdicts stay predictions: ns-b/web on its dns port is allowed.
    assert.deepEqual(kubeRouter.verdict({ from: 'ns-a/web', to: 'ns-b/web', protocol: 'UDP', port: 5353 }), { allowed: true, mayAlsoOpen: false });
  });

  it('needs the destination among the pods whose named ports the rule reads', () => {
    // Only ns-b's pods are read: db's address is never collected.
    const kubeRouter = verdicts([{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ns-b' } } }], ports: [{ protocol: 'UDP', port: 'dns' }] }]);
    assert.deepEqual(kubeRouter.verdict({ from: 'ns-a/web', to: 'ns-a/db', protocol: 'UDP', port: 5353 }), { allowed: false, mayAlsoOpen: false });
  });
});

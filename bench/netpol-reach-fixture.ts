/**
 * A live-cluster-shaped input for the reachability benchmark: namespaces of Deployments whose Pods carry ownerReferences
 * (Pod → ReplicaSet → Deployment, as a cluster read gives them), and NetworkPolicies of the kinds real clusters have:
 * a default deny per namespace, per-app allow lists from other apps of the namespace, from labelled namespaces (AND
 * peers), named ports, port ranges, egress to other teams' namespaces, DNS egress to kube-system, and ipBlock egress
 * with except. Every fifth namespace has no policy at all: its workloads are open to the whole cluster.
 * Deterministic: the same sizes give the same objects.
 */
import type { KubeObject } from '../src/core/model/resource.js';

export interface ReachFixtureSize {
  namespaces: number;
  deploymentsPerNamespace: number;
  podsPerDeployment: number;
  /** NetworkPolicies in all, spread over the namespaces that have any (every fifth namespace has none). */
  policies: number;
}

const TEAMS = ['payments', 'search', 'checkout', 'identity', 'platform'];

export function reachFixture(size: ReachFixtureSize): KubeObject[] {
  const objects: KubeObject[] = [];
  const withPolicies = Array.from({ length: size.namespaces }, (_, n) => n).filter((n) => n % 5 !== 4);
  for (let n = 0; n < size.namespaces; n++) {
    const ns = `team-${n}`;
    const team = TEAMS[n % TEAMS.length]!;
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team, env: n % 3 === 0 ? 'prod' : 'staging' } } });
    for (let d = 0; d < size.deploymentsPerNamespace; d++) {
      const app = `app-${d}`;
      const deploymentUid = `d-${n}-${d}`;
      const replicaSetUid = `rs-${n}-${d}`;
      const labels = { app, tier: d % 3 === 0 ? 'front' : 'back', team };
      const containers = [{ name: 'main', image: 'registry.example.com/app:1', ports: [{ name: 'http', containerPort: 8000 + (d % 7) }, { name: 'metrics', containerPort: 9090 }] }];
      objects.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: app, namespace: ns, uid: deploymentUid }, spec: { replicas: size.podsPerDeployment, template: { metadata: { labels }, spec: { containers } } } });
      objects.push({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: `${app}-7c9f`, namespace: ns, uid: replicaSetUid, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: app, uid: deploymentUid, controller: true }] },
        spec: { template: { metadata: { labels: { ...labels, 'pod-template-hash': '7c9f' } }, spec: { containers } } },
      });
      for (let p = 0; p < size.podsPerDeployment; p++) {
        objects.push({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `${app}-7c9f-${p}`, namespace: ns, labels: { ...labels, 'pod-template-hash': '7c9f' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-7c9f`, uid: replicaSetUid, controller: true }] },
          spec: { containers },
        });
      }
    }
    const policy = (name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec });
    const rank = withPolicies.indexOf(n);
    if (rank < 0) continue;
    // The policies spread evenly: the first namespaces get one more when they do not divide.
    const quota = Math.floor(size.policies / withPolicies.length) + (rank < size.policies % withPolicies.length ? 1 : 0);
    let count = 0;
    if (quota > 0) {
      objects.push(policy('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }));
      count++;
    }
    for (let i = 0; count < quota; i++, count++) {
      const target = `app-${i % size.deploymentsPerNamespace}`;
      const caller = `app-${(i + 1) % size.deploymentsPerNamespace}`;
      const peerTeam = TEAMS[(n + i) % TEAMS.length]!;
      objects.push(
        policy(`allow-${i}`, {
          podSelector: { matchLabels: { app: target } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [
            { from: [{ podSelector: { matchLabels: { app: caller } } }], ports: [{ port: 'http' }] },
            { from: [{ namespaceSelector: { matchLabels: { team: peerTeam } }, podSelector: { matchLabels: { tier: 'front' } } }], ports: [{ port: 8000, endPort: 8010 }] },
            { from: [{ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] }, podSelector: { matchLabels: { app: 'app-0' } } }], ports: [{ port: 'metrics' }] },
          ],
          egress: [
            { to: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] } }, { namespaceSelector: { matchLabels: { team: peerTeam } } }] },
            { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
            { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }], ports: [{ port: 443 }] },
          ],
        }),
      );
    }
  }
  return objects;
}

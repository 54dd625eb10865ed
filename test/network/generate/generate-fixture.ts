/**
 * A small cluster for generation tests: shop/web (Deployment, port http 8080) behind the internet, shop/cart
 * (Deployment, port grpc 7070) behind Service cart:80, billing/ledger (StatefulSet, port pg 5432), the cluster DNS in
 * kube-system, and shop/report (a CronJob nobody talks to). Flows: internet → web, web → cart through its Service,
 * cart → ledger across namespaces, cart → two external HTTPS addresses and one external HTTP address, web → DNS.
 */
import type { FlowRecord } from '../../../src/core/model/flow-record.js';
import type { KubeObject } from '../../../src/core/model/resource.js';
import { buildNetworkModel } from '../../../src/network/index.js';
import type { NetworkModel } from '../../../src/network/index.js';
import { FlowAttributor } from '../../../src/network/flows/flow-attribution.js';
import { FlowAggregator } from '../../../src/network/flows/flow-aggregator.js';
import type { FlowObservation } from '../../../src/network/flows/workload-edge.js';
import { deployment, flow, service } from '../flows/flow-fixtures.js';

const ledger: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'ledger', namespace: 'billing' },
  spec: {
    selector: { matchLabels: { app: 'ledger' } },
    serviceName: 'ledger',
    template: { metadata: { labels: { app: 'ledger', 'app.kubernetes.io/version': '15.2' } }, spec: { containers: [{ name: 'pg', image: 'postgres:15', ports: [{ containerPort: 5432, name: 'pg' }] }] } },
  },
};

const report: KubeObject = {
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'report', namespace: 'shop' },
  spec: { schedule: '@daily', jobTemplate: { spec: { template: { metadata: { labels: { app: 'report' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } } },
};

export const clusterObjects: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'shop' } } },
  deployment('shop', 'web', { app: 'web' }, [{ port: 8080, name: 'http' }]),
  deployment('shop', 'cart', { app: 'cart' }, [{ port: 7070, name: 'grpc' }]),
  service('shop', 'cart', { app: 'cart' }, [{ port: 80, targetPort: 'grpc' }]),
  report,
  ledger,
  deployment('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, [{ port: 53, name: 'dns', protocol: 'UDP' }, { port: 53, name: 'dns-tcp', protocol: 'TCP' }]),
];

const w = (namespace: string, kind: string, name: string) => ({ namespace, workload: { kind, name } });

export const clusterFlows: FlowRecord[] = [
  flow({ ip: '203.0.113.9' }, w('shop', 'Deployment', 'web'), 8080, { time: '2026-05-01T10:00:00Z', count: 5 }),
  flow(w('shop', 'Deployment', 'web'), { namespace: 'shop', service: 'cart' }, 80, { time: '2026-05-01T10:00:01Z', count: 100 }),
  flow(w('shop', 'Deployment', 'web'), { namespace: 'shop', service: 'cart' }, 80, { time: '2026-05-01T12:00:00Z' }),
  flow(w('shop', 'Deployment', 'cart'), w('billing', 'StatefulSet', 'ledger'), 5432, { time: '2026-05-01T10:00:02Z', count: 7 }),
  flow(w('shop', 'Deployment', 'cart'), { ip: '198.51.100.7' }, 443, { time: '2026-05-01T10:00:03Z', count: 3 }),
  flow(w('shop', 'Deployment', 'cart'), { ip: '198.51.100.8' }, 443, { time: '2026-05-01T10:00:04Z', count: 2 }),
  flow(w('shop', 'Deployment', 'cart'), { ip: '192.0.2.1' }, 80, { time: '2026-05-01T10:00:05Z' }),
  flow(w('shop', 'Deployment', 'web'), w('kube-system', 'Deployment', 'coredns'), 53, { time: '2026-05-01T10:00:06Z', protocol: 'UDP', count: 50 }),
];

export function observe(objects: KubeObject[], flows: FlowRecord[]): { model: NetworkModel; observation: FlowObservation } {
  const model = buildNetworkModel(objects);
  const aggregator = new FlowAggregator(new FlowAttributor(model));
  flows.forEach((record, i) => aggregator.flow(record, { file: 'flows.jsonl', line: i + 1 }));
  return { model, observation: aggregator.result() };
}

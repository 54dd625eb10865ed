/**
 * Figures for the test control plane, printed as one JSON line: start-to-ready time (etcd + kube-apiserver, and
 * with kube-controller-manager), resident memory of each process once ready, and SubjectAccessReview throughput and
 * latency through ControlPlane.subjectAccessReview at a bounded concurrency.
 *
 *   npx tsx test/harness/measure-control-plane.ts [--runs 3] [--sars 10000] [--concurrency 8]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startControlPlane } from './control-plane.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, sars: { type: 'string', default: '10000' }, concurrency: { type: 'string', default: '8' } },
});
const runs = Number(values.runs);
const sarCount = Number(values.sars);
const concurrency = Number(values.concurrency);

function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round(Number(kb) / 1024);
}

function percentile(sorted: number[], p: number): number {
  return Number(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(2));
}

const startupMs: number[] = [];
const withControllerManagerMs: number[] = [];
let rss: Record<string, number> = {};
for (let i = 0; i < runs; i++) {
  const cp = await startControlPlane();
  startupMs.push(cp.startupMs);
  await cp.stop();
  const full = await startControlPlane({ controllerManager: true });
  withControllerManagerMs.push(full.startupMs);
  rss = Object.fromEntries(Object.entries(full.pids).map(([name, pid]) => [`${name}Mb`, rssMb(pid)]));
  await full.stop();
}

const cp = await startControlPlane();
await cp.createNamespace('measure');
await cp.apply([
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { namespace: 'measure', name: 'r' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { namespace: 'measure', name: 'b' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' },
    subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'g' }],
  },
]);
await cp.waitForRbacPropagation();
const latencies: number[] = [];
let next = 0;
let allowed = 0;
const sarStart = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < sarCount) {
      const i = next++;
      const t = performance.now();
      const status = await cp.subjectAccessReview({
        user: `user-${i}`,
        groups: i % 2 ? ['g'] : [],
        resourceAttributes: { namespace: 'measure', verb: 'get', resource: 'pods', name: `p${i}` },
      });
      latencies.push(performance.now() - t);
      if (status.allowed) allowed++;
    }
  }),
);
const sarSeconds = (performance.now() - sarStart) / 1000;
const apiserverAfterSarsMb = rssMb(cp.pids.apiserver);
const auditLogMb = Math.round(readFileSync(cp.auditLogPath).length / 1024 / 1024);
await cp.stop();
latencies.sort((a, b) => a - b);
if (allowed !== Math.floor(sarCount / 2)) throw new Error(`expected ${Math.floor(sarCount / 2)} allowed SARs, got ${allowed}`);

console.log(
  JSON.stringify({
    version: cp.version,
    startupMs: { etcdApiserver: startupMs, withControllerManager: withControllerManagerMs },
    rssAfterStart: rss,
    sar: {
      count: sarCount,
      concurrency,
      perSecond: Math.round(sarCount / sarSeconds),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      apiserverRssAfterMb: apiserverAfterSarsMb,
      auditLogMb,
    },
  }),
);

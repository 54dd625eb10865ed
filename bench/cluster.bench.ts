/**
 * `npm run bench:cluster`: `aspis scan cluster -A` with the built CLI in a child process, as a user runs it, against
 *
 * (b) a local HTTPS fixture server (bench/list-fixture-server.ts) serving the upstream scalability envelope — 150,000
 *     Pods and 10,000 Services in 10,000 namespaces, with the Deployment and ReplicaSet that own each namespace's
 *     Pods — as paged LIST responses shaped like the API server's, and the same at a tenth of the size, to show that
 *     peak memory does not follow the number of objects; and
 * (a) a real kube-apiserver + etcd (test/harness/control-plane.ts) loaded with 5,000 Pods, 1,000 Deployments, 500
 *     namespaces and 2,000 RBAC objects (load time measured apart).
 *
 * Prints one JSON line: per scenario objects listed and scanned, findings, wall time p50/p99 over the runs, the
 * child's CPU time, objects/s, LIST page interval p50/p99 (fixture), the child's peak RSS (getrusage) and its peak
 * live heap (largest heap after a full collection, from --trace-gc).
 *
 * Environment: BENCH_CLUSTER=fixture|apiserver (default both), BENCH_RUNS (default 3), BENCH_SCALES (fixture sizes as
 * fractions of the envelope, default "0.1,1"), BENCH_CONTROLLERS=0 (serve no Deployments/ReplicaSets: every Pod is
 * then scanned itself, the worst case for findings).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { createTestPki } from '../test/harness/test-pki.js';
import { renderKubeconfig } from '../test/harness/kubeconfig-file.js';
import { startControlPlane } from '../test/harness/control-plane.js';
import { fixtureCollections, SCALABILITY_ENVELOPE } from './cluster-fixture-objects.js';
import { startListFixtureServer } from './list-fixture-server.js';
import { APISERVER_CLUSTER, loadApiserverCluster } from './cluster-apiserver-load.js';
import { runClusterScan } from './cluster-scan-run.js';
import type { ClusterScanRun } from './cluster-scan-run.js';
import { percentile } from './percentile.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const PARTS = (process.env['BENCH_CLUSTER'] ?? 'fixture,apiserver').split(',');
const SCALES = (process.env['BENCH_SCALES'] ?? '0.1,1').split(',').map(Number);
const CONTROLLERS = process.env['BENCH_CONTROLLERS'] !== '0';

const work = mkdtempSync(join(tmpdir(), 'aspis-bench-cluster-'));
const outputFile = join(work, 'report.json');

/** Figures over the runs of one scenario; fails on a scan that did not read everything. */
function summarise(runs: ClusterScanRun[], objectsListed: number): Record<string, unknown> {
  for (const run of runs) {
    if (run.code !== 0 || run.errors.length > 0) {
      throw new Error(`scan exited ${run.code} with ${run.errors.length} errors: ${JSON.stringify(run.errors.slice(0, 5))}`);
    }
  }
  const walls = runs.map((r) => r.wallMs);
  const wallP50 = percentile(walls, 50);
  return {
    objectsListed,
    objectsScanned: runs[0]!.objects,
    findings: runs[0]!.findings,
    runs: runs.length,
    wallMs: { p50: Math.round(wallP50), p99: Math.round(percentile(walls, 99)) },
    scanMsInsideProcess: { p50: Math.round(percentile(runs.map((r) => r.insideMs), 50)) },
    cpuMs: { p50: Math.round(percentile(runs.map((r) => r.cpuMs), 50)) },
    objectsPerSecond: Math.round(objectsListed / (wallP50 / 1000)),
    peakRssMb: Math.round(Math.max(...runs.map((r) => r.maxRssKb)) / 1024),
    peakLiveHeapMb: Math.round(Math.max(...runs.map((r) => r.peakLiveHeapMb))),
  };
}

async function fixtureScenario(scale: number): Promise<Record<string, unknown>> {
  const size = {
    namespaces: Math.round(SCALABILITY_ENVELOPE.namespaces * scale),
    podsPerNamespace: SCALABILITY_ENVELOPE.podsPerNamespace,
  };
  const pki = await createTestPki(mkdtempSync(join(work, 'pki-')), []);
  const token = randomBytes(16).toString('hex');
  const server = await startListFixtureServer({
    collections: fixtureCollections(size, { controllers: CONTROLLERS }),
    namespaces: size.namespaces,
    token,
    cert: readFileSync(pki.serving.cert, 'utf8'),
    key: readFileSync(pki.serving.key, 'utf8'),
  });
  const kubeconfig = join(work, `fixture-${scale}.kubeconfig`);
  writeFileSync(kubeconfig, renderKubeconfig(server.url, readFileSync(pki.caCert, 'utf8'), 'bench', { token }));
  try {
    const runs: ClusterScanRun[] = [];
    const intervals: number[] = [];
    const serverCpuMs: number[] = [];
    let listed = 0;
    for (let run = 0; run < RUNS; run++) {
      const before = server.stats.items;
      const firstInterval = server.stats.pageIntervalsMs.length;
      // This process does nothing else meanwhile: its CPU time is the server's (generating, serialising, TLS).
      const cpuBefore = process.cpuUsage();
      runs.push(await runClusterScan(root, kubeconfig, outputFile));
      const cpu = process.cpuUsage(cpuBefore);
      serverCpuMs.push((cpu.user + cpu.system) / 1000);
      listed = server.stats.items - before;
      // The first interval of a run spans the previous run's exit and this one's startup.
      intervals.push(...server.stats.pageIntervalsMs.slice(firstInterval + (run > 0 ? 1 : 0)));
    }
    return {
      scale,
      namespaces: size.namespaces,
      pods: size.namespaces * size.podsPerNamespace,
      services: size.namespaces,
      ownersServed: CONTROLLERS,
      ...summarise(runs, listed),
      pageMs: { p50: +percentile(intervals, 50).toFixed(1), p99: +percentile(intervals, 99).toFixed(1) },
      serverCpuMs: { p50: Math.round(percentile(serverCpuMs, 50)) },
      megabytesServedPerRun: Math.round(server.stats.bytes / RUNS / 1e6),
    };
  } finally {
    await server.close();
  }
}

async function apiserverScenario(): Promise<Record<string, unknown>> {
  const cp = await startControlPlane();
  try {
    const load = await loadApiserverCluster(cp, APISERVER_CLUSTER);
    const runs: ClusterScanRun[] = [];
    for (let run = 0; run < RUNS; run++) runs.push(await runClusterScan(root, cp.adminKubeconfig, outputFile));
    // Every object a scan reads is scanned here: no controller-manager, so no Pod has an owner.
    return {
      ...APISERVER_CLUSTER,
      apiserver: cp.version,
      loadMs: Math.round(load.ms),
      loadObjectsPerSecond: Math.round(load.created / (load.ms / 1000)),
      ...summarise(runs, runs[0]!.objects),
    };
  } finally {
    await cp.stop();
  }
}

try {
  const result: Record<string, unknown> = { bench: 'cluster', node: process.version };
  if (PARTS.includes('fixture')) {
    const fixture = [];
    for (const scale of SCALES) fixture.push(await fixtureScenario(scale));
    result['fixture'] = fixture;
    if (fixture.length > 1) {
      const [small, large] = [fixture[0]!, fixture[fixture.length - 1]!];
      result['fixturePeakRssRatio'] = +((large['peakRssMb'] as number) / (small['peakRssMb'] as number)).toFixed(2);
      result['fixtureObjectsRatio'] = +((large['objectsListed'] as number) / (small['objectsListed'] as number)).toFixed(2);
    }
  }
  if (PARTS.includes('apiserver')) result['apiserver'] = await apiserverScenario();
  console.log(JSON.stringify(result));
} finally {
  rmSync(work, { recursive: true, force: true });
}

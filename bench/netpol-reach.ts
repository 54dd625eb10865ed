/**
 * The reachability part of `npm run bench:netpol`: the full connectivity matrix for 5,000 Pods (1,000 Deployments in
 * 100 namespaces, Pods read as from a cluster: Pod → ReplicaSet → Deployment) under 1,000 NetworkPolicies, computed
 * by the engine (buildNetworkModel + Reachability + reachMatrix) as built (dist/, what users run: `npm run build`
 * first, which the bench:netpol script does). Each run is a child process, so its peak RSS is its own; the time
 * measured starts with the objects in memory (as after a cluster read) and ends with the matrix.
 * Also measured: single-cell queries (engine.ports for random pairs) after the engine has been built, and the
 * per-connection evaluation (evaluateConnection) that explain and flow replay use.
 *
 * Sizes: BENCH_NAMESPACES (100), BENCH_DEPLOYMENTS (10 per namespace), BENCH_PODS (5 per Deployment),
 * BENCH_POLICIES (1,000 in all), BENCH_RUNS (5).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { percentile } from './percentile.js';
import { reachFixture } from './netpol-reach-fixture.js';
import type { ReachFixtureSize } from './netpol-reach-fixture.js';

type NetworkEngine = typeof import('../src/network/index.js');
const DIST = join(dirname(fileURLToPath(import.meta.url)), '../dist/network/index.js');

const SIZE: ReachFixtureSize = {
  namespaces: Number(process.env['BENCH_NAMESPACES'] ?? 100),
  deploymentsPerNamespace: Number(process.env['BENCH_DEPLOYMENTS'] ?? 10),
  podsPerDeployment: Number(process.env['BENCH_PODS'] ?? 5),
  policies: Number(process.env['BENCH_POLICIES'] ?? 1000),
};
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const CHILD_FLAG = '--netpol-reach-child';

interface ChildResult {
  pods: number;
  policies: number;
  groups: number;
  edges: number;
  modelMs: number;
  matrixMs: number;
  totalMs: number;
  /** CPU time (user + system) of the timed part: what the machine's other load does not inflate. */
  cpuMs: number;
  cellUs: { p50: number; p99: number };
  connectionUs: { p50: number; p99: number };
  maxRssKb: number;
}

/** One run, in this process: what a child prints. */
async function runOnce(): Promise<ChildResult> {
  if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run \`npm run build\` first`);
  const { buildNetworkModel, evaluateConnection, Reachability, reachMatrix } = (await import(pathToFileURL(DIST).href)) as NetworkEngine;
  const objects = reachFixture(SIZE);
  const pods = objects.filter((o) => o.kind === 'Pod').length;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const model = buildNetworkModel(objects, { podsFrom: 'pods' });
  const modelDone = performance.now();
  const engine = new Reachability(model);
  const matrix = reachMatrix(model, engine);
  const done = performance.now();
  const cpuUsed = process.cpuUsage(cpu);
  let edges = 0;
  for (const row of matrix.rows) edges += row.to.length;

  // Cell queries and per-connection verdicts on pseudo-random pairs (a fixed linear congruential sequence).
  let seed = 12345;
  const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const cells: number[] = [];
  const connections: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const [a, b] = [next(model.groups.length), next(model.groups.length)];
    let t = performance.now();
    engine.ports(a, b);
    cells.push((performance.now() - t) * 1000);
    t = performance.now();
    evaluateConnection(model.lookup, { from: { kind: 'pod', pod: model.groups[a]! }, to: { kind: 'pod', pod: model.groups[b]! }, port: 8000 + (i % 11), protocol: 'TCP' });
    connections.push((performance.now() - t) * 1000);
  }
  const us = (values: number[]) => ({ p50: +percentile(values, 50).toFixed(2), p99: +percentile(values, 99).toFixed(2) });
  return {
    pods,
    policies: model.policies.length,
    groups: model.groups.length,
    edges,
    modelMs: modelDone - started,
    matrixMs: done - modelDone,
    totalMs: done - started,
    cpuMs: (cpuUsed.user + cpuUsed.system) / 1000,
    cellUs: us(cells),
    connectionUs: us(connections),
    maxRssKb: process.resourceUsage().maxRSS,
  };
}

/** Runs the benchmark in child processes and returns its figures (one object, for the bench:netpol JSON line). */
export function benchReach(): Record<string, unknown> {
  const results: ChildResult[] = [];
  for (let run = 0; run < RUNS; run++) {
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), CHILD_FLAG], { encoding: 'utf8', env: process.env, maxBuffer: 1 << 26 });
    const line = child.stdout.split('\n').find((l) => l.startsWith('{'));
    if (child.status !== 0 || !line) throw new Error(`reach benchmark run failed: ${child.stderr.slice(0, 2000)}`);
    results.push(JSON.parse(line) as ChildResult);
  }
  const first = results[0]!;
  const totals = results.map((r) => r.totalMs);
  const p50 = percentile(totals, 50);
  const pairs = first.groups * first.groups;
  return {
    pods: first.pods,
    policies: first.policies,
    workloads: first.groups,
    workloadPairs: pairs,
    allowedEdges: first.edges,
    runs: RUNS,
    podsPerSecond: Math.round(first.pods / (p50 / 1000)),
    workloadPairsPerSecond: Math.round(pairs / (p50 / 1000)),
    totalMs: { p50: Math.round(p50), p99: Math.round(percentile(totals, 99)) },
    cpuMs: { p50: Math.round(percentile(results.map((r) => r.cpuMs), 50)) },
    modelMs: { p50: Math.round(percentile(results.map((r) => r.modelMs), 50)) },
    matrixMs: { p50: Math.round(percentile(results.map((r) => r.matrixMs), 50)) },
    cellQueryUs: first.cellUs,
    connectionVerdictUs: first.connectionUs,
    peakRssMb: Math.round(Math.max(...results.map((r) => r.maxRssKb)) / 1024),
    // The machine is shared: wall times depend on its load, CPU time much less.
    loadAverage1m: +loadavg()[0]!.toFixed(1),
  };
}

if (process.argv.includes(CHILD_FLAG)) process.stdout.write(`${JSON.stringify(await runOnce())}\n`);

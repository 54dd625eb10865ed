/**
 * The flows part of `npm run bench:netpol` (bench/netpol.bench.ts calls `benchFlows`): `aspis netpol generate` (the
 * built CLI, dist/) on 1,000,000 flows and on 100,000 flows over the same distinct edges, each run a child process pinned to one core
 * (`taskset -c 0` when available) that reads the inventory and the flow file, aggregates, plans, writes the
 * policies to a directory and replays every edge, exactly as the command does. Each child reports its own wall time
 * (from the command's start, modules loaded), CPU time, peak RSS and the heap still live after a full collection:
 * the live heap is the same at both sizes (it holds the edges); peak RSS differs only by garbage V8 had not yet
 * collected.
 *
 * Fixture: BENCH_FLOW_NAMESPACES (20) namespaces × 10 Deployments × 2 Pods with addresses (as read from a cluster:
 * Pod → ReplicaSet → Deployment), a ClusterIP Service per Deployment; flows as Aspis JSON Lines from pod addresses to
 * Service addresses (70%, translated to the target port), to pod addresses (25%) and to 20 outside addresses (5%),
 * cycling through a fixed set of distinct edges. BENCH_FLOWS (1,000,000), BENCH_FLOW_RUNS (3).
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { percentile } from './percentile.js';
import type { KubeObject } from '../src/core/model/resource.js';

const NAMESPACES = Number(process.env['BENCH_FLOW_NAMESPACES'] ?? 20);
const DEPLOYMENTS = 10;
const PODS = 2;
const FLOWS = Number(process.env['BENCH_FLOWS'] ?? 1_000_000);
const SMALL = Math.round(FLOWS / 10);
const RUNS = Number(process.env['BENCH_FLOW_RUNS'] ?? 3);
const CHILD_FLAG = '--netpol-flows-child';

const podIp = (n: number, d: number, p: number) => `10.${1 + Math.floor(n / 50)}.${(n % 50) * 5 + Math.floor(d / 2)}.${(d % 2) * 100 + p + 1}`;
const serviceIp = (n: number, d: number) => `10.96.${n}.${d + 1}`;

function inventory(): KubeObject[] {
  const objects: KubeObject[] = [];
  for (let n = 0; n < NAMESPACES; n++) {
    const ns = `team-${n}`;
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    for (let d = 0; d < DEPLOYMENTS; d++) {
      const app = `app-${d}`;
      const labels = { app, team: `team-${n % 5}` };
      const containers = [{ name: 'main', image: 'registry.example.com/app:1', ports: [{ name: 'http', containerPort: 8000 + d }, { name: 'metrics', containerPort: 9090 }] }];
      objects.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: app, namespace: ns, uid: `d-${n}-${d}` }, spec: { replicas: PODS, selector: { matchLabels: { app } }, template: { metadata: { labels }, spec: { containers } } } });
      objects.push({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: `${app}-7c9f`, namespace: ns, uid: `rs-${n}-${d}`, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: app, uid: `d-${n}-${d}`, controller: true }] },
        spec: { selector: { matchLabels: { app, 'pod-template-hash': '7c9f' } }, template: { metadata: { labels: { ...labels, 'pod-template-hash': '7c9f' } }, spec: { containers } } },
      });
      for (let p = 0; p < PODS; p++) {
        objects.push({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `${app}-7c9f-${p}`, namespace: ns, labels: { ...labels, 'pod-template-hash': '7c9f' }, creationTimestamp: '2026-04-01T00:00:00Z', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-7c9f`, uid: `rs-${n}-${d}`, controller: true }] },
          spec: { containers },
          status: { phase: 'Running', podIP: podIp(n, d, p), podIPs: [{ ip: podIp(n, d, p) }] },
        });
      }
      objects.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: app, namespace: ns }, spec: { clusterIP: serviceIp(n, d), selector: { app }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } });
    }
  }
  return objects;
}

/** The i-th flow line: every one of the EDGE_CYCLE (source pod, destination, port) patterns recurs every EDGE_CYCLE lines. */
const EDGE_CYCLE = 4_000;
function flowLine(i: number, start: number): string {
  const k = i % EDGE_CYCLE;
  const n = k % NAMESPACES;
  const d = Math.floor(k / NAMESPACES) % DEPLOYMENTS;
  const variant = Math.floor(k / (NAMESPACES * DEPLOYMENTS));
  const time = new Date(start + i * 10).toISOString();
  const source = podIp(n, d, i % PODS);
  const other = (d + 1 + (variant % (DEPLOYMENTS - 1))) % DEPLOYMENTS;
  let destination: string;
  let port: number;
  switch (variant % 4) {
    case 0:
      destination = `203.0.113.${1 + (variant % 20)}`;
      port = 443;
      break;
    case 1:
      destination = podIp(n, other, (i + 1) % PODS);
      port = variant % 8 === 1 ? 9090 : 8000 + other;
      break;
    default:
      // Another namespace's Service now and then: cross-namespace edges.
      destination = serviceIp(variant % 5 === 2 ? (n + 1) % NAMESPACES : n, other);
      port = 80;
  }
  return `{"time":"${time}","source":{"ip":"${source}"},"destination":{"ip":"${destination}"},"protocol":"TCP","port":${port}}\n`;
}

async function writeFlows(path: string, count: number): Promise<void> {
  const out = createWriteStream(path);
  const start = Date.UTC(2026, 4, 1);
  let chunk = '';
  for (let i = 0; i < count; i++) {
    chunk += flowLine(i, start);
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      chunk = '';
    }
  }
  out.write(chunk);
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

interface ChildResult {
  code: number;
  ms: number;
  cpuMs: number;
  maxRssKb: number;
  /** Heap still in use after the command and a full collection: what the run keeps, garbage aside. */
  liveHeapKb: number;
  built: boolean;
  stderr: string;
}

/** The CLI as built (`npm run build`, what bin/aspis.js runs); the sources through tsx when it is not built. */
const BUILT = join(dirname(fileURLToPath(import.meta.url)), '../dist/cli/main.js');

/** One `aspis netpol generate` run, in this process (the child). */
async function runChild(flows: string, manifests: string, out: string): Promise<void> {
  const { main } = (await import(existsSync(BUILT) ? pathToFileURL(BUILT).href : '../src/cli/main.js')) as { main(argv: string[]): Promise<number> };
  // The command's summary goes to stderr; keep its last lines for the report, not the terminal.
  let stderr = '';
  process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const code = await main(['node', 'aspis', 'netpol', 'generate', '--flows', flows, '-f', manifests, '--output-dir', out]);
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const maxRssKb = process.resourceUsage().maxRSS;
  (globalThis as { gc?: () => void }).gc?.();
  const liveHeapKb = Math.round(process.memoryUsage().heapUsed / 1024);
  const result: ChildResult = { code, ms, cpuMs: (used.user + used.system) / 1000, maxRssKb, liveHeapKb, built: existsSync(BUILT), stderr: stderr.slice(-2000) };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/**
 * The parent's loader options (tsx's --import/--require), without what would make the child run something else
 * (`--eval` code that starts this benchmark again) or repeat flags.
 */
function loaderArgs(): string[] {
  const out: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (['--eval', '-e', '--print', '-p'].includes(arg)) i++;
    else if ((arg === '--import' || arg === '--require' || arg === '--loader') && i + 1 < args.length) out.push(arg, args[++i]!);
    else if (arg.startsWith('--import=') || arg.startsWith('--require=') || arg.startsWith('--loader=')) out.push(arg);
  }
  return out;
}

function spawnRun(flows: string, manifests: string, out: string): ChildResult {
  const node = ['--expose-gc', ...loaderArgs(), fileURLToPath(import.meta.url), CHILD_FLAG, flows, manifests, out];
  const pinned = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  const child = pinned ? spawnSync('taskset', ['-c', '0', process.execPath, ...node], { encoding: 'utf8', maxBuffer: 1 << 26 }) : spawnSync(process.execPath, node, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const line = child.stdout.split('\n').find((l) => l.startsWith('{'));
  if (child.status !== 0 || !line) throw new Error(`flows benchmark run failed: ${child.stderr.slice(0, 2000)}`);
  const result = JSON.parse(line) as ChildResult;
  if (result.code !== 0) throw new Error(`aspis netpol generate exited ${result.code}: ${result.stderr}`);
  return result;
}

export async function benchFlows(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'aspis-bench-flows-'));
  try {
    const manifests = join(dir, 'inventory.json');
    const objects = inventory();
    writeFileSync(manifests, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    const large = join(dir, 'flows-large.jsonl');
    const small = join(dir, 'flows-small.jsonl');
    await writeFlows(large, FLOWS);
    await writeFlows(small, SMALL);
    const runs = (flows: string) => Array.from({ length: RUNS }, (_, i) => spawnRun(flows, manifests, join(dir, `out-${i}`)));
    const big = runs(large);
    const little = runs(small);
    const edges = /\((\d+) edges\)/.exec(big[0]!.stderr)?.[1];
    const p50 = (values: number[]) => Math.round(percentile(values, 50));
    const wall = p50(big.map((r) => r.ms));
    return {
      flows: FLOWS,
      pods: objects.filter((o) => o.kind === 'Pod').length,
      distinctEdges: edges === undefined ? undefined : Number(edges),
      runs: RUNS,
      built: big[0]!.built,
      oneCore: spawnSync('taskset', ['-c', '0', 'true']).status === 0,
      flowsPerSecond: Math.round(FLOWS / (wall / 1000)),
      wallMs: { p50: wall, p99: Math.round(percentile(big.map((r) => r.ms), 99)) },
      cpuMs: { p50: p50(big.map((r) => r.cpuMs)) },
      peakRssMb: Math.round(Math.max(...big.map((r) => r.maxRssKb)) / 1024),
      liveHeapMb: Math.round(Math.max(...big.map((r) => r.liveHeapKb)) / 1024),
      small: {
        flows: SMALL,
        wallMs: { p50: p50(little.map((r) => r.ms)) },
        cpuMs: { p50: p50(little.map((r) => r.cpuMs)) },
        peakRssMb: Math.round(Math.max(...little.map((r) => r.maxRssKb)) / 1024),
        liveHeapMb: Math.round(Math.max(...little.map((r) => r.liveHeapKb)) / 1024),
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes(CHILD_FLAG)) {
  const [flows, manifests, out] = process.argv.slice(process.argv.indexOf(CHILD_FLAG) + 1);
  await runChild(flows!, manifests!, out!);
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // Run on its own (`npx tsx bench/netpol-flows.ts`): this part's JSON line only.
  console.log(JSON.stringify({ bench: 'netpol-flows', ...(await benchFlows()) }));
}

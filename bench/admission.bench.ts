/**
 * `npm run bench:admission`: the admission webhook under load. Prints one JSON line per part:
 *
 *  (stack)  node:https vs fastify 5 serving the same handler: reviews/s and latency, to choose the HTTP stack;
 *  (server) N keep-alive HTTPS clients (autocannon, in this process) posting real Pod AdmissionReviews — the
 *           PodSecurity admission fixtures for restricted v1.34, passing and violating, dressed as the apiserver
 *           sends them — to the webhook (its own process) enforcing + warning + auditing PSS restricted with
 *           history recording on: throughput, client latency p50/p99/p99.9, server evaluation p50/p99/p99.9, peak
 *           RSS. ADMISSION_SOAK_SECONDS=600 instead runs a soak and reports RSS every 10 % of it;
 *  (h2)     the webhook's CPU per review over one HTTP/2 connection with 200 reviews in flight, as the apiserver
 *           calls it (see h2Part);
 *  (e2e)    pod CREATE latency through a real kube-apiserver at 50 and 200 concurrent clients, in a namespace the
 *           webhook is registered for and in one it is not: added p50/p99, CPU per create of every process (see
 *           e2ePart for its options: null webhook, pinning, open loop, profiles).
 *
 * Env: ADMISSION_BENCH_PARTS (default stack,server,h2,e2e), ADMISSION_BENCH_SECONDS (10), ADMISSION_BENCH_CONNECTIONS
 * (64), ADMISSION_E2E_PODS (pods per run, default 3000). Each line also carries the load average when measured:
 * the machine may be shared.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Agent, request as httpsRequest } from 'node:https';
import autocannon from 'autocannon';
import jsyaml from 'js-yaml';
import { corpusDir, readCsv } from '../test/corpora/corpus-location.js';
import { reviewOf, restrictedPod } from '../test/webhook/review-of.js';
import type { KubeObject } from '../src/core/model/resource.js';
import { percentile } from './percentile.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PARTS = (process.env['ADMISSION_BENCH_PARTS'] ?? 'stack,server,h2,e2e').split(',');
const SECONDS = Number(process.env['ADMISSION_BENCH_SECONDS'] ?? 10);
const CONNECTIONS = Number(process.env['ADMISSION_BENCH_CONNECTIONS'] ?? 64);
const SOAK_SECONDS = Number(process.env['ADMISSION_SOAK_SECONDS'] ?? 0);
const E2E_PODS = Number(process.env['ADMISSION_E2E_PODS'] ?? 3000);
const E2E_ROUNDS = Number(process.env['ADMISSION_E2E_ROUNDS'] ?? 3);

function load(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}

/** What the apiserver adds to a Pod before admission webhooks see it (defaults and the service-account volume). */
function asAdmitted(pod: KubeObject, i: number): KubeObject {
  const spec = structuredClone(pod['spec']) as Record<string, unknown>;
  const containers = (spec['containers'] as Record<string, unknown>[]) ?? [];
  for (const c of containers) {
    Object.assign(c, {
      imagePullPolicy: 'IfNotPresent',
      resources: {},
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      volumeMounts: [...((c['volumeMounts'] as unknown[]) ?? []), { name: 'kube-api-access-x7k2p', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }],
    });
  }
  Object.assign(spec, {
    dnsPolicy: 'ClusterFirst',
    enableServiceLinks: true,
    preemptionPolicy: 'PreemptLowerPriority',
    priority: 0,
    restartPolicy: 'Always',
    schedulerName: 'default-scheduler',
    serviceAccount: 'default',
    serviceAccountName: 'default',
    terminationGracePeriodSeconds: 30,
    tolerations: [
      { effect: 'NoExecute', key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 300 },
      { effect: 'NoExecute', key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 300 },
    ],
    volumes: [
      ...((spec['volumes'] as unknown[]) ?? []),
      {
        name: 'kube-api-access-x7k2p',
        projected: {
          defaultMode: 420,
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
          ],
        },
      },
    ],
  });
  const metadata = pod.metadata ?? {};
  return {
    ...pod,
    metadata: { ...metadata, name: `${String(metadata.name).replace(/_/g, '-')}-${i}`, uid: `0b1c2d3e-${String(i).padStart(4, '0')}-4f5a-9b8c-7d6e5f4a3b2c`, creationTimestamp: null, labels: { app: 'bench', 'pod-template-hash': '5d4c8b7f9' } },
    spec,
  };
}

/** Review bodies: every restricted v1.34 fixture (pass and fail) as the apiserver would post it. */
function reviewBodies(): { bodies: string[]; passing: number } {
  const corpus = corpusDir('pod-security-admission');
  const rows = readCsv(readFileSync(join(corpus, 'index.csv'), 'utf8')).filter((r) => r['level'] === 'restricted' && r['version'] === 'v1.34');
  const bodies: string[] = [];
  let passing = 0;
  rows.forEach((row, i) => {
    const pod = jsyaml.load(readFileSync(join(corpus, row['path']!), 'utf8'), { schema: jsyaml.CORE_SCHEMA }) as KubeObject;
    if (row['expected'] === 'allow') passing++;
    bodies.push(JSON.stringify(reviewOf(asAdmitted(pod, i), { namespace: 'team-a', username: 'system:serviceaccount:kube-system:replicaset-controller' })));
  });
  // Interleave passing and violating reviews so every connection sees both.
  const pass = bodies.filter((_, i) => rows[i]!['expected'] === 'allow');
  const fail = bodies.filter((_, i) => rows[i]!['expected'] !== 'allow');
  const mixed: string[] = [];
  for (let i = 0; i < Math.max(pass.length, fail.length); i++) mixed.push(pass[i % pass.length]!, fail[i % fail.length]!);
  return { bodies: mixed, passing };
}

interface ServerChild {
  port: number;
  pid: number;
  caCert: string;
  stats(): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

async function startServer(env: Record<string, string>): Promise<ServerChild> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench/admission-server.ts')], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = () => new Promise<string>((resolveLine) => waiting.push(resolveLine));
  const ready = await next();
  const match = /^READY (\d+) (.*)$/.exec(ready);
  if (!match) throw new Error(`server did not start: ${ready}`);
  return {
    port: Number(match[1]),
    pid: child.pid!,
    caCert: JSON.parse(match[2]!) as string,
    async stats() {
      child.stdin.write('STATS\n');
      return JSON.parse((await next()).slice('STATS '.length)) as Record<string, unknown>;
    },
    async stop() {
      child.stdin.write('STOP\n');
      await new Promise((done) => child.once('exit', done));
    },
  };
}

async function cannon(port: number, bodies: string[], seconds: number, connections: number) {
  const result = await autocannon({
    url: `https://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    requests: bodies.map((body) => ({ method: 'POST', path: '/validate', headers: { 'content-type': 'application/json' }, body })),
  });
  const latency = result.latency as unknown as Record<string, number>;
  return {
    reviewsPerSecond: Math.round(result.requests.average),
    total: result.requests.total,
    errors: result.errors + result.timeouts + result.non2xx,
    latencyMs: { p50: latency['p50'], p99: latency['p99'], p999: latency['p99_9'] },
  };
}

/** The same handler behind each HTTP stack, rounds interleaved against drift on a shared host; medians reported. */
async function stackPart(bodies: string[]): Promise<void> {
  const STACKS = ['node', 'https', 'fastify'];
  const rounds: Record<string, { reviewsPerSecond: number; cpuUsPerReview: number; latencyMs: unknown; loadAverage: number }[]> = {};
  for (let round = 0; round < 3; round++) {
    for (const stack of STACKS) {
      const server = await startServer({ ADMISSION_STACK: stack });
      await cannon(server.port, bodies, 2, CONNECTIONS); // warm-up
      const loadBefore = load();
      const cpuBefore = cpuSecondsOf(server.pid);
      const run = await cannon(server.port, bodies, SECONDS, CONNECTIONS);
      const cpuUsPerReview = Math.round(((cpuSecondsOf(server.pid) - cpuBefore) * 1e6) / run.total);
      await server.stop();
      (rounds[stack] ??= []).push({ reviewsPerSecond: run.reviewsPerSecond, cpuUsPerReview, latencyMs: run.latencyMs, loadAverage: loadBefore });
    }
  }
  const results: Record<string, unknown> = {};
  for (const stack of STACKS) {
    const list = rounds[stack]!;
    results[stack === 'node' ? 'node:http2 (webhook server)' : stack === 'https' ? 'node:https' : 'fastify 5'] = {
      // CPU time per review is the hot-path cost; throughput on a shared host mostly measures the neighbours.
      medianCpuUsPerReview: percentile(list.map((r) => r.cpuUsPerReview), 50),
      medianReviewsPerSecond: percentile(list.map((r) => r.reviewsPerSecond), 50),
      rounds: list,
    };
  }
  console.log(JSON.stringify({ bench: 'admission-http-stack', clients: 'HTTP/1.1 keep-alive (autocannon)', connections: CONNECTIONS, seconds: SECONDS, ...results }));
}

interface CliServer {
  port: number;
  pid: number;
  caCert: string;
  stop(): Promise<void>;
}

/** `aspis webhook serve` as users run it (compiled CLI, its own process), namespace labels watched from `kubeconfig`. */
async function startCli(kubeconfig: string, dir: string, history: string | undefined, nodeArgs: string[] = [], nullWebhook = false): Promise<CliServer> {
  const { createWebhookCertificates } = await import('../src/server/webhook/webhook-certs.js');
  const certs = await createWebhookCertificates({ service: 'aspis-webhook', namespace: 'aspis', extraNames: ['127.0.0.1'] });
  writeFileSync(join(dir, 'tls.crt'), certs.cert);
  writeFileSync(join(dir, 'tls.key'), certs.key);
  writeFileSync(join(dir, 'none.yaml'), '{}\n');
  writeFileSync(join(dir, 'webhook.yaml'), history ? `history:\n  file: ${history}\n` : '{}\n');
  const args = nullWebhook
    ? ['--import', import.meta.resolve('tsx'), join(root, 'bench/null-webhook.ts'), '--cert', join(dir, 'tls.crt'), '--key', join(dir, 'tls.key')]
    : [join(root, 'bin/aspis.js'), 'webhook', 'serve', '--cert', join(dir, 'tls.crt'), '--key', join(dir, 'tls.key'), '--port', '0', '--host', '127.0.0.1', '--kubeconfig', kubeconfig, '--webhook-config', join(dir, 'webhook.yaml'), '--config', join(dir, 'none.yaml')];
  const child = spawn(process.execPath, [...nodeArgs, ...args], { stdio: ['ignore', 'pipe', 'inherit'], cwd: dir });
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolvePort, reject) => {
    lines.on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg === 'webhook listening') resolvePort(entry.port!);
      if (entry.msg === 'stopped') process.stderr.write(`webhook: ${line}\n`);
    });
    child.once('exit', (code) => reject(new Error(`aspis webhook serve exited with ${code}`)));
  });
  // Ready once the namespace labels are synced.
  for (;;) {
    const ok = await new Promise<boolean>((done) => httpsRequest({ host: '127.0.0.1', port, path: '/readyz', rejectUnauthorized: false }, (res) => { res.resume(); done(res.statusCode === 200); }).on('error', () => done(false)).end());
    if (ok) break;
    await new Promise((done) => setTimeout(done, 50));
  }
  return {
    port,
    pid: child.pid!,
    caCert: certs.caCert,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((done) => child.once('exit', done));
    },
  };
}

/** User + system CPU seconds a process has used (/proc/<pid>/stat, clock ticks of 10 ms). */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** VmRSS and VmHWM (peak) of a process, MB. */
function rssOf(pid: number): { rssMb: number; peakRssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)![1]);
  return { rssMb: Math.round(kb('VmRSS') / 102.4) / 10, peakRssMb: Math.round(kb('VmHWM') / 102.4) / 10 };
}

/** Evaluation alone (parse, evaluate, record, serialize), in this process, one review at a time. */
async function evaluationLatency(bodies: string[]): Promise<{ p50: number; p99: number; p999: number; reviews: number }> {
  const { AdmissionHandler } = await import('../src/server/webhook/admission-handler.js');
  const { AdmissionPolicy } = await import('../src/server/webhook/admission-policy.js');
  const { resolveWebhookConfig } = await import('../src/server/webhook/webhook-config.js');
  const { StaticNamespaceLabels } = await import('../src/server/webhook/namespace-labels.js');
  const { ALL_CHECKS } = await import('../src/checks/index.js');
  const { defaultCheckContext } = await import('../src/core/model/check-context.js');
  const { pino } = await import('pino');
  const restricted = { 'aspis.io/enforce': 'restricted', 'aspis.io/warn': 'restricted', 'aspis.io/audit': 'restricted' };
  const policy = new AdmissionPolicy({ config: resolveWebhookConfig(), catalog: ALL_CHECKS, selected: ALL_CHECKS, ctx: defaultCheckContext(), waivers: [] });
  const samples: number[] = [];
  const handler = new AdmissionHandler({ policy, namespaces: new StaticNamespaceLabels(new Map([['team-a', restricted]])), logger: pino({ level: 'silent' }), observe: (o) => samples.push(o.evaluationNs / 1000) });
  const buffers = bodies.map((b) => Buffer.from(b));
  for (let round = 0; round < 40; round++) for (const body of buffers) await handler.answer('validate', body);
  samples.length = 0;
  for (let round = 0; round < 200; round++) for (const body of buffers) await handler.answer('validate', body);
  samples.sort((a, b) => a - b);
  return { p50: round2(percentile(samples, 50)), p99: round2(percentile(samples, 99)), p999: round2(percentile(samples, 99.9)), reviews: samples.length };
}

async function serverPart(bodies: string[], passing: number): Promise<void> {
  const loadEval = load();
  const evaluation = await evaluationLatency(bodies);
  const { startControlPlane } = await import('../test/harness/control-plane.js');
  const cp = await startControlPlane();
  const dir = mkdtempSync(join(existsShm() ? '/dev/shm' : tmpdir(), 'aspis-admission-bench-'));
  const history = join(dir, 'history.jsonl');
  await cp.createNamespace('team-a', { labels: { 'aspis.io/enforce': 'restricted', 'aspis.io/warn': 'restricted', 'aspis.io/audit': 'restricted' } });
  const server = await startCli(cp.kubeconfigFor('admin'), dir, history);
  const idleRssMb = rssOf(server.pid).rssMb;
  try {
    await cannon(server.port, bodies, 2, CONNECTIONS); // warm-up (JIT)
    if (SOAK_SECONDS > 0) {
      const samples: Record<string, unknown>[] = [];
      const slice = Math.max(1, Math.round(SOAK_SECONDS / 10));
      for (let second = slice; second <= SOAK_SECONDS; second += slice) {
        const loadBefore = load();
        const run = await cannon(server.port, bodies, slice, CONNECTIONS);
        samples.push({ second, ...rssOf(server.pid), reviewsPerSecond: run.reviewsPerSecond, p99Ms: run.latencyMs.p99, loadAverage: loadBefore });
        rmSync(history, { force: true }); // the file, not the process, would grow
      }
      console.log(JSON.stringify({ bench: 'admission-soak', seconds: SOAK_SECONDS, connections: CONNECTIONS, samples }));
      return;
    }
    const loadBefore = load();
    const cpuBefore = cpuSecondsOf(server.pid);
    const run = await cannon(server.port, bodies, SECONDS, CONNECTIONS);
    const cpuUsPerReview = Math.round(((cpuSecondsOf(server.pid) - cpuBefore) * 1e6) / run.total);
    console.log(
      JSON.stringify({
        bench: 'admission-server',
        server: 'aspis webhook serve (node:https), namespace labels watched from a real apiserver',
        policy: 'PSS restricted (enforce+warn+audit), history on',
        reviewBodies: bodies.length,
        passingFixtures: passing,
        connections: CONNECTIONS,
        seconds: SECONDS,
        ...run,
        ...rssOf(server.pid),
        idleRssMb,
        serverCpuUsPerReview: cpuUsPerReview,
        evaluationUs: { ...evaluation, loadAverage: loadEval },
        loadAverage: loadBefore,
        loadAverageAfter: load(),
      }),
    );
  } finally {
    await server.stop();
    await cp.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function existsShm(): boolean {
  try {
    return readFileSync('/proc/mounts', 'utf8').includes(' /dev/shm ');
  } catch {
    return false;
  }
}

/** Everything one e2e run spent: CPU per process and the webhook's socket bytes, read from /proc before and after. */
interface Counters {
  cpu: Record<string, number>;
  webhookIo?: { read: number; written: number };
  webhookCalls?: { count: number; sum: number; buckets: Map<string, number> };
}

/** Bytes a process read and wrote through syscalls (sockets included, TLS records as sent): /proc/<pid>/io. */
function ioOf(pid: number): { read: number; written: number } {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const field = (key: string) => Number(new RegExp(`^${key}: (\\d+)`, 'm').exec(io)![1]);
  return { read: field('rchar'), written: field('wchar') };
}

/** The apiserver's own histogram of calls to our webhook (apiserver_admission_webhook_admission_duration_seconds). */
function webhookCallsOf(metrics: string): { count: number; sum: number; buckets: Map<string, number> } {
  const lines = metrics.split('\n').filter((l) => l.startsWith('apiserver_admission_webhook_admission_duration_seconds') && l.includes('name="validate.aspis.io"') && l.includes('rejected="false"'));
  const buckets = new Map<string, number>();
  let count = 0;
  let sum = 0;
  for (const line of lines) {
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    const le = /le="([^"]+)"/.exec(line)?.[1];
    if (line.includes('_bucket{') && le) buckets.set(le, (buckets.get(le) ?? 0) + value);
    else if (line.includes('_count{')) count += value;
    else if (line.includes('_sum{')) sum += value;
  }
  return { count, sum, buckets };
}

/** Pins every thread of a process to the given CPUs (taskset -a). */
async function pin(pid: number, cpus: string): Promise<void> {
  await new Promise<void>((done, fail) => {
    const child = spawn('taskset', ['-a', '-cp', cpus, String(pid)], { stdio: 'ignore' });
    child.once('exit', (code) => (code === 0 ? done() : fail(new Error(`taskset ${cpus} ${pid} exited with ${code}`))));
  });
}

/**
 * Env of the e2e part: ADMISSION_E2E_CLIENTS (default 50,200), ADMISSION_E2E_PIN=split (the webhook alone on CPU 1;
 * apiserver, etcd and the clients on CPU 0: the webhook on its own node, as in Kyverno's published test),
 * ADMISSION_E2E_HISTORY=off (no review history), ADMISSION_E2E_NODE_ARGS (extra node flags for the webhook process,
 * e.g. --cpu-prof --cpu-prof-dir=DIR), ADMISSION_E2E_WEBHOOK=null (bench/null-webhook.ts instead of Aspis: a webhook
 * that evaluates nothing, the floor of what any webhook adds), ADMISSION_E2E_PERF=DIR (a `perf record -g` of the apiserver per run, in DIR: its
 * binary is stripped, resolve addresses with `go tool addr2line`), ADMISSION_E2E_RATE=N (open loop: the clients
 * offer N creates/s in total instead of each creating again as soon as it is answered, so the apiserver is not run
 * at saturation; at most `clients` in flight, latency counted from when each create was due).
 */
async function e2ePart(): Promise<void> {
  const { startControlPlane } = await import('../test/harness/control-plane.js');
  const { registerWebhook } = await import('../test/webhook/running-webhook.js');
  const clientCounts = (process.env['ADMISSION_E2E_CLIENTS'] ?? '50,200').split(',').map(Number);
  const pinning = process.env['ADMISSION_E2E_PIN'] ?? '';
  const history = process.env['ADMISSION_E2E_HISTORY'] !== 'off';
  const nodeArgs = (process.env['ADMISSION_E2E_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const perfDir = process.env['ADMISSION_E2E_PERF'];
  const rate = Number(process.env['ADMISSION_E2E_RATE'] ?? 0);
  const webhookKind = process.env['ADMISSION_E2E_WEBHOOK'] ?? 'aspis';
  if (webhookKind !== 'aspis' && webhookKind !== 'null') throw new Error(`ADMISSION_E2E_WEBHOOK must be "aspis" or "null", got "${webhookKind}"`);
  const cp = await startControlPlane();
  const dir = mkdtempSync(join(existsShm() ? '/dev/shm' : tmpdir(), 'aspis-admission-e2e-'));
  const server = await startCli(cp.kubeconfigFor('admin'), dir, history ? join(dir, 'history.jsonl') : undefined, nodeArgs, webhookKind === 'null');
  const pids: Record<string, number> = { apiserver: cp.pids.apiserver, etcd: cp.pids.etcd, webhook: server.pid };
  if (pinning === 'split') {
    await pin(server.pid, '1');
    for (const pid of [cp.pids.apiserver, cp.pids.etcd, process.pid]) await pin(pid, '0');
  } else if (pinning !== '') throw new Error(`ADMISSION_E2E_PIN must be "split" or unset, got "${pinning}"`);
  try {
    await cp.createNamespace('bench-plain');
    await cp.createNamespace('bench-aspis', { labels: { 'aspis.io/enforce': 'restricted', 'aspis.io/warn': 'restricted', 'aspis.io/audit': 'restricted' } });
    await registerWebhook(cp, { url: `https://127.0.0.1:${server.port}`, certs: { caCert: server.caCert } } as never, {
      timeoutSeconds: 10,
      namespaceSelector: { matchExpressions: [{ key: 'aspis.io/enforce', operator: 'Exists' }] },
    });
    // Wait until the apiserver calls the webhook (a violating pod is denied by it).
    for (const deadline = Date.now() + 30_000; ; ) {
      const r = await cp.request<{ message?: string }>('POST', '/api/v1/namespaces/bench-aspis/pods?dryRun=All', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'probe' }, spec: { containers: [{ name: 'a', image: 'x', securityContext: { privileged: true } }] } });
      if (webhookKind === 'aspis' ? r.status === 403 && JSON.stringify(r.body).includes('validate.aspis.io') : r.status === 201) break;
      if (Date.now() > deadline) throw new Error('webhook not called');
      await new Promise((done) => setTimeout(done, 100));
    }
    const admin = readFileSync(cp.kubeconfigFor('admin'), 'utf8');
    const cert = /client-certificate-data: (\S+)/.exec(admin)![1]!;
    const key = /client-key-data: (\S+)/.exec(admin)![1]!;
    const url = new URL(cp.server);
    const podBody = JSON.stringify({ ...restrictedPod('x'), metadata: { generateName: 'bench-' } });
    const counters = async (): Promise<Counters> => {
      const cpu: Record<string, number> = {};
      for (const [name, pid] of Object.entries(pids)) cpu[name] = cpuSecondsOf(pid);
      const own = process.cpuUsage();
      cpu['clients'] = (own.user + own.system) / 1e6;
      const metrics = await cp.request<string>('GET', '/metrics');
      return { cpu, webhookIo: ioOf(server.pid), webhookCalls: webhookCallsOf(String(metrics.body)) };
    };
    type Run = { creates: number; createsPerSecond: number; p50: number; p99: number; cpuUsPerCreate: Record<string, number>; loadAverage: number; webhook?: Record<string, unknown> };
    const rounds: Record<string, Run[]> = {};
    // Plain and webhook runs alternate, round after round, so a change in the shared host's load hits both alike.
    const runs = Array.from({ length: E2E_ROUNDS }, () => clientCounts.flatMap((clients) => ['bench-plain', 'bench-aspis'].map((ns) => ({ clients, ns })))).flat();
    for (const { clients, ns } of runs) {
      const agent = new Agent({ keepAlive: true, maxSockets: clients, ca: cp.caCert, cert: Buffer.from(cert, 'base64'), key: Buffer.from(key, 'base64') });
      const create = () =>
        new Promise<number>((done, fail) => {
          const started = performance.now();
          const req = httpsRequest(
            { host: url.hostname, port: url.port, method: 'POST', path: `/api/v1/namespaces/${ns}/pods`, agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(podBody) } },
            (res) => {
              res.resume();
              res.on('end', () => (res.statusCode === 201 ? done(performance.now() - started) : fail(new Error(`HTTP ${res.statusCode}`))));
            },
          );
          req.on('error', fail);
          req.end(podBody);
        });
      // Warm-up: open the connections.
      await Promise.all(Array.from({ length: clients }, () => create()));
      const latencies: number[] = [];
      let next = 0;
      const loadBefore = load();
      const before = await counters();
      const runName = `${ns === 'bench-aspis' ? 'webhook' : 'plain'}@${clients}`;
      const perf = perfDir ? spawn('perf', ['record', '-F', '499', '-g', '-p', String(cp.pids.apiserver), '-o', join(perfDir, `${runName}-${(rounds[runName]?.length ?? 0) + 1}.data`)], { stdio: 'ignore' }) : undefined;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: clients }, async () => {
          if (rate > 0) {
            // Open loop: create k is due at start + k/rate; its latency counts from then (no coordinated omission).
            for (let k = next++; k < E2E_PODS; k = next++) {
              const due = started + (k * 1000) / rate;
              const wait = due - performance.now();
              if (wait > 0) await new Promise((done) => setTimeout(done, wait));
              const issued = performance.now();
              latencies.push((await create()) + (issued - due > 0 ? issued - due : 0));
            }
          } else while (next++ < E2E_PODS) latencies.push(await create());
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const after = await counters();
      if (perf) {
        perf.kill('SIGINT');
        await new Promise((done) => perf.once('exit', done));
      }
      agent.destroy();
      const creates = latencies.length;
      const cpuUsPerCreate: Record<string, number> = {};
      let total = 0;
      for (const name of Object.keys(after.cpu)) {
        const us = ((after.cpu[name]! - before.cpu[name]!) * 1e6) / creates;
        cpuUsPerCreate[name] = Math.round(us);
        total += us;
      }
      cpuUsPerCreate['total'] = Math.round(total);
      const run: Run = { creates, createsPerSecond: Math.round(creates / seconds), p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), cpuUsPerCreate, loadAverage: loadBefore };
      if (ns === 'bench-aspis') {
        const calls = after.webhookCalls!.count - before.webhookCalls!.count;
        const within = (le: string) => round((after.webhookCalls!.buckets.get(le)! - before.webhookCalls!.buckets.get(le)!) / calls);
        run.webhook = {
          calls,
          // As the apiserver measures a call (its side of TLS and HTTP/2, our answer, decoding it).
          meanCallMs: round(((after.webhookCalls!.sum - before.webhookCalls!.sum) * 1000) / calls),
          callsWithin5ms: within('0.005'),
          callsWithin25ms: within('0.025'),
          bytesReadPerCall: Math.round((after.webhookIo!.read - before.webhookIo!.read) / calls),
          bytesWrittenPerCall: Math.round((after.webhookIo!.written - before.webhookIo!.written) / calls),
        };
      }
      (rounds[runName] ??= []).push(run);
    }
    const median = (values: number[]) => round(percentile(values, 50));
    const results: Record<string, unknown> = {};
    for (const [name, list] of Object.entries(rounds)) {
      results[name] = { p50: median(list.map((r) => r.p50)), p99: median(list.map((r) => r.p99)), createsPerSecond: median(list.map((r) => r.createsPerSecond)), rounds: list };
    }
    const added = (clients: number) => {
      const plain = results[`plain@${clients}`] as { p50: number; p99: number };
      const hooked = results[`webhook@${clients}`] as { p50: number; p99: number };
      const cpu = (name: string) => median(rounds[`webhook@${clients}`]!.map((r) => r.cpuUsPerCreate[name]!)) - median(rounds[`plain@${clients}`]!.map((r) => r.cpuUsPerCreate[name]!));
      return { p50: round(hooked.p50 - plain.p50), p99: round(hooked.p99 - plain.p99), cpuUsPerCreate: Object.fromEntries(['apiserver', 'etcd', 'webhook', 'clients', 'total'].map((n) => [n, round(cpu(n))])) };
    };
    console.log(
      JSON.stringify({
        bench: 'admission-e2e',
        apiserver: cp.version,
        webhookServer: webhookKind === 'null' ? 'null webhook (bench/null-webhook.ts: answers allowed, evaluates nothing)' : 'aspis webhook serve',
        podsPerRun: E2E_PODS,
        rounds: E2E_ROUNDS,
        load: rate > 0 ? `open loop: ${rate} creates/s offered, at most ${clientCounts.join('/')} in flight` : 'closed loop: each client creates again as soon as it is answered',
        pinning: pinning === 'split' ? 'webhook on CPU 1; apiserver, etcd, clients on CPU 0' : 'none (all processes share both CPUs)',
        history,
        webhookNodeArgs: nodeArgs,
        statistic: 'median over rounds of each run\'s p50 and p99',
        ...results,
        addedMs: Object.fromEntries(clientCounts.map((c) => [`at${c}`, added(c)])),
        webhook: rssOf(server.pid),
      }),
    );
  } finally {
    await server.stop();
    await cp.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * (h2) The webhook's own cost per review over HTTP/2 as the apiserver calls it: one connection, ADMISSION_H2_STREAMS
 * (200) reviews in flight on it, ADMISSION_H2_REVIEWS (20,000) per round, three rounds. Reports the webhook's CPU
 * per review and socket bytes per review (/proc), client latency and throughput. ADMISSION_E2E_WEBHOOK and
 * ADMISSION_E2E_NODE_ARGS / ADMISSION_E2E_HISTORY apply as in the e2e part. CPU time per review is the figure to
 * compare on a shared host.
 */
async function h2Part(bodies: string[]): Promise<void> {
  const { connect } = await import('node:http2');
  const { startControlPlane } = await import('../test/harness/control-plane.js');
  const streams = Number(process.env['ADMISSION_H2_STREAMS'] ?? 200);
  const perRound = Number(process.env['ADMISSION_H2_REVIEWS'] ?? 20_000);
  const webhookKind = process.env['ADMISSION_E2E_WEBHOOK'] ?? 'aspis';
  const history = process.env['ADMISSION_E2E_HISTORY'] !== 'off';
  const nodeArgs = (process.env['ADMISSION_E2E_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const cp = await startControlPlane();
  const dir = mkdtempSync(join(existsShm() ? '/dev/shm' : tmpdir(), 'aspis-admission-h2-'));
  await cp.createNamespace('team-a', { labels: { 'aspis.io/enforce': 'restricted', 'aspis.io/warn': 'restricted', 'aspis.io/audit': 'restricted' } });
  const server = await startCli(cp.kubeconfigFor('admin'), dir, history ? join(dir, 'history.jsonl') : undefined, nodeArgs, webhookKind === 'null');
  // The apiserver's HTTP/2 client (golang.org/x/net/http2) opens 4 MiB stream and 1 GiB connection windows.
  const session = connect(`https://127.0.0.1:${server.port}`, { ca: server.caCert, settings: { initialWindowSize: 4 * 1024 * 1024 } });
  session.on('connect', () => session.setLocalWindowSize(1024 * 1024 * 1024));
  // ADMISSION_H2_MIX=pass sends only the passing reviews (as the e2e part's pods), default both alternately.
  const passOnly = process.env['ADMISSION_H2_MIX'] === 'pass';
  const buffers = bodies.filter((_, i) => !passOnly || i % 2 === 0).map((b) => Buffer.from(b));
  const post = (body: Buffer) =>
    new Promise<number>((done, fail) => {
      const started = performance.now();
      const stream = session.request({ ':method': 'POST', ':path': '/validate', 'content-type': 'application/json', 'content-length': body.length });
      let status = 0;
      stream.on('response', (headers) => (status = Number(headers[':status'])));
      stream.on('data', () => undefined);
      stream.on('end', () => (status === 200 ? done(performance.now() - started) : fail(new Error(`HTTP ${status}`))));
      stream.on('error', fail);
      stream.end(body);
    });
  const round = async (count: number) => {
    const latencies: number[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: streams }, async () => {
      while (next < count) latencies.push(await post(buffers[next++ % buffers.length]!));
    }));
    return latencies;
  };
  try {
    await round(5000); // warm-up (JIT)
    const rounds: Record<string, number>[] = [];
    for (let r = 0; r < 3; r++) {
      const loadBefore = load();
      const cpuBefore = cpuSecondsOf(server.pid);
      const ioBefore = ioOf(server.pid);
      const started = performance.now();
      const latencies = await round(perRound);
      const seconds = (performance.now() - started) / 1000;
      const io = ioOf(server.pid);
      rounds.push({
        cpuUsPerReview: Math.round(((cpuSecondsOf(server.pid) - cpuBefore) * 1e6) / perRound),
        reviewsPerSecond: Math.round(perRound / seconds),
        p50: round2(percentile(latencies, 50)),
        p99: round2(percentile(latencies, 99)),
        bytesReadPerReview: Math.round((io.read - ioBefore.read) / perRound),
        bytesWrittenPerReview: Math.round((io.written - ioBefore.written) / perRound),
        loadAverage: loadBefore,
      });
    }
    const median = (key: string) => percentile(rounds.map((r) => r[key]!), 50);
    console.log(
      JSON.stringify({
        bench: 'admission-h2',
        webhookServer: webhookKind === 'null' ? 'null webhook (answers allowed, evaluates nothing)' : 'aspis webhook serve',
        client: `one HTTP/2 connection, ${streams} streams in flight (as the apiserver calls a webhook)`,
        reviewBodies: buffers.length,
        reviews: passOnly ? 'passing only' : 'passing and violating alternately',
        history,
        webhookNodeArgs: nodeArgs,
        medianCpuUsPerReview: median('cpuUsPerReview'),
        medianReviewsPerSecond: median('reviewsPerSecond'),
        rounds,
        ...rssOf(server.pid),
      }),
    );
  } finally {
    session.destroy();
    await server.stop();
    await cp.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

const { bodies, passing } = reviewBodies();
if (PARTS.includes('stack')) await stackPart(bodies);
if (PARTS.includes('server')) await serverPart(bodies, passing);
if (PARTS.includes('h2')) await h2Part(bodies);
if (PARTS.includes('e2e')) await e2ePart();

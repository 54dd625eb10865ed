/**
 * `npm run bench:cel`: the CEL policy engine on the hot path of admission. Compiles the shipped Pod Security library
 * (policies/pss-baseline + policies/pss-restricted: 19 ValidatingAdmissionPolicies) once, then evaluates it on one
 * pod admission request at a time, alternating a restricted-compliant pod and a pod violating several controls, and
 * prints one JSON line: compile time, evaluations/s, per-evaluation latency percentiles (all 19 policies on one
 * request, conversion of the request included), CPU time per evaluation, the machine's load average, peak RSS.
 */
import { loadavg } from 'node:os';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadObjects } from '../src/cli/commands/policy-folder.js';
import { compilePolicies, creationAttributesOf, evaluate } from '../src/policy/index.js';
import type { KubeObject } from '../src/core/model/resource.js';
import { percentile } from './percentile.js';

const ITERATIONS = Number(process.env['BENCH_ITERATIONS'] ?? 20_000);
const WARMUP = 2_000;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const loaded = loadObjects([resolve(root, 'policies/pss-baseline'), resolve(root, 'policies/pss-restricted')]);
const definitions = loaded.files.filter((f) => !f.path.split(/[\\/]/).includes('tests')).flatMap((f) => f.objects);
const compileStart = performance.now();
const { policies, errors } = compilePolicies(definitions);
const compileMs = performance.now() - compileStart;
if (errors.length > 0) throw new Error(errors.map((e) => e.message).join('\n'));

const namespaceObject: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { 'kubernetes.io/metadata.name': 'team-a' } } };

function pod(i: number, compliant: boolean): KubeObject {
  const container = (name: string): Record<string, unknown> => ({
    name,
    image: `registry.example/app-${i % 50}:1.${i % 7}`,
    ports: [{ containerPort: 8080, protocol: 'TCP' }],
    resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
    securityContext: compliant
      ? { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true }
      : { privileged: true, capabilities: { add: ['SYS_ADMIN'] }, runAsUser: 0 },
    volumeMounts: [{ name: 'data', mountPath: '/data' }],
  });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `web-${i}`, namespace: 'team-a', labels: { app: 'web', tier: 'frontend' }, annotations: { 'example.com/owner': 'team-a' } },
    spec: {
      serviceAccountName: 'web',
      ...(compliant ? { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } } : { hostNetwork: true }),
      initContainers: [container('init')],
      containers: [container('app'), container('sidecar')],
      volumes: compliant ? [{ name: 'data', emptyDir: {} }] : [{ name: 'data', hostPath: { path: '/var/lib/data' } }],
    },
  };
}

const requests = Array.from({ length: 200 }, (_, i) => creationAttributesOf(pod(i, i % 2 === 0), 'pods', { namespaceObject }));
let denied = 0;
for (let i = 0; i < WARMUP; i++) evaluate(policies, requests[i % requests.length]!);

const latencies = new Array<number>(ITERATIONS);
const cpuBefore = process.cpuUsage();
const started = performance.now();
for (let i = 0; i < ITERATIONS; i++) {
  const t = performance.now();
  const result = evaluate(policies, requests[i % requests.length]!);
  latencies[i] = performance.now() - t;
  if (result.denial) denied++;
}
const totalMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);

console.log(
  JSON.stringify({
    bench: 'cel-policies',
    policies: policies.policies.length,
    compileMs: Number(compileMs.toFixed(1)),
    evaluations: ITERATIONS,
    denied,
    evaluationsPerSecond: Math.round((ITERATIONS / totalMs) * 1000),
    latencyMs: {
      p50: Number(percentile(latencies, 50).toFixed(4)),
      p99: Number(percentile(latencies, 99).toFixed(4)),
      p999: Number(percentile(latencies, 99.9).toFixed(4)),
      max: Number(Math.max(...latencies).toFixed(4)),
    },
    // CPU time per evaluation: unlike wall-clock percentiles, not inflated when other processes share the cores.
    cpuMsPerEvaluation: Number(((cpu.user + cpu.system) / 1000 / ITERATIONS).toFixed(4)),
    loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);

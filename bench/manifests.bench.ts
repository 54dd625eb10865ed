/**
 * `npm run bench:manifests`: scans 10,000 generated workload objects with the built CLI (what users run) and
 * prints one JSON line: objects/s, wall-time percentiles over the runs, per-object evaluation latency, peak RSS.
 */
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import jsyaml from 'js-yaml';
import { generateWorkload } from './workload-generator.js';
import { ALL_CHECKS } from '../src/checks/index.js';
import { runChecks } from '../src/core/engine/run-checks.js';
import { defaultCheckContext } from '../src/core/model/check-context.js';
import { refOf } from '../src/core/model/resource.js';
import { percentile } from './percentile.js';

const OBJECTS = Number(process.env['BENCH_OBJECTS'] ?? 10_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const PER_FILE = 100;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const dir = mkdtempSync(join(tmpdir(), 'aspis-bench-'));
const objects = Array.from({ length: OBJECTS }, (_, i) => generateWorkload(i));
for (let file = 0; file * PER_FILE < OBJECTS; file++) {
  const docs = objects.slice(file * PER_FILE, (file + 1) * PER_FILE).map((o) => jsyaml.dump(o, { noRefs: true }));
  writeFileSync(join(dir, `workloads-${String(file).padStart(3, '0')}.yaml`), docs.join('---\n'));
}

// The CLI runs in a child process, as a user runs it; the child reports its own peak RSS (getrusage).
const runner = `
  const { main } = await import(${JSON.stringify(join(root, 'dist/cli/main.js'))});
  const started = performance.now();
  const code = await main(['node', 'aspis', 'scan', 'manifests', ${JSON.stringify(dir)}, '-o', 'json', '--output-file', '/dev/null']);
  const usage = process.resourceUsage();
  const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
  process.stderr.write('BENCH ' + JSON.stringify({ code, ms: performance.now() - started, cpuMs, maxRssKb: usage.maxRSS }) + '\\n');
`;
const walls: number[] = [];
const inner: number[] = [];
const cpu: number[] = [];
let peakRssKb = 0;
let findings = 0;
for (let run = 0; run < RUNS; run++) {
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', runner], { encoding: 'utf8', cwd: dir, maxBuffer: 1 << 30 });
  walls.push(performance.now() - started);
  const line = child.stderr.split('\n').find((l) => l.startsWith('BENCH '));
  if (!line) throw new Error(`scan failed: ${child.stderr.slice(0, 2000)}`);
  const result = JSON.parse(line.slice(6)) as { code: number; ms: number; cpuMs: number; maxRssKb: number };
  if (result.code !== 0) throw new Error(`scan exited ${result.code}: ${child.stderr.slice(0, 2000)}`);
  inner.push(result.ms);
  cpu.push(result.cpuMs);
  peakRssKb = Math.max(peakRssKb, result.maxRssKb);
}

// Per-object evaluation latency of the whole check library, in process.
const ctx = defaultCheckContext();
const latencies: number[] = [];
for (const object of objects) {
  const started = performance.now();
  findings += runChecks([{ object, ref: refOf(object), origin: { type: 'cluster' } }], ALL_CHECKS, ctx).findings.length;
  latencies.push((performance.now() - started) * 1000);
}
rmSync(dir, { recursive: true, force: true });

const wallP50 = percentile(walls, 50);
console.log(
  JSON.stringify({
    bench: 'manifests',
    objects: OBJECTS,
    runs: RUNS,
    checks: ALL_CHECKS.length,
    findingsPerRun: findings,
    objectsPerSecond: Math.round(OBJECTS / (wallP50 / 1000)),
    wallMs: { p50: Math.round(wallP50), p99: Math.round(percentile(walls, 99)) },
    scanMsInsideProcess: { p50: Math.round(percentile(inner, 50)) },
    // CPU of the whole child (every thread): steadier than wall time when the host's speed varies.
    cpuMs: { p50: Math.round(percentile(cpu, 50)) },
    evaluateUsPerObject: { p50: +percentile(latencies, 50).toFixed(1), p99: +percentile(latencies, 99).toFixed(1) },
    peakRssMb: Math.round(peakRssKb / 1024),
  }),
);

/**
 * The worker threads of `aspis scan manifests` (see scan-manifests-in-parallel.ts), started as early as possible: a
 * worker spends its first few hundred milliseconds loading the check library, which it can do while the main thread
 * loads it too and reads the configuration.
 *
 * Inputs too small to repay a worker are scanned on the main thread alone (see defaultMinBytes).
 */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { manifestItems } from '../../sources/manifests/load-manifests.js';
import type { ManifestItem } from '../../sources/manifests/load-manifests.js';
import type { ScanOptions } from './scan-options.js';
import { packageRoot } from '../package-root.js';

/** What a worker needs to derive the session's plan itself (checks are code: they cannot be posted). */
export interface WorkerSetup {
  options: ScanOptions;
  inputs: string[];
  version: string;
  cwd: string;
}

export interface ParallelOptions {
  /** Worker threads to start (default: one per core beyond the first, at most 3). */
  workers?: number;
  /** Below this many bytes of files, no worker is started (default: defaultMinBytes). */
  minBytes?: number;
  stdin?: NodeJS.ReadableStream;
}

/** Workers already started for the items of a scan. */
export interface StartedWorkers {
  items: ManifestItem[];
  workers: Worker[];
}

/**
 * Bytes of files from which workers are started. A worker costs a fixed ~0.5 s of CPU (its own Node start, loading
 * the code, warming it up) and, on two cores, the core the main thread's V8 helpers use: one thread alone keeps ~1.35
 * cores busy (concurrent collection and compilation). Measured on 2 cores (docs/performance.md, 2026-11-28 night),
 * one thread is faster up to ~15 MB of manifests (10 MB: 1.24 s against 1.42 s with a worker), level at 20 MB, and
 * slower from there on (30 MB: 2.69 s against 2.45 s; 40 MB: 3.63 s against 3.06 s). With more cores the helpers
 * have cores of their own, and a worker pays off far sooner.
 */
export function defaultMinBytes(cores: number): number {
  return (cores <= 2 ? 16 : 2) * 1024 * 1024;
}

/** Lists the inputs and starts the workers worth starting for them (none for small inputs or one file). */
export function startScanWorkers(items: ManifestItem[], setup: WorkerSetup, parallel: ParallelOptions = {}): Worker[] {
  const workerCount = parallel.workers ?? Math.min(availableParallelism() - 1, 3);
  const minBytes = parallel.minBytes ?? defaultMinBytes(availableParallelism());
  const files = items.filter((item) => item.type === 'file');
  if (workerCount < 1 || files.length < 2 || bytesOf(files, minBytes) < minBytes) return [];
  return Array.from({ length: workerCount }, () => {
    const worker = startWorker(setup);
    // A worker that fails (it cannot start, or a usage error the main thread reports itself) exits; its files go to
    // the main thread (see scanManifestsInParallel). Without a listener, its error would end the process.
    worker.on('error', () => {});
    return worker;
  });
}

/** The items of the inputs with their workers started: call first, before loading the checks. */
export function startScanWorkersFor(setup: WorkerSetup, parallel: ParallelOptions = {}): StartedWorkers {
  const items = manifestItems(setup.inputs, { cwd: setup.cwd });
  return { items, workers: startScanWorkers(items, setup, parallel) };
}

/**
 * Starts a worker on the worker module: the bundle's entry point dist/cli/scan/scan-worker.js (tools/build.ts; this
 * code itself sits in a shared chunk, so it is found from the package root), or, when Aspis runs from its TypeScript
 * sources (tests, through tsx), the TypeScript module beside this one after registering tsx in the worker, since
 * loader hooks are per thread.
 *
 * The worker's code is a string that imports the module, never the module's path: a worker inherits the process's
 * Node options, and those about the main script (`node --input-type=module -e "…main(…)"`, as the benchmark runs
 * Aspis) make a worker started on a file fail at once ("--input-type can only be used with string input"), while
 * giving the worker its own `execArgv` without them fails on any V8 option (`node --max-old-space-size=4096 …`:
 * "invalid execArgv flags"). Code given as a string takes every inherited option.
 */
function startWorker(setup: WorkerSetup): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    const entry = JSON.stringify(new URL('dist/cli/scan/scan-worker.js', packageRoot()).href);
    return new Worker(`import(${entry})`, { eval: true, workerData: setup });
  }
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL('./scan-worker.ts', import.meta.url).href);
  const code = `import(${tsx}).then(({ register }) => { register(); return import(${entry}); })`;
  return new Worker(code, { eval: true, workerData: setup });
}

/** Total size of the files, counting up to `enough` (stat errors count as nothing: reading reports them). */
function bytesOf(files: ManifestItem[], enough: number): number {
  let total = 0;
  for (const item of files) {
    if (item.type !== 'file') continue;
    try {
      total += statSync(resolve(item.path)).size;
    } catch {
      // reported when read
    }
    if (total >= enough) break;
  }
  return total;
}

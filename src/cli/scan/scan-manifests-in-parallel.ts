/**
 * Scans manifest inputs on every core: worker threads read and scan files (parsing YAML and running the checks is
 * most of the work) while the main thread does the same with the next files, and the per-document results are
 * merged into the session strictly in input order, so the report is identical to a one-thread scan.
 *
 * Small inputs are scanned on the main thread alone: starting a worker costs about as much as scanning 1 MB.
 */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { InputError } from '../../core/model/report.js';
import { itemBatches, manifestItems } from '../../sources/manifests/load-manifests.js';
import type { ManifestItem } from '../../sources/manifests/load-manifests.js';
import { reviveBatch, scanBatch } from '../../scan/scan-batch.js';
import type { BatchResult } from '../../scan/scan-batch.js';
import type { ScanSession } from '../../scan/scan-session.js';
import type { ScanOptions } from './scan-options.js';

/** What a worker needs to derive the session's plan itself (checks are code: they cannot be posted). */
export interface WorkerSetup {
  options: ScanOptions;
  inputs: string[];
  version: string;
  cwd: string;
}

/** The batches of one input item, in order. */
export type ItemResult = { errors: InputError[]; result: BatchResult }[];

export interface ParallelOptions {
  /** Worker threads to start (default: one per core beyond the first, at most 3). */
  workers?: number;
  /** Below this many bytes of files, no worker is started (default 2 MB). */
  minBytes?: number;
  stdin?: NodeJS.ReadableStream;
}

const DEFAULT_MIN_BYTES = 2 * 1024 * 1024;
/** The worker's module beside this one: compiled JavaScript, or TypeScript when run from source through tsx. */

/** Items sent ahead to each worker, so it never waits for the main thread to hand it the next file. */
const PREFETCH = 2;

/** How the work was shared: worker threads started, and input items they scanned (the main thread scanned the rest). */
export interface ParallelStats {
  workers: number;
  itemsScannedByWorkers: number;
}

export async function scanManifestsInParallel(session: ScanSession, setup: WorkerSetup, parallel: ParallelOptions = {}): Promise<ParallelStats> {
  const items = manifestItems(setup.inputs, { cwd: setup.cwd });
  const scanHere = async (item: ManifestItem): Promise<ItemResult> => {
    const result: ItemResult = [];
    for await (const batch of itemBatches(item, { cwd: setup.cwd, ...(parallel.stdin ? { stdin: parallel.stdin } : {}) })) {
      result.push({ errors: batch.errors, result: scanBatch(batch.resources, session.plan) });
    }
    return result;
  };

  const results: (ItemResult | undefined)[] = new Array(items.length);
  let merged = 0;
  const mergeReady = (): void => {
    for (; merged < items.length && results[merged]; merged++) {
      for (const { errors, result } of results[merged]!) {
        session.addErrors(errors);
        session.merge(result);
      }
      results[merged] = undefined;
    }
  };

  const workerCount = parallel.workers ?? Math.min(availableParallelism() - 1, 3);
  const files = items.filter((item) => item.type === 'file');
  if (workerCount < 1 || files.length < 2 || bytesOf(files, parallel.minBytes ?? DEFAULT_MIN_BYTES) < (parallel.minBytes ?? DEFAULT_MIN_BYTES)) {
    for (let i = 0; i < items.length; i++) {
      results[i] = await scanHere(items[i]!);
      mergeReady();
    }
    return { workers: 0, itemsScannedByWorkers: 0 };
  }
  const stats: ParallelStats = { workers: workerCount, itemsScannedByWorkers: 0 };

  // Items not yet taken, front first; workers take files only, the main thread anything.
  const taken = new Array<boolean>(items.length).fill(false);
  let cursor = 0;
  const take = (filesOnly: boolean): number | undefined => {
    while (cursor < items.length && taken[cursor]) cursor++;
    for (let i = cursor; i < items.length; i++) {
      if (taken[i] || (filesOnly && items[i]!.type !== 'file')) continue;
      taken[i] = true;
      return i;
    }
    return undefined;
  };
  const reclaimed: number[] = [];
  let wake: (() => void) | undefined;
  const signal = (): void => {
    wake?.();
    wake = undefined;
  };

  const workers: Worker[] = [];
  for (let w = 0; w < workerCount; w++) {
    const worker = startWorker(setup);
    const inFlight = new Set<number>();
    const send = (): void => {
      const index = take(true);
      if (index === undefined) return;
      inFlight.add(index);
      worker.postMessage({ index, item: items[index] });
    };
    worker.on('message', (message: { index: number; result: ItemResult }) => {
      inFlight.delete(message.index);
      for (const batch of message.result) reviveBatch(batch.result);
      results[message.index] = message.result;
      stats.itemsScannedByWorkers++;
      send();
      signal();
    });
    // A worker that dies leaves its files to the main thread: nothing is lost, only slower.
    worker.on('error', () => {
      reclaimed.push(...inFlight);
      inFlight.clear();
      signal();
    });
    for (let i = 0; i < PREFETCH; i++) send();
    workers.push(worker);
  }

  try {
    while (merged < items.length) {
      const index = reclaimed.shift() ?? take(false);
      if (index !== undefined) {
        results[index] = await scanHere(items[index]!);
        mergeReady();
        // Let the workers' results and requests in between files.
        await new Promise<void>((done) => setImmediate(done));
        continue;
      }
      mergeReady();
      if (merged < items.length) await new Promise<void>((done) => (wake = done));
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return stats;
}

/**
 * The worker module beside this one: compiled JavaScript, or, when Aspis runs from its TypeScript sources (tests,
 * through tsx), the TypeScript module after registering tsx in the worker, since loader hooks are per thread.
 */
function startWorker(setup: WorkerSetup): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./scan-worker.js', import.meta.url), { workerData: setup });
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

/**
 * Scans manifest inputs on every core: worker threads read and scan files (parsing YAML and running the checks is
 * most of the work) while the main thread does the same with the next files, and the per-file results are
 * merged into the session strictly in input order, so the report is identical to a one-thread scan.
 */
import { manifestItems } from '../../sources/manifests/load-manifests.js';
import type { ManifestItem } from '../../sources/manifests/load-manifests.js';
import { reviveBatch } from '../../scan/scan-batch.js';
import type { ScanSession } from '../../scan/scan-session.js';
import { startScanWorkers } from './scan-workers.js';
import type { ParallelOptions, StartedWorkers, WorkerSetup } from './scan-workers.js';
import { scanItem } from './scan-item.js';
import type { ItemResult } from './scan-item.js';

/** Items sent ahead to each worker, so it never waits for the main thread to hand it the next file. */
const PREFETCH = 2;

/** How the work was shared: worker threads started, and input items they scanned (the main thread scanned the rest). */
export interface ParallelStats {
  workers: number;
  itemsScannedByWorkers: number;
}

/**
 * Scans the inputs into the session. Workers may have been started earlier (startScanWorkers), so that they load
 * while this thread sets the scan up; they are told to stop once every result is in.
 */
export async function scanManifestsInParallel(
  session: ScanSession,
  setup: WorkerSetup,
  parallel: ParallelOptions = {},
  started?: StartedWorkers,
): Promise<ParallelStats> {
  const items = started?.items ?? manifestItems(setup.inputs, { cwd: setup.cwd });
  const scanHere = (item: ManifestItem): Promise<ItemResult> =>
    scanItem(item, session.plan, { cwd: setup.cwd, ...(parallel.stdin ? { stdin: parallel.stdin } : {}) });

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

  const workers = started?.workers ?? startScanWorkers(items, setup, parallel);
  if (workers.length === 0) {
    for (let i = 0; i < items.length; i++) {
      results[i] = await scanHere(items[i]!);
      mergeReady();
    }
    return { workers: 0, itemsScannedByWorkers: 0 };
  }
  const stats: ParallelStats = { workers: workers.length, itemsScannedByWorkers: 0 };

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

  for (const worker of workers) {
    const inFlight = new Set<number>();
    const send = (): void => {
      if (worker.threadId < 0) return; // exited (see startScanWorkers)
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
    worker.on('exit', () => {
      reclaimed.push(...inFlight);
      inFlight.clear();
      signal();
    });
    for (let i = 0; i < PREFETCH; i++) send();
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
    // Every result is in: the report is built while the workers stop (stopping one takes tens of milliseconds).
    for (const worker of workers) void worker.terminate();
  }
  return stats;
}


/**
 * A worker thread of `aspis scan manifests` (see scan-manifests-in-parallel.ts): reads the files it is sent and
 * scans each document with the same plan as the main thread, which it derives from the same options, then posts the
 * results back as plain data. It reports nothing itself: configuration errors are reported once, by the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ManifestItem } from '../../sources/manifests/load-manifests.js';
import { startScan } from './start-scan.js';
import { scanItem } from './scan-item.js';
import type { WorkerSetup } from './scan-workers.js';

const setup = workerData as WorkerSetup;
// Listening at once: items sent while the plan is being made wait for it in the queue.
const plan = startScan(setup.options, { inputs: setup.inputs, version: setup.version, cwd: setup.cwd }).then(({ session }) => session.plan);

// One item at a time, in the order sent: reading a file is synchronous, so items never interleave.
let queue: Promise<unknown> = plan;
parentPort!.on('message', (message: { index: number; item: ManifestItem }) => {
  queue = queue.then(async () => {
    parentPort!.postMessage({ index: message.index, result: await scanItem(message.item, await plan, { cwd: setup.cwd }) });
  });
});

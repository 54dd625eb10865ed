/**
 * Scans one input item (a file, stdin, a Kustomize directory) document by document, the same way on the main thread
 * and in a worker (scan-manifests-in-parallel.ts). Each document's findings are rendered as soon as it is scanned
 * (FindingRunBuilder), and sorted and joined into runs of a few documents rather than one per document
 * (renderBatches): see RUN_FINDINGS.
 */
import type { InputError } from '../../core/model/report.js';
import { itemBatches } from '../../sources/manifests/load-manifests.js';
import type { ManifestItem } from '../../sources/manifests/load-manifests.js';
import { renderBatches, scanBatch } from '../../scan/scan-batch.js';
import { FindingRunBuilder } from '../../scan/finding-run.js';
import type { BatchResult, BatchScan, ScanPlan } from '../../scan/scan-batch.js';

/** The results of one item, in order, each with the input errors met while reading its documents. */
export type ItemResult = { errors: InputError[]; result: BatchResult }[];

/**
 * A run is closed after the document that brings it to this many findings. Each finding's text lives until its run
 * is joined: closing runs every ~800 findings rather than once per file cut the scavenger's copying of those texts
 * (main thread 275 -> 230 ms, worker 155 -> 110 ms on the benchmark), while a run's joined text (~400 KB) stays a
 * large object, which the collector never copies. Runs of consecutive documents stay in order, so ordering them is
 * still a check of their boundaries (finding-order.ts).
 */
const RUN_FINDINGS = 800;

export async function scanItem(item: ManifestItem, plan: ScanPlan, options: { cwd: string; stdin?: NodeJS.ReadableStream }): Promise<ItemResult> {
  const results: ItemResult = [];
  let errors: InputError[] = [];
  let pending: BatchScan[] = [];
  let findings = new FindingRunBuilder();
  let objects = 0;
  const flush = (): void => {
    results.push({ errors, result: renderBatches(pending, findings) });
    errors = [];
    pending = [];
    findings = new FindingRunBuilder();
    objects = 0;
  };
  for await (const batch of itemBatches(item, options)) {
    for (const error of batch.errors) errors.push(error);
    const scanned = scanBatch(batch.resources, plan);
    // Rendered now: the finding objects die with the document instead of living until the end of the file.
    findings.add(scanned.findings, scanned.owners, objects);
    objects += scanned.objects.length;
    pending.push({ ...scanned, findings: [], owners: [] });
    if (findings.length >= RUN_FINDINGS) flush();
  }
  if (pending.length > 0 || errors.length > 0) flush();
  return results;
}

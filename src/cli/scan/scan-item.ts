/**
 * Scans one input item (a file, stdin, a Kustomize directory) document by document, the same way on the main thread
 * and in a worker (scan-manifests-in-parallel.ts). Each document's findings are rendered as soon as it is scanned
 * (FindingRunBuilder), and sorted and joined into one run per file rather than per document (renderBatches), in
 * results of at most RUN_FINDINGS findings so that a single huge input still holds only that many texts at a time.
 */
import type { InputError } from '../../core/model/report.js';
import { itemBatches } from '../../sources/manifests/load-manifests.js';
import type { ManifestItem } from '../../sources/manifests/load-manifests.js';
import { renderBatches, scanBatch } from '../../scan/scan-batch.js';
import { FindingRunBuilder } from '../../scan/finding-run.js';
import type { BatchResult, BatchScan, ScanPlan } from '../../scan/scan-batch.js';

/** The results of one item, in order, each with the input errors met while reading its documents. */
export type ItemResult = { errors: InputError[]; result: BatchResult }[];

const RUN_FINDINGS = 20_000;

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

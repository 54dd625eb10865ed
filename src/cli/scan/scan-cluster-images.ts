/**
 * `aspis scan cluster --images`: every image the running Pods of the cluster use, each scanned once (by digest when
 * the kubelet reports one) with scanOneImage — the same packages, vulnerabilities, image checks and triage as
 * `aspis scan image` — a few at a time, and reported with the containers that use it. An image that cannot be read
 * (registry unreachable, refused, not found) is reported with its problem and the others are still scanned.
 * A scope without running Pods is an error: a selector that matches nothing never passes silently.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Severity } from '../../core/model/severity.js';
import { clusterImagesJson, type ImageScanDocument, type ImageScanReport, type TriagedImageScan } from '../../outputs/image-scan-report.js';
import { imageScanSarif } from '../../outputs/image-scan-sarif.js';
import { clusterImagesCycloneDx } from '../../outputs/image-scan-cyclonedx.js';
import { imageScanTable } from '../../outputs/image-scan-table.js';
import { runningPodImages, type RunningImage } from '../../sources/cluster/running-pod-images.js';
import { defaultDatabasePath } from '../../store/vuln-db/default-database-path.js';
import { defaultScanResultsPath } from '../../store/scan-results/default-scan-results-path.js';
import { VulnDatabase } from '../../store/vuln-db/vuln-database.js';
import { triageVulnerabilities } from '../../vuln/triage/triage-vulnerabilities.js';
import { clusterTarget, type ClusterOptions } from '../cluster-options.js';
import { EXIT } from '../exit-codes.js';
import { imageScanExitCode, imageScanNoteLines, imageScanProblemLines } from './image-scan-outcome.js';
import { loadImageCheckSetup } from './image-check-setup.js';
import { recordScanResultIn } from './record-scan-result.js';
import { ScanResultsStore } from '../../store/scan-results/scan-results-store.js';
import { scanOneImage, type ScanOneImageOptions } from './scan-one-image.js';
import { formatInputError, loadVulnerabilityTriage } from './vulnerability-triage-inputs.js';

export interface ClusterImagesOptions extends ClusterOptions {
  output?: string;
  outputFile?: string;
  failOn?: Severity;
  config?: string;
  db?: string;
  vex?: string[];
  severity?: string[];
  ignoreUnfixed?: boolean;
  platform?: string;
  insecure?: boolean;
  imageConcurrency?: string;
  /** Record each image scanned (not those that could not be) for the webhook's image gating (see record-scan-result.ts). */
  record?: string | true;
}

export const DEFAULT_IMAGE_CONCURRENCY = 2;

export async function scanClusterImages(options: ClusterImagesOptions, version: string): Promise<number> {
  const format = options.output ?? (process.stdout.isTTY ? 'table' : 'json');
  if (!['table', 'json', 'sarif', 'cyclonedx'].includes(format)) throw new Error(`--output ${format} is not available with --images: use table, json, sarif or cyclonedx`);
  const concurrency = options.imageConcurrency === undefined ? DEFAULT_IMAGE_CONCURRENCY : Number(options.imageConcurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) throw new Error('--image-concurrency must be an integer from 1 to 32');
  const now = new Date();
  const triage = loadVulnerabilityTriage(options, process.cwd(), now);
  const { connection, namespaces, input, errors } = await clusterTarget(options);
  const problems = [...triage.problems, ...errors.map(formatInputError)];
  let running: RunningImage[] = [];
  if (connection) {
    try {
      const found = await runningPodImages(connection, { namespaces, ...(options.selector ? { labelSelector: options.selector } : {}) });
      problems.push(...found.errors.map(formatInputError));
      running = found.images;
      if (found.pods === 0 && found.errors.length === 0) problems.push(`${input}: no running Pod: no image to scan`);
    } finally {
      connection.close();
    }
  }

  const images: TriagedImageScan[] = [];
  if (running.length > 0) {
    const db = VulnDatabase.open(options.db ?? defaultDatabasePath());
    try {
      const config = loadImageCheckSetup(options.config !== undefined ? { path: options.config, cwd: process.cwd() } : { cwd: process.cwd() });
      const scans = await inPool(running, concurrency, (image) => scanOrProblem(image, db, { ...(options.platform ? { platform: options.platform } : {}), ...(options.insecure ? { insecure: true } : {}), config, now }));
      running.forEach((image, i) => {
        const scan = scans[i]!;
        const identity = { name: image.reference, ...(typeof scan.target.manifestDigest === 'string' ? { manifestDigest: scan.target.manifestDigest } : {}), ...(typeof scan.target.configDigest === 'string' ? { configDigest: scan.target.configDigest } : {}) };
        images.push({ scan, triage: triageVulnerabilities(scan.vulnerabilities, identity, triage.options), usedBy: image.users });
      });
      if (options.record !== undefined) {
        const path = typeof options.record === 'string' ? options.record : defaultScanResultsPath();
        const meta = db.metadata();
        const dbVersion = meta.modifiedWatermark ?? meta.importedAt;
        // An image that could not be read has no result to gate on: it is not recorded (its problem is reported).
        const scanned = running.map((image, i) => ({ image, scan: scans[i]! })).filter(({ scan }) => typeof scan.target.manifestDigest === 'string');
        const store = ScanResultsStore.open(path, { create: true });
        try {
          for (const { image, scan } of scanned) {
            recordScanResultIn(store, scan, triage.options, now, { aspisVersion: version, ...(dbVersion ? { dbVersion } : {}), reference: image.reference });
          }
        } finally {
          store.close();
        }
        process.stderr.write(`aspis: recorded ${scanned.length} image scan(s) in ${path}\n`);
      }
    } finally {
      db.close();
    }
  }
  const document: ImageScanDocument = {
    tool: { name: 'aspis', version },
    generatedAt: now.toISOString(),
    images,
    filters: triage.filters,
    vex: triage.vex,
    waivers: triage.waivers.reports(),
    // With images, the image checks report the rest of the configuration's problems with each image.
    problems: [...problems, ...(images.length === 0 ? triage.configProblems : [])],
  };
  const text =
    format === 'json'
      ? clusterImagesJson(document)
      : format === 'sarif'
        ? imageScanSarif(document)
        : format === 'cyclonedx'
          ? clusterImagesCycloneDx(document, randomUUID(), input)
          : imageScanTable(document);
  if (options.outputFile) writeFileSync(options.outputFile, text);
  else process.stdout.write(text);
  for (const line of imageScanNoteLines(document)) process.stderr.write(`aspis: note: ${line}\n`);
  for (const line of imageScanProblemLines(document)) process.stderr.write(`aspis: ${line}\n`);
  return images.length === 0 && document.problems.length === 0 ? EXIT.ok : imageScanExitCode(document, options.failOn);
}

async function scanOrProblem(image: RunningImage, db: VulnDatabase, options: ScanOneImageOptions): Promise<ImageScanReport> {
  try {
    return await scanOneImage(image.reference, db, options);
  } catch (error) {
    return { target: { name: image.reference }, packages: [], vulnerabilities: [], findings: [], problems: [`cannot scan the image: ${(error as Error).message}`] };
  }
}

/** `work` over `items`, at most `limit` at a time; results in input order. */
async function inPool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Records the result of `aspis scan image` in the scan results store, where the admission webhook's image gating
 * finds it. The image is keyed by its manifest digest (and the index digest when the scan named one), and by
 * `repository:tag` when it was scanned by a registry reference, so that an unpinned reference can still be matched.
 */
import { parseImageReference } from '../../checks/workload/image-reference.js';
import { isSeverity } from '../../core/model/severity.js';
import type { ImageScanRecord, RecordedSeverity, RecordedVulnerability } from './image-scan-record.js';
import { RECORDED_SEVERITIES } from './image-scan-record.js';
import type { ScanResultsStore } from './scan-results-store.js';
import { compareText } from '../../core/model/text-order.js';

/** What recording reads of an image scan report (src/outputs/image-scan-report.ts ImageScanReport has this shape). */
export interface ScannedImage {
  readonly target: Readonly<Record<string, unknown>>;
  readonly vulnerabilities: readonly ScannedVulnerability[];
  readonly problems: readonly string[];
}

export interface ScannedVulnerability {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly package: { readonly ecosystem: string; readonly name: string; readonly version: string };
  readonly severity: { readonly rating: string };
  /** Set when a waiver covered it at scan time (the same shape as a check finding's waiver). */
  readonly waiver?: { readonly reason: string };
}

export interface RecordOptions {
  /** The registry reference the image is known by, when the scan read it from elsewhere (an OCI layout, an archive). */
  reference?: string;
  aspisVersion?: string;
  /** Which vulnerability database the scan matched against (its import time or modified watermark). */
  dbVersion?: string;
  /** Why a vulnerability does not count (a VEX `not_affected` statement, a waiver), or undefined when it does. */
  waived?: (vulnerability: ScannedVulnerability) => string | undefined;
}

const RANK = new Map(RECORDED_SEVERITIES.map((s, i) => [s, i]));

function severityOf(rating: string): RecordedSeverity {
  return isSeverity(rating) ? rating : 'unknown';
}

/** The tag key of a reference: `repository:tag` (a reference without tag or digest means `:latest`); none for digest-only. */
export function referenceKey(text: string): string | undefined {
  const ref = parseImageReference(text);
  if (!ref) return undefined;
  if (ref.tag !== undefined) return `${ref.repository}:${ref.tag}`;
  return ref.digest === undefined ? `${ref.repository}:latest` : undefined;
}

/** The record a scan report becomes (without its store id). */
export function imageScanRecordOf(report: ScannedImage, now: Date, options: RecordOptions = {}): Omit<ImageScanRecord, 'id'> {
  const { target } = report;
  const text = (key: string): string | undefined => (typeof target[key] === 'string' ? (target[key] as string) : undefined);
  const named = options.reference ?? text('name');
  const parsed = named !== undefined ? parseImageReference(named) : undefined;
  const manifestDigest = text('manifestDigest');
  // A reference pinned to another digest than the manifest scanned names the index the platform manifest came from.
  const indexDigest = text('indexDigest') ?? (parsed?.digest !== undefined && parsed.digest !== manifestDigest ? parsed.digest : undefined);
  const reference = named !== undefined ? referenceKey(named) : undefined;
  const configDigest = text('configDigest');

  const counts = Object.fromEntries(RECORDED_SEVERITIES.map((s) => [s, 0])) as Record<RecordedSeverity, number>;
  const vulnerabilities: RecordedVulnerability[] = [];
  for (const v of report.vulnerabilities) {
    const severity = severityOf(v.severity.rating);
    counts[severity]++;
    if (severity === 'info') continue;
    const waived = options.waived?.(v) ?? v.waiver?.reason;
    vulnerabilities.push({
      id: v.id,
      aliases: v.aliases.filter((a) => a !== v.id),
      package: `${v.package.ecosystem}/${v.package.name}@${v.package.version}`,
      severity,
      ...(waived !== undefined ? { waived } : {}),
    });
  }
  vulnerabilities.sort((a, b) => RANK.get(a.severity)! - RANK.get(b.severity)! || compareText(a.id, b.id));
  return {
    scannedAt: now.toISOString(),
    ...(reference !== undefined ? { reference } : {}),
    ...(manifestDigest !== undefined ? { manifestDigest } : {}),
    ...(indexDigest !== undefined ? { indexDigest } : {}),
    ...(configDigest !== undefined ? { configDigest } : {}),
    counts,
    vulnerabilities,
    ...(options.aspisVersion !== undefined ? { aspisVersion: options.aspisVersion } : {}),
    ...(options.dbVersion !== undefined ? { dbVersion: options.dbVersion } : {}),
    problems: report.problems.length,
  };
}

/**
 * Records one scan. An image with neither a digest nor a registry reference could never be matched at admission:
 * that is an error naming what to add (`reference`).
 */
export function recordImageScan(store: ScanResultsStore, report: ScannedImage, now: Date, options: RecordOptions = {}): ImageScanRecord {
  const record = imageScanRecordOf(report, now, options);
  if (record.manifestDigest === undefined && record.indexDigest === undefined && record.reference === undefined) {
    const name = typeof report.target['name'] === 'string' ? report.target['name'] : 'the image';
    throw new Error(`${name} has no manifest digest and is not a registry reference: give the reference it is deployed by to record it`);
  }
  return store.insert(record);
}

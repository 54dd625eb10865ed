/**
 * `aspis scan image --record`: the scan, after triage, into the scan results store the admission webhook's image
 * gating reads. Vulnerabilities a VEX statement (not_affected, fixed) or a waiver suppresses are recorded as waived,
 * with what suppressed them; the display filters (--severity, --ignore-unfixed) do not apply to what is recorded.
 */
import type { ImageScanReport } from '../../outputs/image-scan-report.js';
import type { ImageScanRecord } from '../../store/scan-results/image-scan-record.js';
import { recordImageScan } from '../../store/scan-results/record-image-scan.js';
import { ScanResultsStore } from '../../store/scan-results/scan-results-store.js';
import type { VulnerabilityFinding } from '../../vuln/matching/vulnerability-finding.js';
import { triageVulnerabilities, type TriageOptions } from '../../vuln/triage/triage-vulnerabilities.js';

export interface RecordScanOptions {
  readonly aspisVersion: string;
  readonly dbVersion?: string;
  /** The registry reference the image is deployed by (for OCI layouts and archives). */
  readonly reference?: string;
}

export function recordScanResult(path: string, scanned: ImageScanReport, triage: TriageOptions, now: Date, options: RecordScanOptions): ImageScanRecord {
  const store = ScanResultsStore.open(path, { create: true });
  try {
    return recordScanResultIn(store, scanned, triage, now, options);
  } finally {
    store.close();
  }
}

/** The same into an open store (a cluster scan records every image through one). */
export function recordScanResultIn(store: ScanResultsStore, scanned: ImageScanReport, triage: TriageOptions, now: Date, options: RecordScanOptions): ImageScanRecord {
  const text = (key: string) => (typeof scanned.target[key] === 'string' ? (scanned.target[key] as string) : undefined);
  const image = {
    name: options.reference ?? text('name') ?? '',
    ...(text('manifestDigest') !== undefined ? { manifestDigest: text('manifestDigest')! } : {}),
    ...(text('configDigest') !== undefined ? { configDigest: text('configDigest')! } : {}),
  };
  const { suppressed } = triageVulnerabilities(scanned.vulnerabilities, image, { vex: triage.vex, waivers: triage.waivers });
  const why = new Map<VulnerabilityFinding, string>();
  for (const { finding, vex, waiver } of suppressed) {
    if (waiver) why.set(finding, `waiver: ${waiver.reason} (${waiver.declaredAt})`);
    else if (vex) why.set(finding, `VEX ${vex.status}${vex.justification ? ` (${vex.justification})` : ''}: ${vex.declaredAt}`);
  }
  return recordImageScan(store, scanned, now, {
    aspisVersion: options.aspisVersion,
    ...(options.dbVersion !== undefined ? { dbVersion: options.dbVersion } : {}),
    ...(options.reference !== undefined ? { reference: options.reference } : {}),
    waived: (v) => why.get(v as VulnerabilityFinding),
  });
}

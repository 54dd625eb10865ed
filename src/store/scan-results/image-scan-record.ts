/**
 * One recorded scan of an image, as the scan results store keeps it: which image (digests, and the tag it was
 * scanned by when it came from a registry), when, with which Aspis and vulnerability database, counts by severity
 * and the vulnerabilities at low or above (and of unknown severity) with their waiver state.
 */
import type { Severity } from '../../core/model/severity.js';

export type RecordedSeverity = Severity | 'unknown';

export const RECORDED_SEVERITIES: readonly RecordedSeverity[] = ['critical', 'high', 'medium', 'low', 'info', 'unknown'];

export interface RecordedVulnerability {
  readonly id: string;
  /** Other identifiers of the same vulnerability (so a waiver may name any of them). */
  readonly aliases: readonly string[];
  /** `ecosystem/name@version` of the affected package. */
  readonly package: string;
  readonly severity: RecordedSeverity;
  /** Why it does not count, when a waiver or a VEX statement covered it at scan time. */
  readonly waived?: string;
}

export interface ImageScanRecord {
  readonly id: number;
  /** ISO 8601 instant of the scan. */
  readonly scannedAt: string;
  /** `repository:tag` normalised as the runtimes read references (`docker.io/library/debian:12`), when known. */
  readonly reference?: string;
  /** Digest of the image manifest that was scanned. */
  readonly manifestDigest?: string;
  /** Digest of the index (multi-platform image) the manifest was chosen from, when known. */
  readonly indexDigest?: string;
  readonly configDigest?: string;
  /** How many vulnerabilities of each severity the scan found (waived ones included). */
  readonly counts: Readonly<Record<RecordedSeverity, number>>;
  /** Vulnerabilities at low or above and of unknown severity, severest first. */
  readonly vulnerabilities: readonly RecordedVulnerability[];
  readonly aspisVersion?: string;
  readonly dbVersion?: string;
  /** Problems the scan reported (unreadable layers…): a scan with problems may have missed packages. */
  readonly problems: number;
}

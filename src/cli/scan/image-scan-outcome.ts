/**
 * How an image scan ends, the same for scan image, scan sbom and scan cluster --images: the exit code (2 when
 * anything could not be read — an image, a VEX document, the configuration; else 1 when a vulnerability in effect
 * or an unwaived image check finding is at or above --fail-on; else 0) and the problems written to stderr.
 * Suppressed vulnerabilities (VEX, waivers) and waived findings never reach --fail-on; vulnerabilities of unknown
 * severity never do either (there is nothing to compare).
 */
import { atLeast, type Severity } from '../../core/model/severity.js';
import type { ImageScanDocument } from '../../outputs/image-scan-report.js';
import { EXIT } from '../exit-codes.js';

export function imageScanExitCode(document: ImageScanDocument, failOn: Severity | undefined): number {
  if (document.problems.length > 0 || document.images.some((i) => i.scan.problems.length > 0)) return EXIT.error;
  if (!failOn) return EXIT.ok;
  for (const image of document.images) {
    if (image.triage.active.some((v) => v.finding.severity.rating !== 'unknown' && atLeast(v.finding.severity.rating, failOn))) return EXIT.findings;
    if (image.scan.findings.some((f) => !f.waiver && atLeast(f.severity, failOn))) return EXIT.findings;
  }
  return EXIT.ok;
}

/** The notes of every image (packages that cannot be matched): written to stderr as notes, never failing the scan. */
export function imageScanNoteLines(document: ImageScanDocument): string[] {
  const multiple = document.images.length > 1;
  return document.images.flatMap((image) => (image.scan.notes ?? []).map((n) => (multiple ? `${String(image.scan.target.name)}: ${n}` : n)));
}

export function imageScanProblemLines(document: ImageScanDocument): string[] {
  const multiple = document.images.length > 1;
  return [
    ...document.problems,
    ...document.images.flatMap((image) => image.scan.problems.map((p) => (multiple ? `${String(image.scan.target.name)}: ${p}` : p))),
  ];
}

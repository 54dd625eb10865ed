/**
 * What `aspis netpol harden` reads of an image scan report (`aspis scan image IMAGE -o json`): the image scanned (its
 * name and digests) and its vulnerabilities with severity and fixed versions. Everything else in the report is left
 * to the reader (src/sources/scan-reports) and ignored here.
 */
import type { Severity } from '../../core/model/severity.js';
import { atLeast } from '../../core/model/severity.js';

export interface ReportedVulnerability {
  id: string;
  aliases: readonly string[];
  severity: Severity | 'unknown';
  score?: number;
  package: { ecosystem: string; name: string; version: string };
  /** Versions that fix it; empty: no fix is known (the case hardening is for). */
  fixedVersions: readonly string[];
  /** Why the report says it does not apply (a waiver, a VEX not_affected or fixed statement): not counted. */
  suppressed?: string;
}

export interface ScannedImageReport {
  /** Where the report was read: `file`, or `file[index]` for one of several in a file. */
  source: string;
  /** `target.name`: the image as it was named for the scan. */
  name: string;
  /** `sha256:…` digests of the image scanned: manifest and config (and the one in its name, if any). */
  digests: readonly string[];
  vulnerabilities: readonly ReportedVulnerability[];
}

/** Vulnerabilities at or above `threshold` for which no fixed version is known and that the report does not suppress. */
export function unfixableVulnerabilities(report: ScannedImageReport, threshold: Severity): ReportedVulnerability[] {
  return report.vulnerabilities.filter((v) => v.severity !== 'unknown' && atLeast(v.severity, threshold) && v.fixedVersions.length === 0 && v.suppressed === undefined);
}

/**
 * Triage of one image's vulnerabilities: VEX statements and waivers first (on every vulnerability, so a waiver is
 * "unused" only when it matches nothing at all), then the display filters `--severity` and `--ignore-unfixed`, whose
 * effect is counted so that nothing disappears without the report saying so.
 *
 * - A VEX statement with status not_affected or fixed (the latest that applies, see vexVerdict) suppresses the
 *   vulnerability; affected and under_investigation keep it active and are reported with it.
 * - A waiver in force suppresses it (see VulnerabilityWaivers).
 * Suppressed vulnerabilities are reported with what suppressed them, never dropped, and never reach --fail-on.
 */
import type { VulnerabilityFinding } from '../matching/vulnerability-finding.js';
import type { VexDocument, VexStatement } from './openvex-document.js';
import type { ScannedImage } from './scanned-image.js';
import { VexStatementIndex, vexSuppresses, vexVerdict } from './vex-verdict.js';
import type { AppliedVulnerabilityWaiver, VulnerabilityWaivers } from './vulnerability-waiver.js';

export type VulnerabilityRating = VulnerabilityFinding['severity']['rating'];

export interface TriageOptions {
  readonly vex: readonly VexDocument[];
  readonly waivers: VulnerabilityWaivers;
  /** Only these ratings are reported (absent: all). */
  readonly severities?: ReadonlySet<VulnerabilityRating>;
  /** Leave out vulnerabilities without a known fixed version. */
  readonly ignoreUnfixed?: boolean;
}

export interface TriagedVulnerability {
  readonly finding: VulnerabilityFinding;
  /** The VEX statement that applies (any status). */
  readonly vex?: VexStatement;
  /** The waiver that applies. */
  readonly waiver?: AppliedVulnerabilityWaiver;
}

export interface TriagedVulnerabilities {
  /** Vulnerabilities in effect: they count for --fail-on. */
  readonly active: readonly TriagedVulnerability[];
  /** Suppressed by a VEX statement (not_affected, fixed) or a waiver. */
  readonly suppressed: readonly TriagedVulnerability[];
  /** How many the filters left out (active and suppressed alike). */
  readonly filtered: { readonly severity: number; readonly unfixed: number };
}

export function triageVulnerabilities(findings: readonly VulnerabilityFinding[], image: ScannedImage | undefined, options: TriageOptions): TriagedVulnerabilities {
  const active: TriagedVulnerability[] = [];
  const suppressed: TriagedVulnerability[] = [];
  const filtered = { severity: 0, unfixed: 0 };
  const index = new VexStatementIndex(options.vex);
  for (const finding of findings) {
    const vex = vexVerdict(index, finding, image);
    const waiver = options.waivers.apply(finding, image);
    if (options.ignoreUnfixed && finding.fixedVersions.length === 0) {
      filtered.unfixed++;
      continue;
    }
    if (options.severities && !options.severities.has(finding.severity.rating)) {
      filtered.severity++;
      continue;
    }
    const triaged: TriagedVulnerability = { finding, ...(vex ? { vex } : {}), ...(waiver ? { waiver } : {}) };
    if ((vex && vexSuppresses(vex)) || waiver) suppressed.push(triaged);
    else active.push(triaged);
  }
  return { active, suppressed, filtered };
}

/**
 * Whether an image may run given Aspis's scan results: it must have been scanned (unless unscanned images are
 * allowed), within maxAgeDays, with no vulnerability at or above failOnSeverity that is not waived. A pinned
 * reference is looked up by its digest (the content that runs); an unpinned one can only be matched by
 * repository:tag, which may point elsewhere by now, and the verdict says so. Pure: the scan results and the time
 * come in as arguments.
 */
import type { Violation } from '../../core/model/check.js';
import type { Workload } from '../../core/k8s/workload.js';
import type { Severity } from '../../core/model/severity.js';
import { atLeast } from '../../core/model/severity.js';
import type { ImageReference } from '../../checks/workload/image-reference.js';
import { isPinningDigest, parseImageReference, registryAllowed } from '../../checks/workload/image-reference.js';
import type { ImageScanRecord, RecordedVulnerability } from '../../store/scan-results/image-scan-record.js';
import type { ScanLookup } from '../../store/scan-results/scan-results-index.js';

/** A vulnerability accepted at admission: these ids (or aliases) in these images, for this reason, until expiry. */
export interface ImageVulnerabilityWaiver {
  readonly ids: readonly string[];
  /** Registry / repository prefixes as in allowedRegistries; empty: every image. */
  readonly images: readonly string[];
  readonly reason: string;
  /** First instant it no longer applies. */
  readonly expiresAt?: Date;
}

export interface ScanRequirement {
  readonly maxAgeDays: number;
  readonly failOnSeverity: Severity;
  readonly allowUnscanned: boolean;
  readonly waivers: readonly ImageVulnerabilityWaiver[];
}

export type ScanFailure = 'invalid-reference' | 'not-scanned' | 'stale' | 'vulnerable';

export type ImageScanVerdict =
  | { readonly ok: true; readonly matchedBy: 'digest' | 'tag' | 'unscanned-allowed'; readonly record?: ImageScanRecord }
  | { readonly ok: false; readonly failure: ScanFailure; readonly message: string; readonly record?: ImageScanRecord };

/** How many vulnerability ids a message lists before "…and N more". */
export const LISTED_VULNERABILITIES = 5;
const DAY_MS = 86_400_000;

function waiverApplies(waiver: ImageVulnerabilityWaiver, vulnerability: RecordedVulnerability, ref: ImageReference, now: Date): boolean {
  if (waiver.expiresAt !== undefined && now >= waiver.expiresAt) return false;
  if (!waiver.ids.includes(vulnerability.id) && !vulnerability.aliases.some((alias) => waiver.ids.includes(alias))) return false;
  return waiver.images.length === 0 || registryAllowed(ref, waiver.images);
}

/** The vulnerabilities of a scan that block admission: at or above the threshold, not waived at scan time or here. */
export function blockingVulnerabilities(record: ImageScanRecord, ref: ImageReference, requirement: ScanRequirement, now: Date): RecordedVulnerability[] {
  return record.vulnerabilities.filter(
    (v) =>
      v.severity !== 'unknown' &&
      atLeast(v.severity, requirement.failOnSeverity) &&
      v.waived === undefined &&
      !requirement.waivers.some((w) => waiverApplies(w, v, ref, now)),
  );
}

export function judgeImageScan(image: string, requirement: ScanRequirement, lookup: ScanLookup, now: Date): ImageScanVerdict {
  const ref = parseImageReference(image);
  if (!ref) return { ok: false, failure: 'invalid-reference', message: `"${image}" is not a valid image reference, so no scan result can be found for it` };
  const pinned = isPinningDigest(ref.digest);
  const tagKey = `${ref.repository}:${ref.tag ?? 'latest'}`;
  const record = pinned ? lookup.byDigest(ref.digest!) : lookup.byReference(tagKey);
  const byTag = pinned ? '' : ` (matched by tag ${tagKey}: the reference is not pinned by digest, so the tag may now name other content than was scanned)`;
  if (!record) {
    if (requirement.allowUnscanned) return { ok: true, matchedBy: 'unscanned-allowed' };
    return {
      ok: false,
      failure: 'not-scanned',
      message: pinned ? `image "${image}" has no Aspis scan result for ${ref.digest}` : `image "${image}" has no Aspis scan result for tag ${tagKey} (unpinned references can only be matched by tag)`,
    };
  }
  const scannedAt = Date.parse(record.scannedAt);
  const ageDays = Math.floor((now.getTime() - scannedAt) / DAY_MS);
  if (now.getTime() - scannedAt > requirement.maxAgeDays * DAY_MS) {
    return {
      ok: false,
      failure: 'stale',
      record,
      message: `image "${image}" was last scanned ${record.scannedAt} (${ageDays} days ago), more than maxAgeDays ${requirement.maxAgeDays}${byTag}`,
    };
  }
  const blocking = blockingVulnerabilities(record, ref, requirement, now);
  if (blocking.length > 0) {
    const ids = [...new Map(blocking.map((v) => [v.id, v])).values()];
    const listed = ids.slice(0, LISTED_VULNERABILITIES).map((v) => `${v.id} (${v.severity})`).join(', ');
    const more = ids.length > LISTED_VULNERABILITIES ? `, …and ${ids.length - LISTED_VULNERABILITIES} more` : '';
    return {
      ok: false,
      failure: 'vulnerable',
      record,
      message: `image "${image}" has ${ids.length} vulnerabilit${ids.length === 1 ? 'y' : 'ies'} at or above ${requirement.failOnSeverity} not waived (scanned ${record.scannedAt}): ${listed}${more}${byTag}`,
    };
  }
  return { ok: true, matchedBy: pinned ? 'digest' : 'tag', record };
}

export const IMAGE_SCAN_RULE = 'image-scan';

/**
 * One violation per container whose image fails the scan requirement, at `<container path>.image`; and the images
 * that passed only by tag, or only because unscanned images are allowed (for the audit annotations).
 */
export function imageScanViolations(
  workload: Workload,
  requirement: ScanRequirement,
  lookup: ScanLookup,
  now: Date,
): { violations: Violation[]; matchedByTag: string[]; unscannedAllowed: string[] } {
  const violations: Violation[] = [];
  const matchedByTag: string[] = [];
  const unscannedAllowed: string[] = [];
  const verdicts = new Map<string, ImageScanVerdict>();
  for (const c of workload.containers) {
    const image = c.container['image'];
    if (typeof image !== 'string') continue;
    let verdict = verdicts.get(image);
    if (!verdict) verdicts.set(image, (verdict = judgeImageScan(image, requirement, lookup, now)));
    if (!verdict.ok) violations.push({ path: [...c.path, 'image'], message: `container "${c.name}": ${verdict.message}`, evidence: image });
    else if (verdict.matchedBy === 'tag' && !matchedByTag.includes(image)) matchedByTag.push(image);
    else if (verdict.matchedBy === 'unscanned-allowed' && !unscannedAllowed.includes(image)) unscannedAllowed.push(image);
  }
  return { violations, matchedByTag, unscannedAllowed };
}

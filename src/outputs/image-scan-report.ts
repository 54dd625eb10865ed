/**
 * The result of `aspis scan image`, `aspis scan sbom` and `aspis scan cluster --images`: each image's packages, its
 * vulnerabilities after triage (VEX, waivers, filters; see src/vuln/triage) and its image check findings. This file
 * holds the model and the JSON rendering; the schema of the JSON is image-scan-schema.ts, the table is
 * image-scan-table.ts, SARIF image-scan-sarif.ts, CycloneDX image-scan-cyclonedx.ts.
 */
import type { Finding } from '../core/model/finding.js';
import type { WaiverReport } from '../core/model/report.js';
import type { PackageLocation } from '../image/catalogers/cataloger.js';
import type { PackageQuery } from '../vuln/matching/package-query.js';
import type { VulnerabilityFinding } from '../vuln/matching/vulnerability-finding.js';
import type { VexDocument } from '../vuln/triage/openvex-document.js';
import type { TriagedVulnerabilities, TriagedVulnerability, VulnerabilityRating } from '../vuln/triage/triage-vulnerabilities.js';
import type { VulnerabilityWaiverReport } from '../vuln/triage/vulnerability-waiver.js';

export const IMAGE_SCAN_SCHEMA_VERSION = 'aspis.dev/image-scan/v1';
export const CLUSTER_IMAGES_SCHEMA_VERSION = 'aspis.dev/cluster-images/v1';

/** A package as catalogers report it (an SBOM gives only the query fields). */
export type ScannedPackage = PackageQuery & { readonly locations?: readonly PackageLocation[]; readonly licenses?: readonly string[]; readonly foundBy?: string };

/** One image (or SBOM) scanned, before triage. */
export interface ImageScanReport {
  /** The image (name, digests, os) or the SBOM file scanned. */
  readonly target: Readonly<Record<string, unknown>>;
  readonly packages: readonly ScannedPackage[];
  readonly vulnerabilities: readonly VulnerabilityFinding[];
  /** Findings of the image checks (runs as root, secrets in layers…); empty for an SBOM. */
  readonly findings: readonly Finding[];
  /** Check exceptions of `.aspis.yaml` to look at (expired, unused, invalid), when image checks ran. */
  readonly checkWaivers?: readonly WaiverReport[];
  readonly problems: readonly string[];
  /**
   * What the reader should know that is not a problem (the exit code ignores it): packages whose version cannot be
   * matched against the database, such as Go's "(devel)" main modules.
   */
  readonly notes?: readonly string[];
}

/** A container of a running Pod that uses an image (`scan cluster --images`). */
export interface ImageUse {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  /** The controlling workload, `Kind/name` (ReplicaSets named by their Deployment when known), when there is one. */
  readonly workload?: string;
}

export interface TriagedImageScan {
  readonly scan: ImageScanReport;
  readonly triage: TriagedVulnerabilities;
  /** For a cluster scan: the image as the Pods name it, and who uses it. */
  readonly usedBy?: readonly ImageUse[];
}

export interface ImageScanFilters {
  readonly severities?: readonly VulnerabilityRating[];
  readonly ignoreUnfixed: boolean;
}

/** What every image scan command reports: the images, the triage inputs and their problems. */
export interface ImageScanDocument {
  readonly tool: { readonly name: 'aspis'; readonly version: string };
  /** ISO 8601 time of the scan (also the instant waiver expiry is judged at). */
  readonly generatedAt: string;
  readonly images: readonly TriagedImageScan[];
  readonly filters: ImageScanFilters;
  readonly vex: readonly VexDocument[];
  readonly waivers: readonly VulnerabilityWaiverReport[];
  /** Problems of the scan as a whole (configuration, VEX documents, the cluster); image problems are per image. */
  readonly problems: readonly string[];
}

export const RATINGS: readonly VulnerabilityRating[] = ['critical', 'high', 'medium', 'low', 'info', 'unknown'];

export function countBySeverity(vulnerabilities: readonly TriagedVulnerability[]): Record<VulnerabilityRating, number> {
  const counts = Object.fromEntries(RATINGS.map((r) => [r, 0])) as Record<VulnerabilityRating, number>;
  for (const v of vulnerabilities) counts[v.finding.severity.rating]++;
  return counts;
}

/** `aspis scan image|sbom -o json`: one image, fields flat (schema docs/image-scan.schema.json). */
export function imageScanJson(document: ImageScanDocument): string {
  const image = document.images[0];
  if (!image) throw new Error('an image scan document has one image');
  return `${JSON.stringify({ schemaVersion: IMAGE_SCAN_SCHEMA_VERSION, tool: document.tool, generatedAt: document.generatedAt, ...imageJson(image), ...sharedJson(document) }, null, 2)}\n`;
}

/** `aspis scan cluster --images -o json` (schema docs/cluster-images.schema.json). */
export function clusterImagesJson(document: ImageScanDocument): string {
  const images = document.images;
  const summary = {
    images: images.length,
    vulnerabilities: images.reduce((n, i) => n + i.triage.active.length, 0),
    suppressed: images.reduce((n, i) => n + i.triage.suppressed.length, 0),
    findings: images.reduce((n, i) => n + i.scan.findings.length, 0),
    imagesWithProblems: images.filter((i) => i.scan.problems.length > 0).length,
  };
  return `${JSON.stringify(
    {
      schemaVersion: CLUSTER_IMAGES_SCHEMA_VERSION,
      tool: document.tool,
      generatedAt: document.generatedAt,
      summary,
      images: images.map((image) => ({ ...imageJson(image), usedBy: image.usedBy ?? [] })),
      ...sharedJson(document),
    },
    null,
    2,
  )}\n`;
}

function sharedJson(document: ImageScanDocument): Record<string, unknown> {
  return {
    filters: { ...(document.filters.severities ? { severities: document.filters.severities } : {}), ignoreUnfixed: document.filters.ignoreUnfixed },
    vex: document.vex.map((d) => ({ file: d.file, id: d.id, author: d.author, statements: d.statements.length })),
    waivers: document.waivers,
    problems: document.problems,
  };
}

function imageJson(image: TriagedImageScan): Record<string, unknown> {
  const { scan, triage } = image;
  return {
    target: scan.target,
    summary: {
      packages: scan.packages.length,
      vulnerabilities: triage.active.length,
      suppressed: triage.suppressed.length,
      bySeverity: countBySeverity(triage.active),
      findings: scan.findings.length,
      filtered: triage.filtered,
    },
    packages: scan.packages.map(packageJson),
    vulnerabilities: triage.active.map(vulnerabilityJson),
    suppressed: triage.suppressed.map(vulnerabilityJson),
    findings: scan.findings,
    ...(scan.checkWaivers && scan.checkWaivers.length > 0 ? { checkWaivers: scan.checkWaivers } : {}),
    problems: scan.problems,
    ...(scan.notes && scan.notes.length > 0 ? { notes: scan.notes } : {}),
  };
}

function packageJson(p: ScannedPackage): Record<string, unknown> {
  return {
    ecosystem: p.ecosystem,
    name: p.name,
    version: p.version,
    ...(p.purl ? { purl: p.purl } : {}),
    ...(p.sourceName ? { sourceName: p.sourceName } : {}),
    ...(p.sourceVersion ? { sourceVersion: p.sourceVersion } : {}),
    ...(p.distroRelease ? { distroRelease: p.distroRelease } : {}),
    ...(p.licenses && p.licenses.length > 0 ? { licenses: p.licenses } : {}),
    ...(p.locations && p.locations.length > 0 ? { locations: p.locations } : {}),
  };
}

function vulnerabilityJson(v: TriagedVulnerability): Record<string, unknown> {
  const f = v.finding;
  return {
    id: f.id,
    aliases: f.aliases,
    severity: f.severity.rating,
    ...(f.severity.score !== undefined ? { score: f.severity.score } : {}),
    ...(f.severity.vector ? { vector: f.severity.vector } : {}),
    package: {
      ecosystem: f.package.ecosystem,
      name: f.package.name,
      version: f.package.version,
      ...(f.package.purl ? { purl: f.package.purl } : {}),
      ...(f.package.sourceName ? { sourceName: f.package.sourceName } : {}),
    },
    fixedVersions: f.fixedVersions,
    affectedRanges: f.affectedRanges,
    ...(f.summary ? { summary: f.summary } : {}),
    records: f.records,
    ...(v.vex
      ? {
          vex: {
            status: v.vex.status,
            ...(v.vex.justification ? { justification: v.vex.justification } : {}),
            ...(v.vex.impactStatement ? { impactStatement: v.vex.impactStatement } : {}),
            ...(v.vex.actionStatement ? { actionStatement: v.vex.actionStatement } : {}),
            ...(v.vex.statusNotes ? { statusNotes: v.vex.statusNotes } : {}),
            timestamp: v.vex.timestamp,
            declaredAt: v.vex.declaredAt,
          },
        }
      : {}),
    ...(v.waiver ? { waiver: v.waiver } : {}),
  };
}

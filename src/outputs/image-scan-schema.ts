/**
 * The JSON of the image scans as zod schemas: `aspis scan image|sbom -o json` (aspis.dev/image-scan/v1) and
 * `aspis scan cluster --images -o json` (aspis.dev/cluster-images/v1). The single source of
 * docs/image-scan.schema.json and docs/cluster-images.schema.json (tools/generate-image-scan-schemas.ts); the tests
 * validate real output against the generated files, so the writer (image-scan-report.ts) cannot drift from them.
 */
import { z } from 'zod';
import { VEX_JUSTIFICATIONS, VEX_STATUSES } from '../vuln/triage/openvex-document.js';
import { CLUSTER_IMAGES_SCHEMA_VERSION, IMAGE_SCAN_SCHEMA_VERSION, RATINGS } from './image-scan-report.js';
import { publishedJsonSchema } from './published-json-schema.js';
import { reportSchema } from './report-schema.js';

const rating = z.enum(RATINGS as [string, ...string[]]).describe('critical, high, medium, low, info (CVSS 0.0), or unknown (no rating in any record).');
const ratingCounts = z.strictObject(Object.fromEntries(RATINGS.map((r) => [r, z.number().int()])) as Record<string, z.ZodNumber>).describe('Vulnerabilities in effect per rating.');

const location = z.strictObject({ layerDigest: z.string().describe('The layer the file is in (sha256:…).'), path: z.string().describe('Path in the image filesystem.') });

const packageEntry = z
  .strictObject({
    ecosystem: z.string().describe('OSV ecosystem without release: Debian, Ubuntu, Alpine, npm, PyPI, Go…'),
    name: z.string(),
    version: z.string(),
    purl: z.string().optional(),
    sourceName: z.string().optional().describe('Source package (distributions), which distro advisories name.'),
    sourceVersion: z.string().optional(),
    distroRelease: z.string().optional().describe('Distribution release (os-release VERSION_ID or codename).'),
    licenses: z.array(z.string()).optional(),
    locations: z.array(location).optional().describe('Where the package was found (absent for an SBOM).'),
  })
  .describe('An installed package.');

const vexVerdict = z
  .strictObject({
    status: z.enum(VEX_STATUSES),
    justification: z.enum(VEX_JUSTIFICATIONS).optional(),
    impactStatement: z.string().optional(),
    actionStatement: z.string().optional(),
    statusNotes: z.string().optional(),
    timestamp: z.string().describe('The statement timestamp (or its document timestamp).'),
    declaredAt: z.string().describe('file:line of the statement.'),
  })
  .describe('The OpenVEX statement that applies (the latest one naming the vulnerability and covering the package).');

const appliedWaiver = z
  .strictObject({ reason: z.string(), owner: z.string().optional(), expires: z.string().optional(), declaredAt: z.string().describe('`.aspis.yaml:<line>`.') })
  .describe('The vulnerability waiver (`.aspis.yaml` vulnerabilities.exceptions) that applies.');

const vulnerability = z
  .strictObject({
    id: z.string().describe('Preferred id: the CVE when the records have one.'),
    aliases: z.array(z.string()).describe('Every other id of the same vulnerability.'),
    severity: rating,
    score: z.number().optional().describe('CVSS base score, when a vector was scored.'),
    vector: z.string().optional().describe('The CVSS vector the score comes from.'),
    package: z.strictObject({ ecosystem: z.string(), name: z.string(), version: z.string(), purl: z.string().optional(), sourceName: z.string().optional() }),
    fixedVersions: z.array(z.string()).describe('Versions that fix it, ascending; empty when no fix is known.'),
    affectedRanges: z.array(z.string()).describe('Where the installed version lies, per record.'),
    summary: z.string().optional(),
    records: z.array(z.string()).describe('The OSV records that matched.'),
    vex: vexVerdict.optional(),
    waiver: appliedWaiver.optional(),
  })
  .describe('One vulnerability of one package.');

const vulnerabilityWaiverReport = z
  .strictObject({
    declaredAt: z.string(),
    id: z.string(),
    reason: z.string(),
    expires: z.string().optional(),
    status: z.enum(['expired', 'unused', 'invalid']),
    message: z.string(),
  })
  .describe('A vulnerability waiver to look at: expired (no longer applies), unused (matched nothing), invalid.');

const finding = reportSchema.shape.findings.element;
const checkWaiverReport = reportSchema.shape.waivers.element;

const imageFields = {
  target: z.looseObject({ name: z.string() }).describe('The image (name, manifestDigest, configDigest, os) or the SBOM file (name, format).'),
  summary: z.strictObject({
    packages: z.number().int(),
    vulnerabilities: z.number().int().describe('In effect (not suppressed, not filtered).'),
    suppressed: z.number().int().describe('Suppressed by VEX (not_affected, fixed) or a waiver.'),
    bySeverity: ratingCounts,
    findings: z.number().int().describe('Image check findings (waived ones included, with their waiver).'),
    filtered: z.strictObject({ severity: z.number().int().describe('Left out by --severity.'), unfixed: z.number().int().describe('Left out by --ignore-unfixed.') }),
  }),
  packages: z.array(packageEntry),
  vulnerabilities: z.array(vulnerability).describe('Vulnerabilities in effect: these count for --fail-on.'),
  suppressed: z.array(vulnerability).describe('Suppressed vulnerabilities, each with the VEX statement or waiver that suppressed it.'),
  findings: z.array(finding).describe('Image check findings (kind ContainerImage); waived ones carry `waiver`.'),
  checkWaivers: z.array(checkWaiverReport).optional().describe('Check exceptions to look at (expired, unused, invalid).'),
  problems: z.array(z.string()).describe('What could not be read in this image; any problem makes the scan exit 2.'),
  notes: z.array(z.string()).optional().describe('Not problems (the exit code ignores them): packages whose version cannot be matched against the vulnerability database.'),
};

const sharedFields = {
  filters: z.strictObject({ severities: z.array(rating).optional(), ignoreUnfixed: z.boolean() }).describe('The display filters of the scan.'),
  vex: z.array(z.strictObject({ file: z.string(), id: z.string(), author: z.string(), statements: z.number().int() })).describe('The OpenVEX documents read.'),
  waivers: z.array(vulnerabilityWaiverReport),
  problems: z.array(z.string()).describe('Problems of the scan as a whole: configuration, VEX documents, the cluster.'),
};

const header = { tool: z.strictObject({ name: z.literal('aspis'), version: z.string() }), generatedAt: z.string().describe('When the scan ran (ISO 8601, UTC).') };

export const imageScanSchema = z
  .strictObject({ schemaVersion: z.literal(IMAGE_SCAN_SCHEMA_VERSION), ...header, ...imageFields, ...sharedFields })
  .meta({ title: `Aspis image scan (${IMAGE_SCAN_SCHEMA_VERSION})`, description: 'aspis scan image / scan sbom --output json. See docs/images.md.' });

const imageUse = z.strictObject({
  namespace: z.string(),
  pod: z.string(),
  container: z.string().describe('Container name (init and ephemeral containers included).'),
  workload: z.string().optional().describe('The controlling workload, Kind/name.'),
});

export const clusterImagesSchema = z
  .strictObject({
    schemaVersion: z.literal(CLUSTER_IMAGES_SCHEMA_VERSION),
    ...header,
    summary: z.strictObject({
      images: z.number().int().describe('Distinct images scanned (by digest when the Pods report one).'),
      vulnerabilities: z.number().int(),
      suppressed: z.number().int(),
      findings: z.number().int(),
      imagesWithProblems: z.number().int(),
    }),
    images: z.array(z.strictObject({ ...imageFields, usedBy: z.array(imageUse).describe('The containers of running Pods that use the image.') })),
    ...sharedFields,
  })
  .meta({ title: `Aspis cluster image scan (${CLUSTER_IMAGES_SCHEMA_VERSION})`, description: 'aspis scan cluster --images --output json. See docs/images.md.' });

export function imageScanJsonSchema(): Record<string, unknown> {
  return publishedJsonSchema(imageScanSchema, 'tools/generate-image-scan-schemas.ts', 'src/outputs/image-scan-schema.ts');
}

export function clusterImagesJsonSchema(): Record<string, unknown> {
  return publishedJsonSchema(clusterImagesSchema, 'tools/generate-image-scan-schemas.ts', 'src/outputs/image-scan-schema.ts');
}

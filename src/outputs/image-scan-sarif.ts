/**
 * SARIF 2.1.0 of the image scans: one run, one rule per vulnerability id and per image check id, one result per
 * vulnerability of a package (located at the file the package was found in: the image path, with the layer digest
 * and the purl as logical locations) and per image check finding. Suppressed vulnerabilities (VEX not_affected /
 * fixed, waivers) and waived check findings are results with a suppression, as in the manifest SARIF (sarif.ts).
 */
import { createHash } from 'node:crypto';
import type { Finding } from '../core/model/finding.js';
import type { Severity } from '../core/model/severity.js';
import { formatRef } from './text.js';
import type { TriagedVulnerability, VulnerabilityRating } from '../vuln/triage/triage-vulnerabilities.js';
import type { ImageScanDocument, ScannedPackage, TriagedImageScan } from './image-scan-report.js';
import { SARIF_SCHEMA_URI } from './sarif.js';

type Level = 'error' | 'warning' | 'note';
const LEVEL: Record<VulnerabilityRating, Level> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note', unknown: 'warning' };
/** GitHub code scanning ranks by this score; a vulnerability's own CVSS score is used when it has one. */
const SECURITY_SEVERITY: Record<VulnerabilityRating, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0', unknown: '5.0' };
/** Where image paths are relative to: the root of the scanned image's filesystem. */
const IMAGE_ROOT = 'IMAGEROOT';

export function imageScanSarif(document: ImageScanDocument): string {
  const rules = new Map<string, Record<string, unknown>>();
  const results: Record<string, unknown>[] = [];
  for (const image of document.images) {
    const packages = new Map<string, ScannedPackage>(image.scan.packages.map((p) => [packageKey(p), p]));
    for (const v of [...image.triage.active, ...image.triage.suppressed]) {
      if (!rules.has(v.finding.id)) rules.set(v.finding.id, vulnerabilityRule(v));
      results.push(vulnerabilityResult(v, image, packages.get(packageKey(v.finding.package))));
    }
    for (const finding of image.scan.findings) {
      if (!rules.has(finding.checkId)) rules.set(finding.checkId, checkRule(finding));
      results.push(checkResult(finding, image));
    }
  }
  const ruleIds = [...rules.keys()].sort();
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  for (const result of results) result['ruleIndex'] = ruleIndex.get(result['ruleId'] as string);

  const problems = [...document.problems, ...document.images.flatMap((i) => i.scan.problems.map((p) => `${targetName(i)}: ${p}`))];
  const invocation: Record<string, unknown> = { executionSuccessful: problems.length === 0 };
  if (problems.length > 0) invocation['toolExecutionNotifications'] = problems.map((text) => ({ level: 'error', message: { text }, descriptor: { id: 'input-error' } }));
  if (document.waivers.length > 0) {
    invocation['toolConfigurationNotifications'] = document.waivers.map((w) => {
      const at = /^(.+):(\d+)$/.exec(w.declaredAt);
      return {
        level: w.status === 'invalid' ? 'error' : 'warning',
        message: { text: `${w.status} vulnerability waiver (${w.id}): ${w.message}` },
        descriptor: { id: `${w.status}-waiver` },
        ...(at ? { locations: [{ physicalLocation: { artifactLocation: { uri: encodeURI(at[1]!) }, region: { startLine: Number(at[2]) } } }] } : {}),
      };
    });
  }
  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: document.tool.name,
            version: document.tool.version,
            ...(/^\d+\.\d+\.\d+(?:[-+].*)?$/.test(document.tool.version) ? { semanticVersion: document.tool.version } : {}),
            rules: ruleIds.map((id) => rules.get(id)!),
          },
        },
        invocations: [invocation],
        originalUriBaseIds: { [IMAGE_ROOT]: { description: { text: 'The root of the scanned image filesystem (paths are the same in every layer).' } } },
        results,
        properties: { generatedAt: document.generatedAt, images: document.images.map((i) => i.scan.target) },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function packageKey(p: { ecosystem: string; name: string; version: string; purl?: string }): string {
  return p.purl ?? `${p.ecosystem}\0${p.name}\0${p.version}`;
}

function targetName(image: TriagedImageScan): string {
  return typeof image.scan.target.name === 'string' ? image.scan.target.name : 'image';
}

function vulnerabilityRule(v: TriagedVulnerability): Record<string, unknown> {
  const f = v.finding;
  const helpUri = f.references.find((r) => r.type === 'ADVISORY')?.url ?? f.references[0]?.url;
  return {
    id: f.id,
    shortDescription: { text: f.summary ?? f.id },
    fullDescription: { text: f.summary ?? `${f.id} (${[...f.aliases].join(', ') || 'no aliases'})` },
    help: { text: `Upgrade the package to a fixed version when one is known (OSV records: ${f.records.join(', ')}).` },
    ...(helpUri && /^[a-z][a-z0-9+.-]*:/i.test(helpUri) ? { helpUri } : {}),
    defaultConfiguration: { level: LEVEL[f.severity.rating] },
    properties: {
      tags: ['security', 'vulnerability'],
      'security-severity': f.severity.score !== undefined ? f.severity.score.toFixed(1) : SECURITY_SEVERITY[f.severity.rating],
      severity: f.severity.rating,
      aliases: f.aliases,
    },
  };
}

function vulnerabilityResult(v: TriagedVulnerability, image: TriagedImageScan, pkg: ScannedPackage | undefined): Record<string, unknown> {
  const f = v.finding;
  const where = pkg?.locations?.[0];
  const logical = [
    { name: f.package.name, fullyQualifiedName: f.package.purl ?? `${f.package.ecosystem}/${f.package.name}@${f.package.version}`, kind: 'package' },
    ...(where ? [{ name: where.layerDigest, fullyQualifiedName: `${targetName(image)}@${where.layerDigest}`, kind: 'layer' }] : []),
  ];
  const location: Record<string, unknown> = { logicalLocations: logical };
  if (where) location['physicalLocation'] = { artifactLocation: { uri: encodeURI(where.path.replace(/^\/+/, '')), uriBaseId: IMAGE_ROOT } };
  const fixed = f.fixedVersions.length > 0 ? `fixed in ${f.fixedVersions.join(', ')}` : 'no fix known';
  const result: Record<string, unknown> = {
    ruleId: f.id,
    level: LEVEL[f.severity.rating],
    message: { text: `${f.package.name} ${f.package.version} (${f.package.ecosystem}) is affected by ${f.id}: ${fixed}` },
    locations: [location],
    partialFingerprints: { 'aspisVulnerability/v1': hash([targetName(image), f.id, f.package.purl ?? f.package.name, f.package.version]) },
    properties: {
      image: targetName(image),
      package: { ecosystem: f.package.ecosystem, name: f.package.name, version: f.package.version, ...(f.package.purl ? { purl: f.package.purl } : {}) },
      fixedVersions: f.fixedVersions,
      ...(v.vex ? { vexStatus: v.vex.status } : {}),
    },
  };
  const suppressedByVex = v.vex && (v.vex.status === 'not_affected' || v.vex.status === 'fixed');
  if (suppressedByVex || v.waiver) {
    result['suppressions'] = [
      suppressedByVex
        ? { kind: 'external', justification: `VEX ${v.vex!.status}${v.vex!.justification ? `: ${v.vex!.justification}` : ''}${v.vex!.impactStatement ? ` (${v.vex!.impactStatement})` : ''}`, properties: { declaredAt: v.vex!.declaredAt, timestamp: v.vex!.timestamp } }
        : { kind: 'external', justification: v.waiver!.reason, properties: { declaredAt: v.waiver!.declaredAt, ...(v.waiver!.expires ? { expires: v.waiver!.expires } : {}), ...(v.waiver!.owner ? { owner: v.waiver!.owner } : {}) } },
    ];
  }
  return result;
}

function checkRule(finding: Finding): Record<string, unknown> {
  return {
    id: finding.checkId,
    shortDescription: { text: finding.checkId },
    defaultConfiguration: { level: LEVEL[finding.severity as Severity] },
    properties: { tags: ['security', 'image'], 'security-severity': SECURITY_SEVERITY[finding.severity], severity: finding.severity },
  };
}

function checkResult(finding: Finding, image: TriagedImageScan): Record<string, unknown> {
  const result: Record<string, unknown> = {
    ruleId: finding.checkId,
    level: LEVEL[finding.severity],
    message: { text: finding.message },
    locations: [{ logicalLocations: [{ name: targetName(image), fullyQualifiedName: finding.path ? `${formatRef(finding.resource)}#${finding.path}` : formatRef(finding.resource), kind: 'resource' }] }],
    partialFingerprints: { 'aspisFinding/v1': hash([finding.checkId, targetName(image), finding.path]) },
    properties: { severity: finding.severity, field: finding.path, ...(finding.evidence !== undefined ? { evidence: finding.evidence } : {}) },
  };
  if (finding.waiver) result['suppressions'] = [{ kind: 'external', justification: finding.waiver.reason, properties: { declaredAt: finding.waiver.declaredAt } }];
  return result;
}

function hash(parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

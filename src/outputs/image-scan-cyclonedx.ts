/**
 * CycloneDX 1.6 of an image scan (or of every image a cluster runs: clusterImagesCycloneDx): the SBOM (the image as metadata.component, its packages as components, as
 * sbom-cyclonedx.ts writes them) plus `vulnerabilities`, one per vulnerability of a package, with its ratings
 * (CVSS score, vector, method), the package it affects (by bom-ref), and an analysis from the triage: VEX
 * not_affected → not_affected (with the justification), fixed → resolved, affected → exploitable,
 * under_investigation → in_triage; a waiver → exploitable, response will_not_fix, the reason as detail.
 * Built with @cyclonedx/cyclonedx-library and its 1.6 normaliser.
 */
import * as CDX from '@cyclonedx/cyclonedx-library';
import type { Package } from '../image/catalogers/cataloger.js';
import type { VexStatement } from '../vuln/triage/openvex-document.js';
import type { TriagedVulnerability } from '../vuln/triage/triage-vulnerabilities.js';
import type { ImageScanDocument, ScannedPackage, TriagedImageScan } from './image-scan-report.js';
import { packageRefs } from '../image/sbom/image-sbom.js';
import { component } from './sbom-cyclonedx.js';

const { AnalysisState, AnalysisJustification, AnalysisResponse, RatingMethod, Severity } = CDX.Enums.Vulnerability;

const JUSTIFICATION: Record<string, CDX.Enums.Vulnerability.AnalysisJustification> = {
  component_not_present: AnalysisJustification.CodeNotPresent,
  vulnerable_code_not_present: AnalysisJustification.CodeNotPresent,
  vulnerable_code_not_in_execute_path: AnalysisJustification.CodeNotReachable,
  vulnerable_code_cannot_be_controlled_by_adversary: AnalysisJustification.RequiresEnvironment,
  inline_mitigations_already_exist: AnalysisJustification.ProtectedByMitigatingControl,
};

const METHOD: Record<string, CDX.Enums.Vulnerability.RatingMethod> = {
  'CVSS:4.0': RatingMethod.CVSSv4,
  'CVSS:3.1': RatingMethod.CVSSv31,
  'CVSS:3.0': RatingMethod.CVSSv3,
  'CVSS:2.0': RatingMethod.CVSSv2,
};

/** The document of one image (scan image, scan sbom). `serialNumber` is a UUID the caller gives. */
export function imageScanCycloneDx(document: ImageScanDocument, serialNumber: string): string {
  const image = document.images[0];
  if (!image) throw new Error('an image scan document has one image');
  const bom = newBom(document, serialNumber);
  bom.metadata.component = imageComponent(image, 'image');
  addImage(bom, image, '', bom.components);
  return serialize(bom);
}

/**
 * The document of every image a cluster runs (`scan cluster --images`): the cluster as metadata.component (a
 * platform), each image a container component with its packages nested in it, bom-refs prefixed per image so that a
 * package in two images is two components, and each vulnerability affecting the package of its image.
 */
export function clusterImagesCycloneDx(document: ImageScanDocument, serialNumber: string, cluster: string): string {
  const bom = newBom(document, serialNumber);
  bom.metadata.component = new CDX.Models.Component(CDX.Enums.ComponentType.Platform, cluster, { bomRef: 'cluster' });
  document.images.forEach((image, i) => {
    const container = imageComponent(image, `image-${i + 1}`);
    bom.components.add(container);
    addImage(bom, image, `image-${i + 1}/`, container.components);
  });
  return serialize(bom);
}

function newBom(document: ImageScanDocument, serialNumber: string): CDX.Models.Bom {
  const bom = new CDX.Models.Bom();
  bom.serialNumber = `urn:uuid:${serialNumber}`;
  bom.metadata.timestamp = new Date(document.generatedAt);
  bom.metadata.tools.components.add(new CDX.Models.Component(CDX.Enums.ComponentType.Application, document.tool.name, { version: document.tool.version }));
  return bom;
}

function imageComponent(image: TriagedImageScan, bomRef: string): CDX.Models.Component {
  const target = image.scan.target;
  const name = typeof target.name === 'string' ? target.name : 'image';
  const manifestDigest = typeof target.manifestDigest === 'string' ? target.manifestDigest : undefined;
  const isImage = typeof target.configDigest === 'string';
  return new CDX.Models.Component(isImage ? CDX.Enums.ComponentType.Container : CDX.Enums.ComponentType.Application, name, {
    bomRef,
    ...(manifestDigest ? { version: manifestDigest } : {}),
  });
}

/** Adds an image's packages to `components` (bom-refs prefixed by `prefix`) and its vulnerabilities to the BOM. */
function addImage(bom: CDX.Models.Bom, image: TriagedImageScan, prefix: string, components: CDX.Models.ComponentRepository): void {
  const { scan, triage } = image;
  const refs = packageRefs(scan.packages).map((ref) => `${prefix}${ref}`);
  const refOf = new Map<string, CDX.Models.Component>();
  scan.packages.forEach((pkg, i) => {
    const c = isFullPackage(pkg)
      ? component(pkg, refs[i]!)
      : new CDX.Models.Component(CDX.Enums.ComponentType.Library, pkg.name, { bomRef: refs[i]!, version: pkg.version, ...(pkg.purl ? { purl: pkg.purl } : {}) });
    components.add(c);
    const key = identity(pkg);
    if (!refOf.has(key)) refOf.set(key, c);
  });
  for (const v of [...triage.active, ...triage.suppressed]) {
    const affected = refOf.get(identity(v.finding.package));
    bom.vulnerabilities.add(vulnerability(v, affected, prefix));
  }
}

function serialize(bom: CDX.Models.Bom): string {
  const serializer = new CDX.Serialize.JsonSerializer(new CDX.Serialize.JSON.Normalize.Factory(CDX.Spec.Spec1dot6));
  return `${serializer.serialize(bom, { sortLists: true, space: 2 })}\n`;
}

function vulnerability(v: TriagedVulnerability, affected: CDX.Models.Component | undefined, prefix: string): CDX.Models.Vulnerability.Vulnerability {
  const f = v.finding;
  const vuln = new CDX.Models.Vulnerability.Vulnerability({
    bomRef: `${f.id}/${affected?.bomRef.value ?? `${prefix}${f.package.name}`}`,
    id: f.id,
    source: new CDX.Models.Vulnerability.Source({ name: 'OSV', url: `https://osv.dev/vulnerability/${encodeURIComponent(f.records[0] ?? f.id)}` }),
    ...(f.summary ? { description: f.summary } : {}),
    ...(f.fixedVersions.length > 0 ? { recommendation: `Upgrade ${f.package.name} to ${f.fixedVersions.join(' or ')}.` } : {}),
  });
  vuln.ratings.add(
    new CDX.Models.Vulnerability.Rating({
      ...(f.severity.score !== undefined ? { score: f.severity.score } : {}),
      severity: f.severity.rating === 'unknown' ? Severity.Unknown : (f.severity.rating as CDX.Enums.Vulnerability.Severity),
      method: METHOD[f.severity.source] ?? RatingMethod.Other,
      ...(f.severity.vector ? { vector: f.severity.vector } : {}),
    }),
  );
  for (const reference of f.references) {
    if (/^https?:\/\//.test(reference.url)) vuln.advisories.add(new CDX.Models.Vulnerability.Advisory(reference.url));
  }
  if (affected) vuln.affects.add(new CDX.Models.Vulnerability.Affect(affected.bomRef));
  const properties: [string, string][] = [
    ...f.aliases.map((a): [string, string] => ['aspis:vulnerability:alias', a]),
    ...f.fixedVersions.map((x): [string, string] => ['aspis:vulnerability:fixedVersion', x]),
  ];
  if (v.vex) properties.push(['aspis:vex:statement', v.vex.declaredAt]);
  if (v.waiver) properties.push(['aspis:waiver:declaredAt', v.waiver.declaredAt]);
  for (const [name, value] of properties) vuln.properties.add(new CDX.Models.Property(name, value));
  const analysis = v.vex && (v.vex.status !== 'affected' || !v.waiver) ? vexAnalysis(v.vex) : v.waiver ? waiverAnalysis(v) : undefined;
  if (analysis) vuln.analysis = analysis;
  return vuln;
}

function vexAnalysis(statement: VexStatement): CDX.Models.Vulnerability.Analysis {
  const detail = [statement.impactStatement, statement.actionStatement, statement.statusNotes, `OpenVEX statement at ${statement.declaredAt}`].filter(Boolean).join('; ');
  switch (statement.status) {
    case 'not_affected':
      return new CDX.Models.Vulnerability.Analysis({
        state: AnalysisState.NotAffected,
        ...(statement.justification && JUSTIFICATION[statement.justification] ? { justification: JUSTIFICATION[statement.justification] } : {}),
        detail,
      });
    case 'fixed':
      return new CDX.Models.Vulnerability.Analysis({ state: AnalysisState.Resolved, detail });
    case 'affected':
      return new CDX.Models.Vulnerability.Analysis({ state: AnalysisState.Exploitable, detail });
    case 'under_investigation':
      return new CDX.Models.Vulnerability.Analysis({ state: AnalysisState.InTriage, detail });
  }
}

function waiverAnalysis(v: TriagedVulnerability): CDX.Models.Vulnerability.Analysis {
  const w = v.waiver!;
  const analysis = new CDX.Models.Vulnerability.Analysis({
    state: AnalysisState.Exploitable,
    detail: `Accepted risk (waiver at ${w.declaredAt}${w.owner ? `, owner ${w.owner}` : ''}${w.expires ? `, until ${w.expires}` : ''}): ${w.reason}`,
  });
  analysis.response.add(AnalysisResponse.WillNotFix);
  return analysis;
}

function isFullPackage(pkg: ScannedPackage): pkg is Package {
  return typeof pkg.purl === 'string' && typeof pkg.foundBy === 'string' && Array.isArray(pkg.locations);
}

function identity(p: { ecosystem: string; name: string; version: string; purl?: string }): string {
  return `${p.ecosystem}\0${p.name}\0${p.version}\0${p.purl ?? ''}`;
}

/**
 * `aspis scan image IMAGE` and `aspis scan sbom FILE`: the packages of an image (or an SBOM) matched against the
 * OSV vulnerability database (`aspis db import|update`), triaged with OpenVEX documents and `.aspis.yaml`
 * vulnerability waivers, filtered by --severity / --ignore-unfixed, written as a table, JSON, SARIF or CycloneDX.
 * Exit 1 when a vulnerability in effect (or an image check finding) is at or above --fail-on, 2 when the image, the
 * SBOM, a VEX document or the configuration had problems (the rest is still reported).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { SEVERITIES, type Severity } from '../../core/model/severity.js';
import { imageScanJson, RATINGS, type ImageScanDocument, type ImageScanReport } from '../../outputs/image-scan-report.js';
import { matchPackages } from '../../vuln/matching/match-packages.js';
import { formatUnmatchedPackage, unmatchableVersions } from '../../vuln/matching/unmatchable-versions.js';
import { triageVulnerabilities } from '../../vuln/triage/triage-vulnerabilities.js';
import { addOfflineOptions, openScanDatabase } from '../offline-options.js';
import { imageScanExitCode, imageScanNoteLines, imageScanProblemLines } from '../scan/image-scan-outcome.js';
import { loadImageCheckSetup } from '../scan/image-check-setup.js';
import { scanOneImage } from '../scan/scan-one-image.js';
import { recordScanResult } from '../scan/record-scan-result.js';
import { defaultScanResultsPath } from '../../store/scan-results/default-scan-results-path.js';
import { loadVulnerabilityTriage, type VulnerabilityTriageFlags, type VulnerabilityTriageInputs } from '../scan/vulnerability-triage-inputs.js';
import { addImageInputOptions, type ImageInputOptions } from './sbom.js';

export const IMAGE_SCAN_FORMATS = ['table', 'json', 'sarif', 'cyclonedx'] as const;

export interface VulnScanOptions extends VulnerabilityTriageFlags {
  db?: string;
  output: (typeof IMAGE_SCAN_FORMATS)[number];
  outputFile?: string;
  failOn?: Severity;
}

/** The triage options every image scan command shares (scan image, scan sbom, scan cluster --images; -c is each command's). */
export function addVulnerabilityTriageOptions(command: Command): Command {
  return command
    .addOption(new Option('--db <file>', 'vulnerability database file (default: $ASPIS_VULN_DB or ~/.cache/aspis/db/osv.sqlite)'))
    .option('--vex <file>', 'OpenVEX document: not_affected / fixed statements suppress vulnerabilities (repeatable)', collect)
    .option('--severity <list>', `only vulnerabilities of these severities, comma-separated (${RATINGS.join(', ')})`, collect)
    .option('--ignore-unfixed', 'leave out vulnerabilities without a known fixed version');
}

function addVulnScanOptions(command: Command): Command {
  return addOfflineOptions(addVulnerabilityTriageOptions(command))
    .option('-c, --config <file>', 'configuration file: image checks, check and vulnerability exceptions, VEX files (default: .aspis.yaml here)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(IMAGE_SCAN_FORMATS).default('table'))
    .option('--output-file <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a vulnerability in effect (or an image check finding) is at or above this severity').choices([...SEVERITIES]));
}

export function registerScanImage(scan: Command, env: { version: string; setExitCode(code: number): void }): void {
  const command = scan
    .command('image')
    .description('scan a container image: its packages, their known vulnerabilities (OSV) and the image checks')
    .argument('<image>', 'registry reference, oci:DIR[:NAME], oci-archive:FILE[:NAME], docker-archive:FILE[:TAG], or a path')
    .option('--record [file]', 'record the result for the admission webhook\'s image gating (default store: $ASPIS_SCAN_RESULTS or ~/.cache/aspis/results/scans.sqlite)')
    .option('--record-as <reference>', 'with --record: the registry reference the image is deployed by (for OCI layouts and archives)');
  addVulnScanOptions(addImageInputOptions(command)).action(async (image: string, options: VulnScanOptions & ImageInputOptions & { record?: string | true; recordAs?: string }) => {
    const now = new Date();
    const triage = loadVulnerabilityTriage(options, process.cwd(), now);
    const db = await openScanDatabase(options, image);
    try {
      const config = loadImageCheckSetup(options.config !== undefined ? { path: options.config, cwd: process.cwd() } : { cwd: process.cwd() });
      const scanned = await scanOneImage(image, db, { ...(options.platform ? { platform: options.platform } : {}), ...(options.insecure ? { insecure: true } : {}), config, now });
      // The image checks report the rest of the configuration's problems with the image.
      env.setExitCode(await write(document(scanned, triage, now, env.version, []), options));
      if (options.record !== undefined || options.recordAs !== undefined) {
        const meta = db.metadata();
        const dbVersion = meta.modifiedWatermark ?? meta.importedAt;
        const path = typeof options.record === 'string' ? options.record : defaultScanResultsPath();
        const recorded = recordScanResult(path, scanned, triage.options, now, { aspisVersion: env.version, ...(dbVersion ? { dbVersion } : {}), ...(options.recordAs ? { reference: options.recordAs } : {}) });
        process.stderr.write(`aspis: recorded ${[recorded.reference, recorded.manifestDigest].filter(Boolean).join(' ')} in ${path}\n`);
      }
    } finally {
      db.close();
    }
  });
}

export function registerScanSbom(scan: Command, env: { version: string; setExitCode(code: number): void }): void {
  const command = scan
    .command('sbom')
    .description('match the packages of an SBOM (CycloneDX or SPDX JSON) against the vulnerability database')
    .argument('<file>', 'CycloneDX 1.2–1.6 or SPDX 2.2/2.3 JSON file');
  addVulnScanOptions(command).action(async (file: string, options: VulnScanOptions) => {
    const now = new Date();
    const triage = loadVulnerabilityTriage(options, process.cwd(), now);
    const { readSbomPackages } = await import('../../image/sbom/sbom-packages.js');
    const sbom = readSbomPackages(readFileSync(file, 'utf8'), file);
    for (const skipped of sbom.skipped) process.stderr.write(`aspis: ${skipped.where}: not matched: ${skipped.reason}\n`);
    const db = await openScanDatabase(options);
    try {
      const scanned: ImageScanReport = {
        target: { name: file, format: sbom.format },
        packages: sbom.packages,
        vulnerabilities: matchPackages(db, sbom.packages),
        findings: [],
        problems: sbom.errors,
        notes: unmatchableVersions(sbom.packages).map(formatUnmatchedPackage),
      };
      // No image checks run on an SBOM: the rest of the configuration's problems are reported here.
      env.setExitCode(await write(document(scanned, triage, now, env.version, triage.configProblems), options));
    } finally {
      db.close();
    }
  });
}

function document(scanned: ImageScanReport, triage: VulnerabilityTriageInputs, now: Date, version: string, extraProblems: readonly string[]): ImageScanDocument {
  const name = typeof scanned.target.name === 'string' ? scanned.target.name : '';
  const image = {
    name,
    ...(typeof scanned.target.manifestDigest === 'string' ? { manifestDigest: scanned.target.manifestDigest } : {}),
    ...(typeof scanned.target.configDigest === 'string' ? { configDigest: scanned.target.configDigest } : {}),
  };
  return {
    tool: { name: 'aspis', version },
    generatedAt: now.toISOString(),
    images: [{ scan: scanned, triage: triageVulnerabilities(scanned.vulnerabilities, image, triage.options) }],
    filters: triage.filters,
    vex: triage.vex,
    waivers: triage.waivers.reports(),
    problems: [...triage.problems, ...extraProblems],
  };
}

/** Each output format is loaded only when chosen: the CycloneDX library alone is about 0.2 s of start-up CPU. */
async function render(document: ImageScanDocument, output: VulnScanOptions['output']): Promise<string> {
  switch (output) {
    case 'json':
      return imageScanJson(document);
    case 'sarif':
      return (await import('../../outputs/image-scan-sarif.js')).imageScanSarif(document);
    case 'cyclonedx':
      return (await import('../../outputs/image-scan-cyclonedx.js')).imageScanCycloneDx(document, randomUUID());
    case 'table':
      return (await import('../../outputs/image-scan-table.js')).imageScanTable(document);
  }
}

async function write(document: ImageScanDocument, options: VulnScanOptions): Promise<number> {
  const text = await render(document, options.output);
  if (options.outputFile) writeFileSync(options.outputFile, text);
  else process.stdout.write(text);
  for (const line of imageScanNoteLines(document)) process.stderr.write(`aspis: note: ${line}\n`);
  for (const line of imageScanProblemLines(document)) process.stderr.write(`aspis: ${line}\n`);
  return imageScanExitCode(document, options.failOn);
}

export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

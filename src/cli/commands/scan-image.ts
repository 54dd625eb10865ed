/**
 * `aspis scan image IMAGE` and `aspis scan sbom FILE`: the packages of an image (or an SBOM) matched against the
 * OSV vulnerability database (`aspis db import|update`). Exit 1 when a vulnerability is at or above --fail-on,
 * 2 when the image or SBOM had problems (the rest is still reported).
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { atLeast, SEVERITIES, type Severity } from '../../core/model/severity.js';
import { readSbomPackages } from '../../image/sbom/sbom-packages.js';
import { imageScanJson, imageScanTable, type ImageScanReport } from '../../outputs/image-scan-report.js';
import { defaultDatabasePath } from '../../store/vuln-db/default-database-path.js';
import { VulnDatabase } from '../../store/vuln-db/vuln-database.js';
import { matchPackages } from '../../vuln/matching/match-packages.js';
import { EXIT } from '../exit-codes.js';
import { scanOneImage } from '../scan/scan-one-image.js';
import { addImageInputOptions, type ImageInputOptions } from './sbom.js';

interface VulnScanOptions {
  db?: string;
  output: 'table' | 'json';
  failOn?: Severity;
}

function addVulnScanOptions(command: Command): Command {
  return command
    .addOption(new Option('--db <file>', 'vulnerability database file (default: $ASPIS_VULN_DB or ~/.cache/aspis/db/osv.sqlite)'))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a vulnerability is at or above this severity').choices([...SEVERITIES]));
}

export function registerScanImage(scan: Command, env: { setExitCode(code: number): void }): void {
  const command = scan
    .command('image')
    .description('scan a container image: its packages and their known vulnerabilities (OSV)')
    .argument('<image>', 'registry reference, oci:DIR[:NAME], oci-archive:FILE[:NAME], docker-archive:FILE[:TAG], or a path');
  addVulnScanOptions(addImageInputOptions(command)).action(async (image: string, options: VulnScanOptions & ImageInputOptions) => {
    const db = VulnDatabase.open(options.db ?? defaultDatabasePath());
    try {
      const scanned = await scanOneImage(image, db, { ...(options.platform ? { platform: options.platform } : {}), ...(options.insecure ? { insecure: true } : {}) });
      env.setExitCode(write(scanned, options));
    } finally {
      db.close();
    }
  });
}

export function registerScanSbom(scan: Command, env: { setExitCode(code: number): void }): void {
  const command = scan
    .command('sbom')
    .description('match the packages of an SBOM (CycloneDX or SPDX JSON) against the vulnerability database')
    .argument('<file>', 'CycloneDX 1.2–1.6 or SPDX 2.2/2.3 JSON file');
  addVulnScanOptions(command).action(async (file: string, options: VulnScanOptions) => {
    const sbom = readSbomPackages(readFileSync(file, 'utf8'), file);
    for (const skipped of sbom.skipped) process.stderr.write(`aspis: ${skipped.where}: not matched: ${skipped.reason}\n`);
    const db = VulnDatabase.open(options.db ?? defaultDatabasePath());
    try {
      const scanned: ImageScanReport = { target: { name: file, format: sbom.format }, packages: sbom.packages, vulnerabilities: matchPackages(db, sbom.packages), findings: [], problems: sbom.errors };
      env.setExitCode(write(scanned, options));
    } finally {
      db.close();
    }
  });
}

function write(result: ImageScanReport, options: VulnScanOptions): number {
  process.stdout.write(options.output === 'json' ? imageScanJson(result) : imageScanTable(result));
  for (const line of result.problems) process.stderr.write(`aspis: ${line}\n`);
  if (result.problems.length > 0) return EXIT.error;
  const failOn = options.failOn;
  if (failOn && result.vulnerabilities.some((v) => v.severity.rating !== 'unknown' && atLeast(v.severity.rating, failOn))) return EXIT.findings;
  return EXIT.ok;
}

/**
 * Image scan reports for Online Boutique's images, in the JSON of `aspis scan image -o json` (the fields netpol harden
 * reads: target, vulnerabilities[] with id, aliases, severity, score, package, fixedVersions), from real OSV records of ../shared/corpora/osv-advisories matched by the real matcher (matchPackages over a real
 * SQLite vulnerability database). The package lists are made up, the matching is not:
 * - recommendationservice (Python) ships numexpr 2.8.4: PYSEC-2023-163 (CVE-2023-39631), CVSS 9.8 critical, and the
 *   record has no fixed version; and requests 2.19.1: PYSEC-2018-28, which has a fix;
 * - frontend (Go) ships golang.org/x/net v0.16.0 and google.golang.org/grpc v1.56.2: fixed upstream, no severity in
 *   the Go records.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusDir, readCsv } from '../../corpora/corpus-location.js';
import type { VulnerabilityFinding } from '../../../src/vuln/matching/vulnerability-finding.js';
import type { RecordFile } from '../../../src/store/vuln-db/osv-record-files.js';
import { parsedRecords } from '../../../src/store/vuln-db/parse-record-file.js';
import { VulnDatabase } from '../../../src/store/vuln-db/vuln-database.js';
import { importRecords } from '../../../src/vuln/database/import-records.js';
import { matchPackages } from '../../../src/vuln/matching/match-packages.js';
import type { PackageQuery } from '../../../src/vuln/matching/package-query.js';

export const IMAGE = (service: string) => `us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/${service}:v0.10.6`;

export const PACKAGES: Record<string, PackageQuery[]> = {
  recommendationservice: [
    { ecosystem: 'PyPI', name: 'numexpr', version: '2.8.4', purl: 'pkg:pypi/numexpr@2.8.4' },
    { ecosystem: 'PyPI', name: 'requests', version: '2.19.1', purl: 'pkg:pypi/requests@2.19.1' },
  ],
  frontend: [
    { ecosystem: 'Go', name: 'golang.org/x/net', version: 'v0.16.0', purl: 'pkg:golang/golang.org/x/net@v0.16.0' },
    { ecosystem: 'Go', name: 'google.golang.org/grpc', version: 'v1.56.2', purl: 'pkg:golang/google.golang.org/grpc@v1.56.2' },
  ],
};

/** A digest that stands for an image's config (deterministic, well-formed). */
export function fakeDigest(text: string): string {
  return `sha256:${Buffer.from(text).toString('hex').padEnd(64, '0').slice(0, 64)}`;
}

async function* corpusRecords(packages: readonly string[]): AsyncGenerator<RecordFile> {
  const root = corpusDir('osv-advisories');
  const rows = readCsv(readFileSync(join(root, 'index.csv'), 'utf8')).filter((row) => packages.includes(row['package']!));
  for (const row of rows) yield { location: row['path']!, text: readFileSync(join(root, row['path']!), 'utf8') };
}

/** One image's report as `aspis scan image -o json` writes it (schema aspis.dev/image-scan/v1; nothing suppressed). */
export function scanJson(target: Record<string, unknown>, packages: readonly PackageQuery[], findings: readonly VulnerabilityFinding[]): string {
  const vulnerabilities = findings.map((f) => ({
    id: f.id,
    aliases: f.aliases,
    severity: f.severity.rating,
    ...(f.severity.score !== undefined ? { score: f.severity.score } : {}),
    ...(f.severity.vector ? { vector: f.severity.vector } : {}),
    package: { ecosystem: f.package.ecosystem, name: f.package.name, version: f.package.version, ...(f.package.purl ? { purl: f.package.purl } : {}) },
    fixedVersions: f.fixedVersions,
    affectedRanges: f.affectedRanges,
    ...(f.summary ? { summary: f.summary } : {}),
    records: f.records,
  }));
  const document = { schemaVersion: 'aspis.dev/image-scan/v1', target, packages, vulnerabilities, suppressed: [], findings: [], problems: [] };
  return `${JSON.stringify(document, null, 2)}\n`;
}

export interface ScanReports {
  dir: string;
  /** Report file per service. */
  files: Record<string, string>;
  /** JSON text of a report for `service` with `packages`, as the scanner writes it. */
  write(name: string, target: Record<string, unknown>, packages: readonly PackageQuery[]): string;
  close(): void;
}

/** Imports the records of the packages used here into a fresh database and writes one report per service. */
export async function boutiqueScanReports(): Promise<ScanReports> {
  const dir = mkdtempSync(join(tmpdir(), 'aspis-harden-reports-'));
  const db = VulnDatabase.open(join(dir, 'osv.sqlite'), { create: true });
  const names = [...new Set(Object.values(PACKAGES).flatMap((list) => list.map((p) => p.name)))];
  const summary = await importRecords(parsedRecords(corpusRecords(names)), db);
  if (summary.problems.length > 0) throw new Error(JSON.stringify(summary.problems));
  const write = (name: string, target: Record<string, unknown>, packages: readonly PackageQuery[]) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, scanJson(target, packages, matchPackages(db, packages)));
    return file;
  };
  const files: Record<string, string> = {};
  for (const [service, packages] of Object.entries(PACKAGES)) {
    files[service] = write(service, { name: IMAGE(service), configDigest: fakeDigest(service) }, packages);
  }
  return {
    dir,
    files,
    write,
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

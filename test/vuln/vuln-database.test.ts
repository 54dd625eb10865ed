/**
 * The whole osv-advisories corpus imported into a real SQLite database, then matched: PROVENANCE.md's example
 * (package, version, advisory) triples are reported, aliases are merged so one CVE is reported once, withdrawn
 * records are not reported, Ubuntu advisories are found through the source package, and fixed versions do not
 * match.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusDir } from '../corpora/corpus-location.js';
import { recordFiles } from '../../src/store/vuln-db/osv-record-files.js';
import { parsedRecords } from '../../src/store/vuln-db/parse-record-file.js';
import { VulnDatabase } from '../../src/store/vuln-db/vuln-database.js';
import { importRecords, type ImportSummary } from '../../src/vuln/database/import-records.js';
import { matchPackages } from '../../src/vuln/matching/match-packages.js';
import type { PackageQuery } from '../../src/vuln/matching/package-query.js';

const dir = mkdtempSync(join(tmpdir(), 'aspis-vulndb-'));
let db: VulnDatabase;
let summary: ImportSummary;

before(async () => {
  db = VulnDatabase.open(join(dir, 'osv.sqlite'), { create: true });
  summary = await importRecords(parsedRecords(recordFiles(corpusDir('osv-advisories'))), db);
  db.recordImport('osv-advisories corpus', new Date('2026-01-01T00:00:00Z'));
});
after(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const ids = (query: PackageQuery): string[] => matchPackages(db, [query]).flatMap((f) => [f.id, ...f.aliases]);

describe('vulnerability database over the osv-advisories corpus', () => {
  it('imports every record (JSON and YAML) without a problem, and records the metadata', () => {
    assert.deepEqual(summary.problems, []);
    assert.equal(summary.records, 6974);
    assert.equal(summary.added, 6974);
    const meta = db.metadata();
    assert.equal(meta.records, 6974);
    assert.equal(meta.recordsPerEcosystem['Go'], 4291);
    assert.equal(meta.recordsPerEcosystem['PyPI'], 2661);
    assert.equal(meta.recordsPerEcosystem['Ubuntu:22.04:LTS'], 6);
    assert.equal(meta.source, 'osv-advisories corpus');
    assert.equal(meta.importedAt, '2026-01-01T00:00:00.000Z');
    assert.match(meta.modifiedWatermark ?? '', /^20\d\d-/);
  });

  it("reports PROVENANCE.md's example advisories for the pinned old versions", () => {
    const triples: Array<[PackageQuery, string]> = [
      [{ ecosystem: 'PyPI', name: 'requests', version: '2.19.1' }, 'PYSEC-2018-28'],
      [{ ecosystem: 'PyPI', name: 'urllib3', version: '1.24.1' }, 'PYSEC-2019-133'],
      [{ ecosystem: 'PyPI', name: 'Jinja2', version: '2.10' }, 'PYSEC-2019-217'],
      [{ ecosystem: 'PyPI', name: 'flask', version: '0.12.2' }, 'PYSEC-2018-66'],
      [{ ecosystem: 'PyPI', name: 'werkzeug', version: '2.2.2' }, 'PYSEC-2023-57'],
      [{ ecosystem: 'Go', name: 'golang.org/x/crypto', version: 'v0.16.0' }, 'GO-2023-2402'],
      [{ ecosystem: 'Go', name: 'golang.org/x/net', version: 'v0.16.0' }, 'GO-2023-2102'],
      [{ ecosystem: 'Go', name: 'golang.org/x/text', version: 'v0.3.7' }, 'GO-2022-1059'],
      [{ ecosystem: 'Go', name: 'google.golang.org/grpc', version: 'v1.56.2' }, 'GO-2023-2153'],
      [{ ecosystem: 'Go', name: 'github.com/gin-gonic/gin', version: 'v1.9.0' }, 'GO-2023-1737'],
      [{ ecosystem: 'npm', name: 'lodash', version: '4.17.11' }, 'GHSA-jf85-cpcp-j695'],
      [{ ecosystem: 'npm', name: 'lodash', version: '4.17.11' }, 'GHSA-p6mc-m468-83gw'],
      [{ ecosystem: 'npm', name: 'minimist', version: '1.2.5' }, 'GHSA-xvch-5gv4-984h'],
      [{ ecosystem: 'npm', name: 'axios', version: '1.5.1' }, 'GHSA-wf5p-g6vw-rhxx'],
      [{ ecosystem: 'npm', name: 'express', version: '4.18.2' }, 'GHSA-rv95-896h-c2vc'],
      [{ ecosystem: 'npm', name: 'semver', version: '7.5.1' }, 'GHSA-c2qf-rxjj-qqgw'],
      [{ ecosystem: 'npm', name: '@loopback/rest', version: '8.0.0' }, 'LBSA-20201130'],
      [{ ecosystem: 'npm', name: 'node-fetch', version: '2.6.6' }, 'GHSA-r683-j2x4-v87g'],
      [{ ecosystem: 'Ubuntu', distroRelease: '22.04', name: 'libc6', sourceName: 'glibc', version: '2.35-0ubuntu3.3' }, 'CVE-2023-4911'],
      [{ ecosystem: 'Ubuntu', distroRelease: '22.04', name: 'sudo', version: '1.9.9-1ubuntu2.1' }, 'CVE-2023-22809'],
      [{ ecosystem: 'Ubuntu', distroRelease: '22.04', name: 'libssl3', sourceName: 'openssl', version: '3.0.2-0ubuntu1.13' }, 'CVE-2024-0727'],
    ];
    const missing = triples.filter(([query, id]) => !ids(query).includes(id)).map(([q, id]) => `${q.ecosystem} ${q.name} ${q.version}: ${id}`);
    assert.deepEqual(missing, []);
  });

  it('does not report a version at or above the fix', () => {
    assert.ok(!ids({ ecosystem: 'PyPI', name: 'requests', version: '2.20.0' }).includes('PYSEC-2018-28'));
    assert.ok(!ids({ ecosystem: 'Go', name: 'github.com/gin-gonic/gin', version: 'v1.9.1' }).includes('GO-2023-1737'));
    assert.ok(!ids({ ecosystem: 'Ubuntu', distroRelease: '22.04', name: 'libc6', sourceName: 'glibc', version: '2.35-0ubuntu3.4' }).includes('CVE-2023-4911'));
  });

  it('merges records that alias each other: one finding per CVE, the other ids as aliases', () => {
    const findings = matchPackages(db, [{ ecosystem: 'PyPI', name: 'requests', version: '2.19.1' }]);
    const cve = findings.filter((f) => f.id === 'CVE-2018-18074');
    assert.equal(cve.length, 1);
    assert.deepEqual(cve[0]!.records, ['PYSEC-2018-28']);
    assert.ok(cve[0]!.aliases.includes('PYSEC-2018-28') && cve[0]!.aliases.includes('GHSA-x84v-xcm2-53pg'));
    assert.deepEqual(cve[0]!.fixedVersions, ['2.20.0']);
    assert.deepEqual(cve[0]!.affectedRanges, ['PyPI requests <2.20.0']);
    const every = findings.flatMap((f) => [f.id, ...f.aliases]);
    assert.equal(new Set(every).size, every.length, 'no identifier in two findings');
  });

  it('finds Ubuntu advisories through the source package and the release, with Pro (ESM) releases too', () => {
    assert.ok(!ids({ ecosystem: 'Ubuntu', distroRelease: '22.04', name: 'libc6', version: '2.35-0ubuntu3.3' }).includes('CVE-2023-4911'), 'binary name alone');
    assert.ok(!ids({ ecosystem: 'Ubuntu', distroRelease: '20.04', name: 'libc6', sourceName: 'glibc', version: '2.31-0ubuntu9.9' }).includes('CVE-2023-4911'), 'a release the record does not name');
    const [finding] = matchPackages(db, [{ ecosystem: 'Ubuntu', distroRelease: '16.04', name: 'sudo', version: '1.8.16-0ubuntu1.9' }]).filter((f) => f.id === 'CVE-2023-22809');
    assert.ok(finding, 'Ubuntu:Pro:16.04:LTS record matched for release 16.04');
    assert.deepEqual(finding.fixedVersions, ['1.8.16-0ubuntu1.10+esm1']);
    assert.equal(finding.severity.rating, 'high');
    assert.equal(finding.severity.source, 'CVSS:3.1');
  });

  it('does not report withdrawn records', () => {
    assert.ok(!ids({ ecosystem: 'PyPI', name: 'aiohttp', version: '3.8.1' }).includes('PYSEC-2022-43059'));
  });

  it('scores severity from the CVSS vector and keeps ecosystem_specific', () => {
    const [lodash] = matchPackages(db, [{ ecosystem: 'npm', name: 'lodash', version: '4.17.11' }]).filter((f) => f.records.includes('GHSA-jf85-cpcp-j695'));
    assert.equal(lodash!.id, 'CVE-2019-10744');
    assert.deepEqual([lodash!.severity.rating, lodash!.severity.score], ['critical', 9.1]);
    const [gin] = matchPackages(db, [{ ecosystem: 'Go', name: 'github.com/gin-gonic/gin', version: 'v1.9.0' }]).filter((f) => f.records.includes('GO-2023-1737'));
    assert.deepEqual(gin!.ecosystemSpecific, [{ imports: [{ path: 'github.com/gin-gonic/gin', symbols: ['Context.FileAttachment'] }] }]);
  });

  it('re-importing the same records replaces nothing newer and adds nothing', async () => {
    const again = await importRecords(parsedRecords(recordFiles(join(corpusDir('osv-advisories'), 'npm'))), db);
    assert.deepEqual([again.added, again.replaced, again.keptNewer], [0, 16, 0]);
    assert.equal(db.metadata().records, 6974);
  });
});

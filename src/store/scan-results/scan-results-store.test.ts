import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ImageScanReport } from '../../outputs/image-scan-report.js';
import type { VulnerabilityFinding } from '../../vuln/matching/vulnerability-finding.js';
import { recordImageScan, referenceKey } from './record-image-scan.js';
import { ScanResultsIndex } from './scan-results-index.js';
import { ScanResultsOpenError, ScanResultsStore } from './scan-results-store.js';
import { defaultScanResultsPath } from './default-scan-results-path.js';

const dir = mkdtempSync(join(tmpdir(), 'aspis-scan-results-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const MANIFEST = `sha256:${'a'.repeat(64)}`;
const INDEX = `sha256:${'b'.repeat(64)}`;

function finding(id: string, rating: VulnerabilityFinding['severity']['rating'], name: string, aliases: string[] = []): VulnerabilityFinding {
  return {
    id,
    aliases,
    records: [id],
    package: { ecosystem: 'Debian', name, version: '1.0-1', distroRelease: '12' } as VulnerabilityFinding['package'],
    severity: { rating, source: 'CVSS:3.1' },
    fixedVersions: [],
    affectedRanges: [],
    references: [],
    ecosystemSpecific: [],
    databaseSpecific: [],
  };
}

function report(name: string, vulnerabilities: VulnerabilityFinding[], extra: Record<string, unknown> = {}): ImageScanReport {
  return { target: { name, manifestDigest: MANIFEST, configDigest: `sha256:${'c'.repeat(64)}`, ...extra }, packages: [], vulnerabilities, findings: [], problems: [] };
}

describe('scan results store', () => {
  it('records an ImageScanReport: counts by severity, vulnerabilities ≥ low severest first, waived ones marked', () => {
    const store = ScanResultsStore.open(join(dir, 'a.sqlite'), { create: true });
    const scanned = report('127.0.0.1:5000/aspis/debian:12', [
      finding('CVE-2024-0003', 'medium', 'zlib'),
      finding('CVE-2024-0001', 'critical', 'openssl', ['DSA-1', 'CVE-2024-0001']),
      finding('CVE-2024-0009', 'info', 'tzdata'),
      finding('CVE-2024-0002', 'high', 'glibc'),
      finding('CVE-2024-0004', 'unknown', 'bash'),
      { ...finding('CVE-2024-0005', 'low', 'perl'), waiver: { reason: 'not reachable' } } as VulnerabilityFinding,
    ]);
    const now = new Date('2026-11-27T10:00:00Z');
    const written = recordImageScan(store, scanned, now, { aspisVersion: '0.1.0', dbVersion: '2026-11-26T00:00:00Z', waived: (v) => (v.id === 'CVE-2024-0002' ? 'VEX not_affected: vulnerable_code_not_in_execute_path' : undefined) });
    const [read] = store.scansAfter(0);
    assert.deepEqual(read, written);
    assert.equal(read!.reference, '127.0.0.1:5000/aspis/debian:12');
    assert.equal(read!.manifestDigest, MANIFEST);
    assert.equal(read!.indexDigest, undefined);
    assert.equal(read!.scannedAt, '2026-11-27T10:00:00.000Z');
    assert.deepEqual(read!.counts, { critical: 1, high: 1, medium: 1, low: 1, info: 1, unknown: 1 });
    assert.deepEqual(
      read!.vulnerabilities.map((v) => `${v.severity} ${v.id} ${v.package}${v.waived ? ` waived: ${v.waived}` : ''}`),
      [
        'critical CVE-2024-0001 Debian/openssl@1.0-1',
        'high CVE-2024-0002 Debian/glibc@1.0-1 waived: VEX not_affected: vulnerable_code_not_in_execute_path',
        'medium CVE-2024-0003 Debian/zlib@1.0-1',
        'low CVE-2024-0005 Debian/perl@1.0-1 waived: not reachable',
        'unknown CVE-2024-0004 Debian/bash@1.0-1',
      ],
    );
    assert.deepEqual(read!.vulnerabilities[0]!.aliases, ['DSA-1'], 'the id itself is not repeated among the aliases');
    const [blocking] = store.scansAfter(0, { severities: ['critical', 'high'], withWaived: false });
    assert.deepEqual(blocking!.vulnerabilities.map((v) => v.id), ['CVE-2024-0001'], 'only what a high threshold can block: the waived high is left out');
    assert.deepEqual(blocking!.counts, read!.counts, 'the counts stay whole');
    assert.deepEqual(store.scansAfter(0, { severities: ['high', 'low'], withWaived: true })[0]!.vulnerabilities.map((v) => v.id), ['CVE-2024-0002', 'CVE-2024-0005']);
    assert.equal(read!.aspisVersion, '0.1.0');
    assert.equal(read!.dbVersion, '2026-11-26T00:00:00Z');
    store.close();
  });

  it('keys images by digest and by repository:tag as the runtimes normalise references', () => {
    assert.equal(referenceKey('nginx'), 'docker.io/library/nginx:latest');
    assert.equal(referenceKey('index.docker.io/library/nginx:1.27'), 'docker.io/library/nginx:1.27');
    assert.equal(referenceKey(`ghcr.io/acme/app:1.2@${MANIFEST}`), 'ghcr.io/acme/app:1.2');
    assert.equal(referenceKey(`ghcr.io/acme/app@${MANIFEST}`), undefined, 'digest only: no tag to match by');
    assert.equal(referenceKey('oci:/var/images/layout:12'), undefined, 'a transport path is not a reference');

    const store = ScanResultsStore.open(join(dir, 'b.sqlite'), { create: true });
    const now = new Date('2026-11-27T10:00:00Z');
    const byIndex = recordImageScan(store, report(`ghcr.io/acme/app@${INDEX}`, []), now);
    assert.equal(byIndex.indexDigest, INDEX, 'a reference pinned to another digest than the manifest names its index');
    assert.equal(byIndex.reference, undefined);
    const fromLayout = recordImageScan(store, report('oci:/var/images/layout:12', []), now, { reference: 'registry.example.com/team/app:2' });
    assert.equal(fromLayout.reference, 'registry.example.com/team/app:2');
    assert.throws(
      () => recordImageScan(store, { target: { name: '/tmp/image.tar', configDigest: 'sha256:x' }, vulnerabilities: [], problems: [] }, now),
      /\/tmp\/image\.tar has no manifest digest and is not a registry reference: give the reference it is deployed by/,
    );
    assert.equal(store.extent().scans, 2, 'nothing is written for a scan that cannot be matched');
    store.close();
  });

  it('a read-only reader sees later commits (revision changes) and loads only what was added', () => {
    const path = join(dir, 'c.sqlite');
    const writer = ScanResultsStore.open(path, { create: true });
    recordImageScan(writer, report('registry.example.com/a:1', [finding('CVE-0', 'low', 'y')]), new Date('2026-11-01T00:00:00Z'));
    const reader = ScanResultsStore.open(path, { readonly: true });
    const first = reader.scansAfter(0);
    assert.equal(first.length, 1);
    const revision = reader.revision();
    assert.equal(reader.revision(), revision, 'no change, same revision');
    recordImageScan(writer, report('registry.example.com/a:1', [finding('CVE-1', 'high', 'x')]), new Date('2026-11-20T00:00:00Z'));
    assert.notEqual(reader.revision(), revision);
    const added = reader.scansAfter(first[0]!.id);
    assert.deepEqual(added.map((r) => r.vulnerabilities.map((v) => v.id)), [['CVE-1']]);
    assert.deepEqual(reader.extent(), { scans: 2, maxId: added[0]!.id });
    assert.throws(() => reader.insert(added[0]!), /open read-only/);

    const index = new ScanResultsIndex();
    for (const r of [...added, ...first]) index.add(r);
    assert.equal(index.byDigest(MANIFEST)!.scannedAt, '2026-11-20T00:00:00.000Z', 'the newest scan wins whatever the order added');
    assert.equal(index.byReference('registry.example.com/a:1')!.id, added[0]!.id);
    assert.equal(index.byReference('registry.example.com/a:2'), undefined);

    assert.equal(writer.pruneBefore('2026-11-10T00:00:00Z'), 1);
    assert.deepEqual(reader.extent(), { scans: 1, maxId: added[0]!.id });
    const left = new Database(path, { readonly: true });
    assert.deepEqual(left.prepare('SELECT vulnerability_id AS id FROM image_scan_vulnerabilities').all(), [{ id: 'CVE-1' }], 'the pruned scan takes its vulnerabilities along');
    left.close();
    reader.close();
    writer.close();
  });

  it('opening errors name the file and what to do', () => {
    assert.throws(() => ScanResultsStore.open(join(dir, 'missing.sqlite'), { readonly: true }), (e: Error) => e instanceof ScanResultsOpenError && /no scan results store at .*missing\.sqlite \(record scans with "aspis scan image IMAGE --record" first\)/.test(e.message));
    const other = join(dir, 'other.sqlite');
    new Database(other).exec('CREATE TABLE t (x)');
    assert.throws(() => ScanResultsStore.open(other, { readonly: true }), /other\.sqlite is not an Aspis scan results store/);
    const future = join(dir, 'future.sqlite');
    const db = new Database(future);
    db.pragma('user_version = 99');
    db.close();
    assert.throws(() => ScanResultsStore.open(future, { create: true }), /has schema 99, this Aspis reads 1/);
  });

  it('the default path is under the user cache unless overridden', () => {
    assert.equal(defaultScanResultsPath({ HOME: '/home/u', XDG_CACHE_HOME: '/c' }), '/c/aspis/results/scans.sqlite');
    assert.equal(defaultScanResultsPath({ ASPIS_SCAN_RESULTS: '/data/scans.sqlite' }), '/data/scans.sqlite');
  });
});

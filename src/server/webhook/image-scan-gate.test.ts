import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageScanRecord, RecordedVulnerability } from '../../store/scan-results/image-scan-record.js';
import { ScanResultsIndex } from '../../store/scan-results/scan-results-index.js';
import { workloadOf } from '../../core/k8s/workload.js';
import { imageScanViolations, judgeImageScan } from './image-scan-gate.js';
import type { ScanRequirement } from './image-scan-gate.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const digest = (c: string) => `sha256:${c.repeat(64)}`;
let nextId = 1;

function scan(fields: Partial<ImageScanRecord> & { vulnerabilities?: RecordedVulnerability[] }): ImageScanRecord {
  return {
    id: nextId++,
    scannedAt: '2026-11-26T12:00:00.000Z',
    counts: { critical: 0, high: 0, medium: 0, low: 0, info: 0, unknown: 0 },
    vulnerabilities: [],
    problems: 0,
    ...fields,
  };
}

const vuln = (id: string, severity: RecordedVulnerability['severity'], extra: Partial<RecordedVulnerability> = {}): RecordedVulnerability => ({ id, aliases: [], package: 'Debian/x@1', severity, ...extra });

const index = new ScanResultsIndex();
index.add(scan({ manifestDigest: digest('1'), reference: 'registry.example.com/app:1.0', vulnerabilities: [vuln('CVE-2026-0001', 'medium')] }));
index.add(scan({ manifestDigest: digest('2'), scannedAt: '2026-10-01T00:00:00.000Z' }));
index.add(
  scan({
    manifestDigest: digest('3'),
    reference: 'registry.example.com/vulnerable:2',
    vulnerabilities: [
      vuln('CVE-2026-1000', 'critical', { aliases: ['GHSA-aaaa-bbbb-cccc'] }),
      ...['1001', '1002', '1003', '1004', '1005', '1006'].map((n) => vuln(`CVE-2026-${n}`, 'high')),
      vuln('CVE-2026-1001', 'high'), // the same id in a second package is listed once
      vuln('CVE-2026-2000', 'unknown'),
    ],
  }),
);
index.add(scan({ manifestDigest: digest('4'), vulnerabilities: [vuln('CVE-2026-3000', 'critical', { waived: 'VEX not_affected' }), vuln('CVE-2026-3001', 'unknown')] }));
// Tag scanned twice: the newer scan decides.
index.add(scan({ manifestDigest: digest('5'), reference: 'docker.io/library/nginx:1.27', scannedAt: '2026-11-01T00:00:00.000Z', vulnerabilities: [vuln('CVE-2026-4000', 'critical')] }));
index.add(scan({ manifestDigest: digest('6'), reference: 'docker.io/library/nginx:1.27', scannedAt: '2026-11-25T00:00:00.000Z' }));

const requirement: ScanRequirement = { maxAgeDays: 30, failOnSeverity: 'high', allowUnscanned: false, waivers: [] };

describe('image scan gate', () => {
  it('a pinned image is judged by the scan of its digest', () => {
    const verdict = judgeImageScan(`registry.example.com/app:1.0@${digest('1')}`, requirement, index, NOW);
    assert.deepEqual({ ok: verdict.ok, matchedBy: verdict.ok && verdict.matchedBy }, { ok: true, matchedBy: 'digest' });
    const unknown = judgeImageScan(`registry.example.com/app@${digest('9')}`, requirement, index, NOW);
    assert.equal(unknown.ok, false);
    assert.equal(!unknown.ok && unknown.failure, 'not-scanned');
    assert.equal(!unknown.ok && unknown.message, `image "registry.example.com/app@${digest('9')}" has no Aspis scan result for ${digest('9')}`);
    // A digest is what runs: a tag written beside it is not used to find a scan.
    assert.equal(judgeImageScan(`registry.example.com/app:1.0@${digest('8')}`, requirement, index, NOW).ok, false);
  });

  it('an unpinned image is matched by repository:tag, normalised, and the verdict says so', () => {
    const nginx = judgeImageScan('nginx:1.27', requirement, index, NOW);
    assert.deepEqual({ ok: nginx.ok, matchedBy: nginx.ok && nginx.matchedBy }, { ok: true, matchedBy: 'tag' }, 'the newest scan of the tag (clean) decides');
    const missing = judgeImageScan('registry.example.com/app', requirement, index, NOW);
    assert.equal(!missing.ok && missing.message, 'image "registry.example.com/app" has no Aspis scan result for tag registry.example.com/app:latest (unpinned references can only be matched by tag)');
    const vulnerable = judgeImageScan('registry.example.com/vulnerable:2', requirement, index, NOW);
    assert.ok(!vulnerable.ok && vulnerable.message.endsWith('(matched by tag registry.example.com/vulnerable:2: the reference is not pinned by digest, so the tag may now name other content than was scanned)'));
  });

  it('a scan older than maxAgeDays does not count', () => {
    const verdict = judgeImageScan(`r.example.com/old@${digest('2')}`, requirement, index, NOW);
    assert.equal(!verdict.ok && verdict.failure, 'stale');
    assert.equal(!verdict.ok && verdict.message, `image "r.example.com/old@${digest('2')}" was last scanned 2026-10-01T00:00:00.000Z (57 days ago), more than maxAgeDays 30`);
    assert.equal(judgeImageScan(`r.example.com/old@${digest('2')}`, { ...requirement, maxAgeDays: 60 }, index, NOW).ok, true);
    assert.equal(judgeImageScan(`r.example.com/old@${digest('2')}`, { ...requirement, allowUnscanned: true }, index, NOW).ok, false, 'allowUnscanned admits unknown images, not stale scans');
  });

  it('vulnerabilities at or above the threshold deny, listing the first few ids once each', () => {
    const verdict = judgeImageScan(`registry.example.com/vulnerable@${digest('3')}`, requirement, index, NOW);
    assert.equal(!verdict.ok && verdict.failure, 'vulnerable');
    assert.equal(
      !verdict.ok && verdict.message,
      `image "registry.example.com/vulnerable@${digest('3')}" has 7 vulnerabilities at or above high not waived (scanned 2026-11-26T12:00:00.000Z): ` +
        'CVE-2026-1000 (critical), CVE-2026-1001 (high), CVE-2026-1002 (high), CVE-2026-1003 (high), CVE-2026-1004 (high), …and 2 more',
    );
    const critical = judgeImageScan(`registry.example.com/vulnerable@${digest('3')}`, { ...requirement, failOnSeverity: 'critical' }, index, NOW);
    assert.ok(!critical.ok && critical.message.includes('has 1 vulnerability at or above critical not waived'));
    assert.equal(judgeImageScan(`registry.example.com/app@${digest('1')}`, { ...requirement, failOnSeverity: 'medium' }, index, NOW).ok, false);
  });

  it('waived vulnerabilities and those of unknown severity do not count', () => {
    assert.equal(judgeImageScan(`r.example.com/w@${digest('4')}`, { ...requirement, failOnSeverity: 'low' }, index, NOW).ok, true, 'waived at scan time (VEX), unknown severity');
    const waivers = [
      { ids: ['GHSA-aaaa-bbbb-cccc'], images: ['registry.example.com/vulnerable'], reason: 'patched in our fork' },
      { ids: ['CVE-2026-1001', 'CVE-2026-1002', 'CVE-2026-1003', 'CVE-2026-1004', 'CVE-2026-1005', 'CVE-2026-1006'], images: [], reason: 'accepted', expiresAt: new Date('2026-12-01T00:00:00Z') },
    ];
    const image = `registry.example.com/vulnerable@${digest('3')}`;
    assert.equal(judgeImageScan(image, { ...requirement, waivers }, index, NOW).ok, true, 'waived by alias and by image prefix');
    const elsewhere = judgeImageScan(`other.example.com/vulnerable@${digest('3')}`, { ...requirement, waivers }, index, NOW);
    assert.ok(!elsewhere.ok && elsewhere.message.includes('has 1 vulnerability') && elsewhere.message.includes('CVE-2026-1000 (critical)'), 'the waiver names another repository');
    const later = judgeImageScan(image, { ...requirement, waivers }, index, new Date('2026-12-01T00:00:00Z'));
    assert.ok(!later.ok && later.message.includes('has 6 vulnerabilities'), 'an expired waiver stops applying');
  });

  it('unscanned images pass when allowed; an invalid reference never does', () => {
    const allowed = judgeImageScan('registry.example.com/new:1', { ...requirement, allowUnscanned: true }, index, NOW);
    assert.deepEqual({ ok: allowed.ok, matchedBy: allowed.ok && allowed.matchedBy }, { ok: true, matchedBy: 'unscanned-allowed' });
    const invalid = judgeImageScan('Not A Reference', { ...requirement, allowUnscanned: true }, index, NOW);
    assert.equal(!invalid.ok && invalid.message, '"Not A Reference" is not a valid image reference, so no scan result can be found for it');
  });

  it('violations name every container field path; images matched by tag are listed', () => {
    const workload = workloadOf({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'c' },
      spec: {
        jobTemplate: {
          spec: {
            template: {
              spec: {
                initContainers: [{ name: 'init', image: 'nginx:1.27' }],
                containers: [
                  { name: 'a', image: `registry.example.com/app@${digest('1')}` },
                  { name: 'b', image: 'registry.example.com/unknown:3' },
                  { name: 'c', image: 'registry.example.com/unknown:3' },
                ],
              },
            },
          },
        },
      },
    })!;
    const { violations, matchedByTag } = imageScanViolations(workload, requirement, index, NOW);
    assert.deepEqual(
      violations.map((v) => `${v.path.join('.')}: ${v.message.split(':')[0]}`),
      ['spec.jobTemplate.spec.template.spec.containers.1.image: container "b"', 'spec.jobTemplate.spec.template.spec.containers.2.image: container "c"'],
    );
    assert.deepEqual(matchedByTag, ['nginx:1.27']);
    const allowing = imageScanViolations(workload, { ...requirement, allowUnscanned: true }, index, NOW);
    assert.deepEqual(allowing.violations, []);
    assert.deepEqual(allowing.unscannedAllowed, ['registry.example.com/unknown:3'], 'listed once');
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { VulnerabilityFinding } from '../matching/vulnerability-finding.js';
import { parseOpenVex, type VexDocument } from './openvex-document.js';
import { triageVulnerabilities } from './triage-vulnerabilities.js';
import { VulnerabilityWaivers, type VulnerabilityWaiver } from './vulnerability-waiver.js';
import type { ScannedImage } from './scanned-image.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const IMAGE: ScannedImage = { name: 'registry.example.com/team/app:1.2', manifestDigest: DIGEST, configDigest: `sha256:${'c'.repeat(64)}` };
const NOW = new Date('2026-11-27T12:00:00Z');

function finding(id: string, name: string, options: { aliases?: string[]; purl?: string; sourceName?: string; fixed?: string[]; rating?: VulnerabilityFinding['severity']['rating'] } = {}): VulnerabilityFinding {
  return {
    id,
    aliases: options.aliases ?? [],
    records: [id],
    package: { ecosystem: 'Debian', name, version: '1.0-1', purl: options.purl ?? `pkg:deb/debian/${name}@1.0-1?arch=amd64&distro=debian-12`, ...(options.sourceName ? { sourceName: options.sourceName } : {}) },
    severity: { rating: options.rating ?? 'high', source: 'CVSS:3.1' },
    fixedVersions: options.fixed ?? ['1.0-2'],
    affectedRanges: [],
    references: [],
    ecosystemSpecific: [],
    databaseSpecific: [],
  };
}

function vex(statements: unknown[], file = 'vex.json', order = 0): VexDocument {
  const text = JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', '@id': `https://example.com/${file}`, author: 'a', timestamp: '2026-01-01T00:00:00Z', statements });
  const parsed = parseOpenVex(text, file, order);
  assert.deepEqual(parsed.errors, []);
  return parsed.document!;
}

const notAffected = (name: string, products: unknown[], extra: Record<string, unknown> = {}) => ({
  vulnerability: { name },
  products,
  status: 'not_affected',
  justification: 'component_not_present',
  ...extra,
});

/** `image` null: no image (an SBOM scan). */
const triage = (findings: VulnerabilityFinding[], documents: VexDocument[], waivers: VulnerabilityWaiver[] = [], image: ScannedImage | null = IMAGE) => {
  const set = new VulnerabilityWaivers(waivers, NOW);
  return { result: triageVulnerabilities(findings, image ?? undefined, { vex: documents, waivers: set }), reports: set.reports() };
};

describe('VEX statements', () => {
  it('match the package by purl: no version means every version, qualifiers must agree, other packages are untouched', () => {
    const findings = [finding('CVE-1', 'libc6'), finding('CVE-1', 'zlib1g'), finding('CVE-2', 'libc6')];
    const { result } = triage(findings, [vex([notAffected('CVE-1', [{ '@id': 'pkg:deb/debian/libc6?arch=amd64' }])])]);
    assert.deepEqual(result.suppressed.map((v) => `${v.finding.id} ${v.finding.package.name}`), ['CVE-1 libc6']);
    assert.deepEqual(result.active.map((v) => `${v.finding.id} ${v.finding.package.name}`), ['CVE-1 zlib1g', 'CVE-2 libc6']);
    for (const purl of ['pkg:deb/debian/libc6?arch=arm64', 'pkg:deb/debian/libc6@2.0', 'pkg:deb/ubuntu/libc6', 'pkg:rpm/debian/libc6']) {
      assert.equal(triage([finding('CVE-1', 'libc6')], [vex([notAffected('CVE-1', [{ '@id': purl }])])]).result.suppressed.length, 0, purl);
    }
    const exact = triage([finding('CVE-1', 'libc6')], [vex([notAffected('CVE-1', [{ '@id': 'x', identifiers: { purl: 'pkg:deb/debian/libc6@1.0-1' } }])])]);
    assert.equal(exact.result.suppressed.length, 1, 'identifiers.purl with the exact version');
  });

  it('name the vulnerability by any alias, either way round', () => {
    const f = finding('CVE-2023-4911', 'libc6', { aliases: ['DEBIAN-CVE-2023-4911'] });
    assert.equal(triage([f], [vex([notAffected('debian-cve-2023-4911', [{ '@id': 'pkg:deb/debian/libc6' }])])]).result.suppressed.length, 1);
    assert.equal(triage([f], [vex([notAffected('GHSA-0', [{ '@id': 'pkg:deb/debian/libc6' }], { vulnerability: { name: 'GHSA-0', aliases: ['CVE-2023-4911'] } })])]).result.suppressed.length, 1);
    assert.equal(triage([f], [vex([notAffected('CVE-2023-4912', [{ '@id': 'pkg:deb/debian/libc6' }])])]).result.suppressed.length, 0);
  });

  it('match the image by pkg:oci digest, digest or hash; with subcomponents only those packages', () => {
    const findings = [finding('CVE-1', 'libc6'), finding('CVE-1', 'zlib1g')];
    const whole = triage(findings, [vex([notAffected('CVE-1', [{ '@id': `pkg:oci/app@${encodeURIComponent(DIGEST)}?repository_url=registry.example.com/team/app` }])])]);
    assert.equal(whole.result.suppressed.length, 2, 'the image without subcomponents: every package');
    const byName = triage(findings, [vex([notAffected('CVE-1', [{ '@id': 'pkg:oci/app' }])])]);
    assert.equal(byName.result.suppressed.length, 2, 'pkg:oci without a version: the repository name');
    const otherDigest = triage(findings, [vex([notAffected('CVE-1', [{ '@id': `pkg:oci/app@sha256:${'b'.repeat(64)}` }])])]);
    assert.equal(otherDigest.result.suppressed.length, 0, 'another digest of the same repository is another image');
    const byHash = triage(findings, [vex([notAffected('CVE-1', [{ '@id': 'urn:x', hashes: { 'sha-256': 'c'.repeat(64) } }])])]);
    assert.equal(byHash.result.suppressed.length, 2, 'a hash equal to the config digest');
    const sub = triage(findings, [vex([notAffected('CVE-1', [{ '@id': DIGEST, subcomponents: [{ '@id': 'pkg:deb/debian/zlib1g' }] }])])]);
    assert.deepEqual(sub.result.suppressed.map((v) => v.finding.package.name), ['zlib1g']);
    const subOtherImage = triage(findings, [vex([notAffected('CVE-1', [{ '@id': 'pkg:oci/other', subcomponents: [{ '@id': 'pkg:deb/debian/zlib1g' }] }])])]);
    assert.equal(subOtherImage.result.suppressed.length, 0, 'subcomponents of another image');
    const noImage = triage(findings, [vex([notAffected('CVE-1', [{ '@id': 'pkg:oci/app' }])])], [], null);
    assert.equal(noImage.result.suppressed.length, 0, 'an SBOM scan has no image to match');
  });

  it('the latest statement wins; on equal timestamps the later one (later document, later position)', () => {
    const f = [finding('CVE-1', 'libc6')];
    const product = [{ '@id': 'pkg:deb/debian/libc6' }];
    const affected = { vulnerability: { name: 'CVE-1' }, products: product, status: 'affected', action_statement: 'upgrade' };
    const later = triage(f, [vex([notAffected('CVE-1', product, { timestamp: '2026-03-01T00:00:00Z' }), { ...affected, timestamp: '2026-02-01T00:00:00Z' }])]);
    assert.equal(later.result.suppressed[0]?.vex?.status, 'not_affected', 'the March statement wins over the February one written after it');
    const reversed = triage(f, [vex([notAffected('CVE-1', product, { timestamp: '2026-02-01T00:00:00Z' }), { ...affected, timestamp: '2026-03-01T00:00:00Z' }])]);
    assert.equal(reversed.result.suppressed.length, 0);
    assert.equal(reversed.result.active[0]?.vex?.status, 'affected', 'an affected verdict is reported with the vulnerability');
    const tie = triage(f, [vex([notAffected('CVE-1', product)], 'a.json', 0), vex([affected], 'b.json', 1)]);
    assert.equal(tie.result.active[0]?.vex?.declaredAt.startsWith('b.json'), true);
    const fixed = triage(f, [vex([{ vulnerability: { name: 'CVE-1' }, products: product, status: 'fixed' }])]);
    assert.equal(fixed.result.suppressed[0]?.vex?.status, 'fixed', 'fixed suppresses too');
    const investigating = triage(f, [vex([{ vulnerability: { name: 'CVE-1' }, products: product, status: 'under_investigation' }])]);
    assert.equal(investigating.result.active.length, 1);
  });
});

describe('vulnerability waivers', () => {
  const w = (fields: Partial<VulnerabilityWaiver>): VulnerabilityWaiver => ({ id: 'CVE-1', reason: 'accepted', declaredAt: '.aspis.yaml:1', ...fields });

  it('apply by id or alias, package name, source name or purl, and image reference wildcard or digest', () => {
    const findings = [finding('CVE-1', 'libssl3', { sourceName: 'openssl', aliases: ['GHSA-1'] }), finding('CVE-1', 'zlib1g')];
    const suppressedBy = (waiver: Partial<VulnerabilityWaiver>, image: ScannedImage | null = IMAGE): string[] =>
      triage(findings, [], [w(waiver)], image).result.suppressed.map((v) => v.finding.package.name);
    assert.deepEqual(suppressedBy({}), ['libssl3', 'zlib1g']);
    assert.deepEqual(suppressedBy({ id: 'ghsa-1' }), ['libssl3']);
    assert.deepEqual(suppressedBy({ package: 'openssl' }), ['libssl3'], 'the source package name');
    assert.deepEqual(suppressedBy({ package: 'zlib1g' }), ['zlib1g']);
    assert.deepEqual(suppressedBy({ package: 'pkg:deb/debian/libssl3?distro=debian-12' }), ['libssl3']);
    assert.deepEqual(suppressedBy({ package: 'pkg:deb/debian/libssl3@9.9' }), []);
    assert.deepEqual(suppressedBy({ image: 'registry.example.com/team/*' }), ['libssl3', 'zlib1g']);
    assert.deepEqual(suppressedBy({ image: 'registry.example.com/other/*' }), []);
    assert.deepEqual(suppressedBy({ image: IMAGE.configDigest! }), ['libssl3', 'zlib1g']);
    assert.deepEqual(suppressedBy({ image: 'registry.example.com/team/*' }, null), [], 'an SBOM has no image');
  });

  it('an expired waiver stops applying and is reported with how many it would have waived; unused and invalid ones are reported', () => {
    const findings = [finding('CVE-1', 'libc6'), finding('CVE-1', 'zlib1g'), finding('CVE-2', 'bash')];
    const { result, reports } = triage(findings, [], [
      { id: 'CVE-1', reason: 'old', expires: '2026-11-26', declaredAt: '.aspis.yaml:3' },
      { id: 'CVE-2', reason: 'through today', expires: '2026-11-27', declaredAt: '.aspis.yaml:6' },
      { id: 'CVE-9', reason: 'nothing', declaredAt: '.aspis.yaml:9' },
      { id: 'CVE-1', reason: ' ', declaredAt: '.aspis.yaml:12' },
      { id: 'CVE-1', reason: 'bad date', expires: '2026-02-30', declaredAt: '.aspis.yaml:15' },
    ]);
    assert.deepEqual(result.active.map((v) => v.finding.package.name), ['libc6', 'zlib1g']);
    assert.deepEqual(result.suppressed.map((v) => [v.finding.package.name, v.waiver?.declaredAt]), [['bash', '.aspis.yaml:6']], 'a date applies through the end of that day UTC');
    assert.deepEqual(
      reports.map((r) => `${r.declaredAt} ${r.status}: ${r.message}`),
      [
        '.aspis.yaml:3 expired: expired since 2026-11-27T00:00:00Z (expires: 2026-11-26); 2 vulnerabilities it matches are reported again: fix or renew the waiver',
        '.aspis.yaml:9 unused: matched no vulnerability with id or alias CVE-9: remove the waiver or fix its id, package or image',
        '.aspis.yaml:12 invalid: a reason is required; the waiver does not apply',
        '.aspis.yaml:15 invalid: expires: "2026-02-30" is not a valid date; the waiver does not apply',
      ],
    );
  });
});

describe('filters', () => {
  it('--severity and --ignore-unfixed leave vulnerabilities out and count them, suppressed ones included', () => {
    const findings = [
      finding('CVE-1', 'a', { rating: 'critical' }),
      finding('CVE-2', 'b', { rating: 'low' }),
      finding('CVE-3', 'c', { rating: 'critical', fixed: [] }),
      finding('CVE-4', 'd', { rating: 'unknown' }),
      finding('CVE-5', 'e', { rating: 'low', fixed: [] }),
    ];
    const waivers = new VulnerabilityWaivers([{ id: 'CVE-2', reason: 'r', declaredAt: 'x:1' }], NOW);
    const result = triageVulnerabilities(findings, IMAGE, { vex: [], waivers, severities: new Set(['critical', 'unknown'] as const), ignoreUnfixed: true });
    assert.deepEqual(result.active.map((v) => v.finding.id), ['CVE-1', 'CVE-4']);
    assert.deepEqual(result.suppressed, []);
    assert.deepEqual(result.filtered, { severity: 1, unfixed: 2 });
    assert.deepEqual(waivers.reports(), [], 'the waiver matched a vulnerability the filter then left out: it is used, not unused');
  });
});

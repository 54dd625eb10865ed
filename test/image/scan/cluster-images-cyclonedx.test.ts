/**
 * The CycloneDX document of `scan cluster --images` (clusterImagesCycloneDx): valid CycloneDX 1.6 (the schema bundled
 * with @cyclonedx/cyclonedx-library) when two images hold the same package and the same vulnerability, each image a
 * container component with its own packages, each vulnerability affecting the package of its own image.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clusterImagesCycloneDx } from '../../../src/outputs/image-scan-cyclonedx.js';
import type { ImageScanDocument, TriagedImageScan } from '../../../src/outputs/image-scan-report.js';
import type { VulnerabilityFinding } from '../../../src/vuln/matching/vulnerability-finding.js';
import { cycloneDx16Validator } from './report-validators.js';

const zlib = { ecosystem: 'Debian', name: 'zlib1g', version: '1:1.2.13.dfsg-1', purl: 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64', sourceName: 'zlib', distroRelease: '12' };

function image(name: string, digest: string): TriagedImageScan {
  const finding: VulnerabilityFinding = {
    id: 'CVE-2099-0001',
    aliases: ['DEBIAN-CVE-2099-0001'],
    records: ['DEBIAN-CVE-2099-0001'],
    package: zlib,
    summary: 'zlib overflow',
    severity: { rating: 'critical', score: 9.8, source: 'CVSS:3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
    fixedVersions: ['1:1.2.13.dfsg-2'],
    affectedRanges: ['Debian:12 zlib >=0, <1:1.2.13.dfsg-2'],
    references: [{ type: 'ADVISORY', url: 'https://security-tracker.debian.org/tracker/CVE-2099-0001' }],
    ecosystemSpecific: [],
    databaseSpecific: [],
  };
  return {
    scan: { target: { name, manifestDigest: digest, configDigest: `sha256:${'c'.repeat(64)}` }, packages: [zlib], vulnerabilities: [finding], findings: [], problems: [] },
    triage: { active: [{ finding }], suppressed: [] },
  } as unknown as TriagedImageScan;
}

describe('CycloneDX of the images a cluster runs', () => {
  it('is valid CycloneDX 1.6 with each image a container holding its own packages and vulnerabilities', () => {
    const document: ImageScanDocument = {
      tool: { name: 'aspis', version: '0.0.0-test' },
      generatedAt: '2026-11-27T12:00:00.000Z',
      images: [image('registry.local/shop/web@sha256:aa', `sha256:${'a'.repeat(64)}`), image('registry.local/shop/api@sha256:bb', `sha256:${'b'.repeat(64)}`)],
      filters: { ignoreUnfixed: false },
      vex: [],
      waivers: [],
      problems: [],
    };
    const bom = JSON.parse(clusterImagesCycloneDx(document, '3f0c1f4e-5b6a-4f5e-9d3c-2a1b0c9d8e7f', 'kind-shop')) as {
      metadata: { component: { type: string; name: string } };
      components: { type: string; name: string; 'bom-ref': string; components?: { 'bom-ref': string; name: string }[] }[];
      vulnerabilities: { id: string; 'bom-ref': string; affects: { ref: string }[] }[];
    };
    const validate = cycloneDx16Validator();
    assert.ok(validate(bom), JSON.stringify(validate.errors?.slice(0, 3)));
    assert.deepEqual(bom.metadata.component, { type: 'platform', name: 'kind-shop', 'bom-ref': 'cluster' });
    assert.deepEqual(
      bom.components.map((c) => [c.type, c.name, c['bom-ref'], c.components?.map((p) => p['bom-ref'])]),
      [
        ['container', 'registry.local/shop/web@sha256:aa', 'image-1', ['image-1/Debian/zlib1g@1:1.2.13.dfsg-1']],
        ['container', 'registry.local/shop/api@sha256:bb', 'image-2', ['image-2/Debian/zlib1g@1:1.2.13.dfsg-1']],
      ],
    );
    assert.deepEqual(
      bom.vulnerabilities.map((v) => [v.id, v.affects.map((a) => a.ref)]).sort(),
      [
        ['CVE-2099-0001', ['image-1/Debian/zlib1g@1:1.2.13.dfsg-1']],
        ['CVE-2099-0001', ['image-2/Debian/zlib1g@1:1.2.13.dfsg-1']],
      ],
    );
  });
});

/**
 * Matching image scan reports to the containers of workloads (src/network/harden/image-match.ts) with the real
 * reference parser of the image checks, and reading reports (src/sources/scan-reports): digests pinned in the spec
 * or reported by a live Pod's status win over names; names compare as the runtimes normalise them; a reference match
 * whose digests differ says so; suppressed vulnerabilities and reports of a cluster scan are read as written.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseImageReference } from '../../../src/checks/workload/image-reference.js';
import type { KubeObject } from '../../../src/core/model/resource.js';
import { buildNetworkModel } from '../../../src/network/index.js';
import type { ParseImageName } from '../../../src/network/harden/image-match.js';
import { containerImagesOf, digestOfImageId, matchImageReports } from '../../../src/network/harden/image-match.js';
import type { ScannedImageReport } from '../../../src/network/harden/scanned-image-report.js';
import { unfixableVulnerabilities } from '../../../src/network/harden/scanned-image-report.js';
import { parseImageScanReports } from '../../../src/sources/scan-reports/image-scan-reports.js';

const parse: ParseImageName = (text) => {
  const ref = parseImageReference(text);
  return ref ? { repository: ref.repository, ...(ref.tag ? { tag: ref.tag } : {}), ...(ref.digest ? { digest: ref.digest } : {}) } : undefined;
};

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const D3 = `sha256:${'3'.repeat(64)}`;

function deployment(name: string, image: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop' },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image }] } } },
  };
}

function report(name: string, digests: string[] = []): ScannedImageReport {
  return { source: `${name}.json`, name, digests, vulnerabilities: [] };
}

function containers(objects: KubeObject[], podsFrom: 'templates' | 'pods' = 'templates') {
  return containerImagesOf(buildNetworkModel(objects, { podsFrom }).groups, parse);
}

describe('image reports to workloads', () => {
  it('names compare normalised: redis:alpine is docker.io/library/redis:alpine; no tag is latest; another tag is another image', () => {
    const found = containers([deployment('cache', 'redis:alpine'), deployment('web', 'nginx'), deployment('old', 'nginx:1.25')]);
    const { matches, unmatched } = matchImageReports(found, [report('docker.io/library/redis:alpine'), report('index.docker.io/library/nginx:latest'), report('nginx:1.27')], parse);
    assert.deepEqual(matches.map((m) => `${m.container.workload} ${m.report.name} ${m.by}`), ['shop/Deployment/cache docker.io/library/redis:alpine reference', 'shop/Deployment/web index.docker.io/library/nginx:latest reference']);
    assert.deepEqual(unmatched.map((r) => r.name), ['nginx:1.27']);
  });

  it('a digest pinned in the pod spec matches the report of that digest whatever its name, and only that one', () => {
    const found = containers([deployment('web', `registry.example.com/web:1.0@${D1}`)]);
    const { matches, unmatched } = matchImageReports(found, [report('oci:/tmp/web-layout:1.0', [D1]), report('registry.example.com/web:1.0', [D2])], parse);
    assert.deepEqual(matches.map((m) => `${m.report.name} ${m.by}`), ['oci:/tmp/web-layout:1.0 digest']);
    assert.deepEqual(unmatched.map((r) => r.name), ['registry.example.com/web:1.0']);
  });

  it("a live Pod's status imageID gives the digest running; a tag match with other digests is kept with a note", () => {
    const pod = (name: string, imageID: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'shop', labels: { app: name } },
      spec: { containers: [{ name: 'main', image: 'registry.example.com/web:1.0' }] },
      status: { containerStatuses: [{ name: 'main', image: 'registry.example.com/web:1.0', imageID }] },
    });
    const found = containers([pod('a', `registry.example.com/web@${D1}`), pod('b', `docker-pullable://registry.example.com/web@${D3}`)], 'pods');
    assert.deepEqual(found.map((c) => c.digests), [[D1], [D3]]);
    const { matches } = matchImageReports(found, [report('registry.example.com/web:1.0', [D1, D2])], parse);
    assert.deepEqual(matches.map((m) => `${m.container.workload} ${m.by}`), ['shop/Pod/a digest', 'shop/Pod/b reference']);
    assert.match(matches[1]!.note ?? '', new RegExp(`the pod runs ${D3}, the report is of ${D1}, ${D2}: the pod's may be the image index`));
  });

  it('image IDs of every runtime give their digest', () => {
    assert.equal(digestOfImageId(`docker-pullable://nginx@${D1}`), D1);
    assert.equal(digestOfImageId(`docker://${D2}`), D2);
    assert.equal(digestOfImageId(D3), D3);
    assert.equal(digestOfImageId('nginx:latest'), undefined);
  });
});

describe('reading image scan reports', () => {
  const vulnerability = (id: string, extra: Record<string, unknown> = {}) => ({ id, aliases: [], severity: 'critical', package: { ecosystem: 'PyPI', name: 'numexpr', version: '2.8.4' }, fixedVersions: [], ...extra });

  it('a cluster scan ({images: [...]}) gives one report per image; waived and VEX-suppressed ones are kept but not counted', () => {
    const text = JSON.stringify({
      schemaVersion: 'aspis.dev/cluster-images/v1',
      images: [
        { target: { name: 'registry.example.com/web:1.0', manifestDigest: D1, configDigest: D2 }, vulnerabilities: [vulnerability('CVE-1'), vulnerability('CVE-2', { vex: { status: 'not_affected' } }), vulnerability('CVE-3', { waived: true })], usedBy: [] },
        { target: { name: `registry.example.com/api@${D3}` }, vulnerabilities: [vulnerability('CVE-4', { fixedVersions: ['2.8.5'] })] },
      ],
    });
    const { reports, errors } = parseImageScanReports(text, 'cluster.json');
    assert.deepEqual(errors, []);
    assert.deepEqual(reports.map((r) => [r.source, r.name, r.digests]), [['cluster.json[0]', 'registry.example.com/web:1.0', [D1, D2]], ['cluster.json[1]', `registry.example.com/api@${D3}`, [D3]]]);
    assert.deepEqual(reports[0]!.vulnerabilities.map((v) => v.suppressed ?? 'active'), ['active', 'VEX not_affected', 'waived']);
    assert.deepEqual(unfixableVulnerabilities(reports[0]!, 'critical').map((v) => v.id), ['CVE-1']);
    assert.deepEqual(unfixableVulnerabilities(reports[1]!, 'critical'), []);
    assert.deepEqual(unfixableVulnerabilities(reports[0]!, 'high').map((v) => v.id), ['CVE-1']);
  });

  it('bad fields are named with their line; the rest of the report is used; a scan that left out unfixed vulnerabilities is said', () => {
    const text = JSON.stringify(
      { target: { name: 'web:1', configDigest: 'sha256:short' }, filters: { ignoreUnfixed: true }, vulnerabilities: [vulnerability('CVE-1', { fixedVersions: 'none' }), vulnerability('CVE-2')] },
      null,
      2,
    );
    const { reports, errors } = parseImageScanReports(text, 'r.json');
    assert.deepEqual(reports[0]!.vulnerabilities.map((v) => v.id), ['CVE-2']);
    assert.deepEqual(reports[0]!.digests, []);
    const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    assert.deepEqual(
      errors.map((e) => `${e.line} ${e.field}: ${e.message}`),
      [
        `${lineOf('sha256:short')} target.configDigest: expected a digest (algorithm:hex), got "sha256:short"; not used`,
        `${lineOf('"ignoreUnfixed"')} filters.ignoreUnfixed: the scan left out vulnerabilities without a fix (--ignore-unfixed), which are those harden is for: scan again without it`,
        `${lineOf('"none"')} vulnerabilities[0].fixedVersions: expected a list of versions (strings), empty when no fix is known; the vulnerability is left out`,
      ],
    );
    const noTarget = parseImageScanReports('{"vulnerabilities": []}', 'x.json');
    assert.deepEqual([noTarget.reports, noTarget.errors.map((e) => `${e.source} ${e.field}`)], [[], ['x.json target']]);
  });
});

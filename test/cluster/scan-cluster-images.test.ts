/**
 * `aspis scan cluster --images` against a real kube-apiserver (test/harness/control-plane.ts) whose Pods run images
 * of a real registry on loopback (Debian's docker-registry, test/harness/registry.ts) holding the real Debian 12 image
 * (test/harness/debian-image.ts). There is no kubelet: Pods are made Running, with the image digests a kubelet would
 * report, through the status subresource.
 *
 * The shared OSV corpus has no Debian records (its PROVENANCE.md), so the database holds one record in the shape of
 * Debian's OSV export naming the real source package zlib at the version installed in the image.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '../harness/control-plane.js';
import { debianImageUnavailable, ensureDebianImage, type DebianImage } from '../harness/debian-image.js';
import { registryAvailable, startRegistry, type TestRegistry } from '../harness/registry.js';
import { runCli } from '../cli/run-cli.js';
import { ScanResultsStore } from '../../src/store/scan-results/scan-results-store.js';
import { cycloneDx16Validator, publishedSchemaValidator, sarifValidator } from '../image/scan/report-validators.js';

const skip = debianImageUnavailable() ?? registryAvailable();

interface ClusterImagesJson {
  summary: { images: number; vulnerabilities: number; suppressed: number; imagesWithProblems: number };
  images: {
    target: { name: string; manifestDigest?: string };
    usedBy: { namespace: string; pod: string; container: string; workload?: string }[];
    vulnerabilities: { id: string; package: { name: string } }[];
    suppressed: { id: string; waiver?: { declaredAt: string } }[];
    findings: { checkId: string }[];
    problems: string[];
  }[];
  problems: string[];
}

describe('aspis scan cluster --images', { skip: skip ?? false, timeout: 600_000 }, () => {
  let cp: ControlPlane;
  let registry: TestRegistry;
  let image: DebianImage;
  let work: string;
  let db: string;
  let digest: string;
  const scan = (args: string[], cwd?: string) =>
    runCli(['scan', 'cluster', '--images', '--kubeconfig', cp.adminKubeconfig, '--insecure', '--db', db, ...args], cwd ? { cwd } : {});

  const pod = async (namespace: string, name: string, spec: Record<string, unknown>, metadata: Record<string, unknown>, status?: Record<string, unknown>): Promise<void> => {
    await cp.apply([{ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, ...metadata }, spec }]);
    if (!status) return;
    const response = await cp.request('PATCH', `/api/v1/namespaces/${namespace}/pods/${name}/status`, { status }, { contentType: 'application/merge-patch+json' });
    assert.ok(response.status < 300, `PATCH ${name}/status: ${response.status} ${JSON.stringify(response.body)}`);
  };
  const running = (containers: Record<string, string>, field = 'containerStatuses') => ({
    phase: 'Running',
    [field]: Object.entries(containers).map(([name, imageID]) => ({ name, image: 'x', imageID, ready: true, restartCount: 0, state: { running: {} } })),
  });

  before(async () => {
    [image, registry, cp] = await Promise.all([ensureDebianImage(), startRegistry(), startControlPlane()]);
    digest = await registry.pushOciLayout(image.layout, 'aspis/debian', '12');
    assert.equal(await registry.pushOciLayout(image.layout, 'aspis/debian', 'stable'), digest, 'two tags, one image');
    work = mkdtempSync(join(tmpdir(), 'aspis-cluster-images-'));
    const zlib = image.dpkgPackages.find((p) => p.name === 'zlib1g')!;
    mkdirSync(join(work, 'osv'));
    writeFileSync(
      join(work, 'osv', 'DEBIAN-CVE-2099-0001.json'),
      JSON.stringify({
        schema_version: '1.6.0',
        id: 'DEBIAN-CVE-2099-0001',
        aliases: ['CVE-2099-0001'],
        modified: '2026-01-01T00:00:00Z',
        summary: 'test advisory on the zlib source package',
        severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
        affected: [{ package: { ecosystem: 'Debian:12', name: 'zlib' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: `${zlib.sourceVersion}+aspis1` }] }] }],
      }),
    );
    db = join(work, 'osv.sqlite');
    assert.equal(runCli(['db', 'import', join(work, 'osv'), '--db', db]).code, 0);

    await Promise.all(['shop', 'batch', 'quiet'].map((ns) => cp.createNamespace(ns)));
    const host = registry.host;
    const pulled = `${host}/aspis/debian@${digest}`;
    await pod(
      'shop',
      'web-7d4f9c8b6-x2x9q',
      { containers: [{ name: 'app', image: `${host}/aspis/debian:12` }] },
      { labels: { app: 'web', 'pod-template-hash': '7d4f9c8b6' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d4f9c8b6', uid: '0b6f7d8e-1111-4c5e-9a1b-2c3d4e5f6a7b', controller: true }] },
      running({ app: `docker-pullable://${pulled}` }),
    );
    await pod(
      'shop',
      'worker',
      { initContainers: [{ name: 'init', image: `${host}/aspis/debian:12` }], containers: [{ name: 'main', image: `${host}/aspis/debian:stable` }] },
      { labels: { app: 'worker' } },
      { ...running({ main: pulled }), initContainerStatuses: running({ init: pulled }).containerStatuses },
    );
    // Running without container statuses yet: scanned by the reference of its spec, which the registry does not have.
    await pod('batch', 'report', { containers: [{ name: 'job', image: `${host}/aspis/missing:1` }] }, { labels: { app: 'report' } }, { phase: 'Running' });
    // Not running: not scanned.
    await pod('batch', 'pending', { containers: [{ name: 'job', image: `${host}/aspis/never:1` }] }, {});
  });
  after(async () => {
    await Promise.all([cp?.stop(), registry?.stop()]);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('scans each image once (by digest), says which containers use it, and reports an image it cannot read without losing the others', () => {
    const run = scan(['-o', 'json']);
    assert.equal(run.code, 2, run.stderr);
    const report = JSON.parse(run.stdout) as ClusterImagesJson;
    const validate = publishedSchemaValidator('cluster-images.schema.json');
    assert.ok(validate(report), JSON.stringify(validate.errors?.slice(0, 3)));
    assert.deepEqual(
      report.images.map((i) => i.target.name),
      [`${registry.host}/aspis/debian@${digest}`, `${registry.host}/aspis/missing:1`],
    );
    const [debian, missing] = report.images;
    assert.equal(debian!.target.manifestDigest, digest);
    assert.deepEqual(
      debian!.usedBy.map((u) => `${u.namespace}/${u.pod}/${u.container} ${u.workload ?? '-'}`).sort(),
      ['shop/web-7d4f9c8b6-x2x9q/app Deployment/web', 'shop/worker/init -', 'shop/worker/main -'],
    );
    assert.deepEqual(debian!.vulnerabilities.map((v) => `${v.id} ${v.package.name}`), ['CVE-2099-0001 zlib1g']);
    assert.ok(debian!.findings.some((f) => f.checkId === 'image-runs-as-root'), 'the image checks ran too');
    assert.deepEqual(debian!.problems, []);
    assert.deepEqual(missing!.usedBy.map((u) => `${u.namespace}/${u.pod}`), ['batch/report']);
    assert.equal(missing!.problems.length, 1);
    assert.match(missing!.problems[0]!, /cannot scan the image: .*(not found|404|MANIFEST_UNKNOWN|NAME_UNKNOWN)/i);
    assert.equal(report.summary.imagesWithProblems, 1);
    assert.match(run.stderr, new RegExp(`aspis: ${registry.host}/aspis/missing:1: cannot scan the image`));
  });

  it('-n narrows to a namespace; --fail-on counts what is in effect; a waiver for the image suppresses it', () => {
    const shop = scan(['-n', 'shop', '--fail-on', 'critical', '-o', 'table']);
    assert.equal(shop.code, 1, shop.stderr);
    assert.match(shop.stdout, /used by: shop\/Deployment\/web \(app\), shop\/Pod\/worker \(init\), shop\/Pod\/worker \(main\)/);
    assert.match(shop.stdout, /CRITICAL\s+CVE-2099-0001\s+zlib1g/);
    writeFileSync(
      join(work, '.aspis.yaml'),
      `vulnerabilities:\n  exceptions:\n    - id: DEBIAN-CVE-2099-0001\n      image: "${registry.host}/aspis/*"\n      reason: zlib is only used on trusted input here\n      expires: 2099-01-01\n`,
    );
    const waived = scan(['-n', 'shop', '--fail-on', 'critical', '-o', 'json'], work);
    assert.equal(waived.code, 0, waived.stderr);
    const report = JSON.parse(waived.stdout) as ClusterImagesJson;
    assert.deepEqual(report.images[0]!.suppressed.map((s) => [s.id, s.waiver?.declaredAt]), [['CVE-2099-0001', '.aspis.yaml:3']]);
    const sarif = scan(['-n', 'shop', '-o', 'sarif'], work);
    const validate = sarifValidator();
    assert.ok(validate(JSON.parse(sarif.stdout)), JSON.stringify(validate.errors?.slice(0, 3)));
    // CycloneDX: the image as a container holding its packages, the waived vulnerability with its analysis.
    const cdx = scan(['-n', 'shop', '-o', 'cyclonedx'], work);
    assert.equal(cdx.code, 0, cdx.stderr);
    const bom = JSON.parse(cdx.stdout) as {
      metadata: { component: { type: string } };
      components: { type: string; name: string; components?: { name: string }[] }[];
      vulnerabilities: { id: string; affects: { ref: string }[]; analysis?: { state: string; response?: string[] } }[];
    };
    const validateCdx = cycloneDx16Validator();
    assert.ok(validateCdx(bom), JSON.stringify(validateCdx.errors?.slice(0, 3)));
    assert.equal(bom.metadata.component.type, 'platform');
    assert.deepEqual(bom.components.map((c) => [c.type, c.name]), [['container', `${registry.host}/aspis/debian@${digest}`]]);
    assert.ok(bom.components[0]!.components!.some((p) => p.name === 'zlib1g'), 'the image holds its packages');
    const zlib = bom.vulnerabilities.find((v) => v.id === 'CVE-2099-0001');
    assert.match(zlib?.affects[0]?.ref ?? '', /^image-1\/Debian\/zlib1g@/);
    assert.deepEqual([zlib?.analysis?.state, zlib?.analysis?.response], ['exploitable', ['will_not_fix']]);
  });

  it('--record stores each image it scanned for the webhook\'s image gating, by the digest the Pods run', () => {
    const store = join(work, 'recorded.sqlite');
    const run = scan(['-n', 'shop', '-o', 'json', '--record', store]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`recorded 1 image scan\\(s\\) in ${store}`));
    const read = ScanResultsStore.open(store, { readonly: true });
    try {
      const records = read.scansAfter(0);
      // Scanned by digest (the digest the kubelet reports), so recorded by digest: no tag key.
      assert.deepEqual(records.map((r) => [r.reference, r.manifestDigest]), [[undefined, digest]]);
      assert.deepEqual(records[0]!.vulnerabilities.map((v) => v.id), ['CVE-2099-0001']);
    } finally {
      read.close();
    }
  });

  it('a scope without running Pods is an error, not a pass; image options without --images are usage errors', () => {
    const quiet = scan(['-n', 'quiet']);
    assert.equal(quiet.code, 2);
    assert.match(quiet.stderr, /no running Pod: no image to scan/);
    const selector = scan(['-l', 'app=nothing']);
    assert.equal(selector.code, 2);
    assert.match(selector.stderr, /no running Pod/);
    const usage = runCli(['scan', 'cluster', '--kubeconfig', cp.adminKubeconfig, '--vex', 'x.json']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--vex needs --images/);
    const record = runCli(['scan', 'cluster', '--kubeconfig', cp.adminKubeconfig, '--record']);
    assert.equal(record.code, 2);
    assert.match(record.stderr, /--record needs --images/);
    const cyclonedx = runCli(['scan', 'cluster', '--kubeconfig', cp.adminKubeconfig, '-o', 'cyclonedx']);
    assert.equal(cyclonedx.code, 2);
    assert.match(cyclonedx.stderr, /--output cyclonedx needs --images/);
  });
});

/**
 * Image gating through a real kube-apiserver: the webhook registered by URL, scan results recorded from real scans
 * (`scanOneImage`, as `aspis scan image` runs it) of the Debian 12 test image pushed to Debian's docker-registry on
 * loopback, matched against OSV records written for the image's own source packages (one critical, one low).
 * Each variant of the image differs only by a config label, so each has its own manifest digest.
 *
 *   clean       scanned now with only the low record            → admitted
 *   vulnerable  scanned now, critical record present              → denied, naming the id
 *   waived      same content as vulnerable, critical id waived in the webhook configuration for its repository → admitted
 *   stale       recorded 40 days ago                              → denied (maxAgeDays 30)
 *   unscanned   pushed, never recorded                            → denied
 *   another registry, a tag without digest                        → denied by untrusted-registry / image-digest-pinning
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { debianImageUnavailable, ensureDebianImage, type DebianImage } from '../harness/debian-image.js';
import { registryAvailable, startRegistry, type TestRegistry } from '../harness/registry.js';
import { startControlPlane, type ControlPlane } from '../harness/control-plane.js';
import { importSource } from '../../src/cli/commands/db-import.js';
import { scanOneImage } from '../../src/cli/scan/scan-one-image.js';
import { loadImageCheckSetup } from '../../src/cli/scan/image-check-setup.js';
import { VulnDatabase } from '../../src/store/vuln-db/vuln-database.js';
import { recordImageScan } from '../../src/store/scan-results/record-image-scan.js';
import { ScanResultsStore } from '../../src/store/scan-results/scan-results-store.js';
import type { ImageScanReport } from '../../src/outputs/image-scan-report.js';
import { registerWebhook, startWebhook, type RunningWebhook } from './running-webhook.js';
import { deploymentOf } from './review-of.js';
import { runCli } from '../cli/run-cli.js';
import type { KubeObject } from '../../src/core/model/resource.js';

const skip = debianImageUnavailable() ?? registryAvailable();
const DAY_MS = 86_400_000;
const CRITICAL_ID = 'DEBIAN-TEST-CRIT-0001';
const LOW_ID = 'DEBIAN-TEST-LOW-0001';

interface Layout {
  manifest: Record<string, unknown> & { config: { digest: string; size: number; mediaType: string }; mediaType?: string };
  manifestMediaType: string;
  config: Record<string, unknown> & { config?: Record<string, unknown> };
}

function readLayout(dir: string): Layout {
  const blob = (digest: string) => readFileSync(join(dir, 'blobs', ...digest.split(':')), 'utf8');
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string; mediaType: string }[] };
  const top = index.manifests[0]!;
  const manifest = JSON.parse(blob(top.digest)) as Layout['manifest'];
  return { manifest, manifestMediaType: top.mediaType, config: JSON.parse(blob(manifest.config.digest)) as Layout['config'] };
}

/** Pushes the layout's layers and a variant of its config (one label) to `repository:v1`; returns the manifest digest. */
async function pushVariant(registry: TestRegistry, image: DebianImage, layout: Layout, repository: string): Promise<string> {
  await registry.pushOciLayout(image.layout, repository, 'base');
  const config = Buffer.from(JSON.stringify({ ...layout.config, config: { ...layout.config.config, Labels: { 'dev.aspis.test.variant': repository } } }));
  const configDigest = await registry.pushBlob(repository, config);
  const manifest = Buffer.from(JSON.stringify({ ...layout.manifest, config: { ...layout.manifest.config, digest: configDigest, size: config.length } }));
  return registry.pushManifest(repository, 'v1', manifest, layout.manifestMediaType);
}

function osvRecord(id: string, sourcePackage: string, fixed: string, vector: string): string {
  return JSON.stringify({
    schema_version: '1.6.0',
    id,
    modified: '2026-11-01T00:00:00Z',
    summary: `test advisory on the ${sourcePackage} source package`,
    severity: [{ type: 'CVSS_V3', score: vector }],
    affected: [{ package: { ecosystem: 'Debian:12', name: sourcePackage }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] }],
  });
}

async function vulnDatabase(dir: string, records: Record<string, string>): Promise<VulnDatabase> {
  const folder = join(dir, 'records');
  mkdirSync(folder, { recursive: true });
  for (const [id, text] of Object.entries(records)) writeFileSync(join(folder, `${id}.json`), text);
  const db = VulnDatabase.open(join(dir, 'osv.sqlite'), { create: true });
  const imported = await importSource(db, folder);
  assert.equal(imported.error, undefined);
  db.recordImport(folder, new Date());
  return db;
}

/** The history line of the review of the Pod `name` (lines are written in batches). */
async function recordedReview(webhook: RunningWebhook, name: string): Promise<{ imageMode?: string; violations?: { enforce?: { checkId: string; path: string }[] } }> {
  for (const deadline = Date.now() + 5000; ; ) {
    const lines = readFileSync(webhook.historyPath, { encoding: 'utf8', flag: 'a+' }).split('\n').filter(Boolean);
    const found = lines.map((l) => JSON.parse(l) as { resource?: { name?: string }; imageMode?: string }).find((r) => r.resource?.name === name);
    if (found) return found;
    assert.ok(Date.now() < deadline, `no history line for ${name}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

function pod(name: string, images: string[]): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) } };
}

describe('image gating in a real apiserver', { skip: skip ?? false, timeout: 900_000 }, () => {
  let cp: ControlPlane;
  let registry: TestRegistry;
  let webhook: RunningWebhook;
  let work: string;
  let debian: DebianImage;
  const images: Record<string, string> = {};
  let cleanReport: ImageScanReport;
  let vulnerableReport: ImageScanReport;

  before(async () => {
    const image = (debian = await ensureDebianImage());
    work = mkdtempSync(join(tmpdir(), 'aspis-image-gate-e2e-'));
    [registry, cp] = await Promise.all([startRegistry(), startControlPlane()]);
    const layout = readLayout(image.layout);
    for (const name of ['clean', 'vulnerable', 'waived', 'stale', 'unscanned']) {
      images[name] = `${registry.host}/aspis/${name}@${await pushVariant(registry, image, layout, `aspis/${name}`)}`;
    }

    // Advisories on the image's own source packages, fixed in a later version than installed.
    const zlib = image.dpkgPackages.find((p) => p.name === 'zlib1g')!;
    const libc = image.dpkgPackages.find((p) => p.name === 'libc6')!;
    const low = osvRecord(LOW_ID, libc.sourceName, `${libc.sourceVersion}+aspis1`, 'CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N');
    const critical = osvRecord(CRITICAL_ID, zlib.sourceName, `${zlib.sourceVersion}+aspis1`, 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
    const lowDb = await vulnDatabase(join(work, 'low'), { [LOW_ID]: low });
    const fullDb = await vulnDatabase(join(work, 'full'), { [LOW_ID]: low, [CRITICAL_ID]: critical });
    const config = loadImageCheckSetup({ cwd: work });
    const now = new Date();
    try {
      cleanReport = await scanOneImage(`${registry.host}/aspis/clean:v1`, lowDb, { insecure: true, cacheDir: work, config, now });
      vulnerableReport = await scanOneImage(`${registry.host}/aspis/vulnerable:v1`, fullDb, { insecure: true, cacheDir: work, config, now });
    } finally {
      lowDb.close();
      fullDb.close();
    }
    const results = join(work, 'scans.sqlite');
    const store = ScanResultsStore.open(results, { create: true });
    recordImageScan(store, cleanReport, now, { aspisVersion: 'test' });
    recordImageScan(store, vulnerableReport, now);
    // Same content as the scanned variants, another manifest digest: the same scan result, recorded for it.
    const as = (report: ImageScanReport, name: string): ImageScanReport => ({ ...report, target: { ...report.target, name: `${registry.host}/aspis/${name}:v1`, manifestDigest: images[name]!.split('@')[1]! } });
    recordImageScan(store, as(vulnerableReport, 'waived'), now);
    recordImageScan(store, as(cleanReport, 'stale'), new Date(now.getTime() - 40 * DAY_MS));
    store.close();

    webhook = await startWebhook({
      kubeconfig: cp.kubeconfigFor('admin'),
      webhookConfig: `images:
  allowedRegistries: [${registry.host}/aspis]
  requireDigest: true
  requireScan:
    results: ${results}
    maxAgeDays: 30
    failOnSeverity: high
    waivers:
      - ids: [${CRITICAL_ID}]
        images: [${registry.host}/aspis/waived]
        reason: zlib rebuilt with the fix; upstream package pending
`,
    });
    await cp.createNamespace('team-a');
    await registerWebhook(cp, webhook);
    for (const deadline = Date.now() + 30_000; ; ) {
      const r = await cp.request('POST', '/api/v1/namespaces/team-a/pods?dryRun=All', pod('probe', [images['unscanned']!]));
      if (r.status === 403 && JSON.stringify(r.body).includes('validate.aspis.io')) break;
      if (Date.now() > deadline) throw new Error('the webhook is not called');
      await new Promise((done) => setTimeout(done, 100));
    }
  });
  after(async () => {
    await webhook?.stop();
    await cp?.stop();
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function create(object: KubeObject, path = '/api/v1/namespaces/team-a/pods') {
    return cp.request<{ message?: string; details?: { causes?: { field: string; message: string }[] } }>('POST', path, object);
  }

  it('the real scans found what the records say: the low advisory everywhere, the critical one with its database', () => {
    const ids = (report: ImageScanReport) => report.vulnerabilities.map((v) => `${v.id} ${v.severity.rating} ${v.package.name}`).sort();
    // Each binary package built from the source package the record names (dpkg-query is the oracle).
    const built = (source: string, line: string) => debian.dpkgPackages.filter((p) => p.sourceName === source).map((p) => `${line} ${p.name}`);
    const low = built('glibc', `${LOW_ID} low`);
    assert.ok(low.length >= 2, 'libc6 and libc-bin');
    assert.deepEqual(ids(cleanReport), low.sort());
    assert.deepEqual(ids(vulnerableReport), [...built('zlib', `${CRITICAL_ID} critical`), ...low].sort());
    assert.equal(cleanReport.target['manifestDigest'], images['clean']!.split('@')[1]);
  });

  it('admits a pod whose image is allowed, pinned and recently scanned with nothing at or above high', async () => {
    const r = await create(pod('clean', [images['clean']!]));
    assert.equal(r.status, 201, JSON.stringify(r.body));
  });

  it('denies an image with a critical vulnerability, naming the field, the image and the id', async () => {
    const r = await create(pod('vulnerable', [images['clean']!, images['vulnerable']!]));
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.ok(
      r.body.message!.includes(`[image-scan] spec.containers[1].image: container "c1": image "${images['vulnerable']}" has 1 vulnerability at or above high not waived`),
      r.body.message,
    );
    assert.ok(r.body.message!.includes(`${CRITICAL_ID} (critical)`));
    assert.ok(!r.body.message!.includes(LOW_ID), 'the low one is below the threshold');
    assert.ok(r.body.details?.causes?.some((c) => c.field === 'spec.containers[1].image'), JSON.stringify(r.body.details));
  });

  it('admits the same vulnerable content where the critical id is waived for that repository', async () => {
    const r = await create(pod('waived', [images['waived']!]));
    assert.equal(r.status, 201, JSON.stringify(r.body));
  });

  it('denies an image scanned longer ago than maxAgeDays', async () => {
    const r = await create(pod('stale', [images['stale']!]));
    assert.equal(r.status, 403);
    assert.match(r.body.message!, /\[image-scan\] spec\.containers\[0\]\.image: container "c0": image "[^"]+\/aspis\/stale@sha256:[0-9a-f]{64}" was last scanned \S+ \(40 days ago\), more than maxAgeDays 30/);
  });

  it('denies an image that was never scanned, and records the review with the image mode', async () => {
    const r = await create(pod('unscanned', [images['unscanned']!]));
    assert.equal(r.status, 403);
    const recorded = await recordedReview(webhook, 'unscanned');
    assert.equal(recorded.imageMode, 'enforce');
    assert.deepEqual(recorded.violations?.enforce?.map((v) => `${v.checkId} ${v.path}`), ['image-scan spec.containers[0].image']);
    assert.ok(r.body.message!.includes(`image "${images['unscanned']}" has no Aspis scan result for ${images['unscanned']!.split('@')[1]}`), r.body.message);
  });

  it('denies an image from a registry outside the allowlist, even with a clean scan of the same digest', async () => {
    const elsewhere = `registry.example.com/aspis/clean@${images['clean']!.split('@')[1]}`;
    const r = await create(pod('elsewhere', [elsewhere]));
    assert.equal(r.status, 403);
    assert.ok(r.body.message!.includes(`[untrusted-registry] spec.containers[0].image: container "c0" uses image registry.example.com/aspis/clean from registry registry.example.com, which is not in allowedRegistries`), r.body.message);
    assert.ok(!r.body.message!.includes('[image-scan]'), 'the digest was scanned and is clean');
  });

  it('denies a tag without digest (requireDigest); the scan is matched by tag and would have passed', async () => {
    const r = await create(pod('tagged', [`${registry.host}/aspis/clean:v1`]));
    assert.equal(r.status, 403);
    assert.ok(r.body.message!.includes(`[image-digest-pinning] spec.containers[0].image: container "c0" uses image "${registry.host}/aspis/clean:v1", which is not pinned by digest`), r.body.message);
    assert.ok(!r.body.message!.includes('[image-scan]'));
  });

  it('denies a Deployment whose template uses an unscanned image, with the template path', async () => {
    const r = await create(deploymentOf(pod('x', [images['unscanned']!]), 'web'), '/apis/apps/v1/namespaces/team-a/deployments');
    assert.equal(r.status, 403);
    assert.ok(r.body.details?.causes?.some((c) => c.field === 'spec.template.spec.containers[0].image'), JSON.stringify(r.body.details));
  });

  it('aspis scan image --record writes what the gate reads, waived vulnerabilities marked with their waiver', () => {
    writeFileSync(join(work, '.aspis.yaml'), `vulnerabilities:\n  exceptions:\n    - id: ${LOW_ID}\n      reason: glibc tunables not reachable\n`);
    const store = join(work, 'recorded.sqlite');
    const run = runCli(['scan', 'image', `${registry.host}/aspis/clean:v1`, '--insecure', '--db', join(work, 'low', 'osv.sqlite'), '-c', join(work, '.aspis.yaml'), '-o', 'json', '--record', store]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`recorded ${registry.host}/aspis/clean:v1 sha256:[0-9a-f]{64} in ${store}`));
    const read = ScanResultsStore.open(store, { readonly: true });
    const [record] = read.scansAfter(0);
    read.close();
    assert.equal(record!.reference, `${registry.host}/aspis/clean:v1`);
    assert.equal(record!.manifestDigest, images['clean']!.split('@')[1]);
    assert.equal(record!.counts.low, cleanReport.vulnerabilities.length);
    assert.ok(record!.vulnerabilities.length > 0 && record!.vulnerabilities.every((v) => v.id === LOW_ID && /^waiver: glibc tunables not reachable \(.*\.aspis\.yaml:\d+/.test(v.waived ?? '')), JSON.stringify(record!.vulnerabilities));
    assert.equal(record!.dbVersion, '2026-11-01T00:00:00Z', 'the database version: the newest record it holds');
    assert.equal(typeof record!.aspisVersion, 'string');
  });
});

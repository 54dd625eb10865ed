/**
 * Image gating in the admission decision (no server): the webhook configuration's `images` section loaded from files,
 * scan results from a real store file, reviews evaluated as the webhook evaluates them. Modes per namespace label,
 * exemptions, break-glass and .aspis.yaml exceptions behave as for the rest of the webhook.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../src/core/model/resource.js';
import type { ImageScanReport } from '../../src/outputs/image-scan-report.js';
import type { VulnerabilityFinding } from '../../src/vuln/matching/vulnerability-finding.js';
import { evaluateAdmission } from '../../src/server/webhook/admission-evaluator.js';
import type { AdmissionPolicy } from '../../src/server/webhook/admission-policy.js';
import { loadAdmissionPolicy } from '../../src/server/webhook/load-admission-policy.js';
import { ScanResultsCache } from '../../src/server/webhook/scan-results-cache.js';
import { readAdmissionReview } from '../../src/sources/admission/admission-review.js';
import { recordImageScan } from '../../src/store/scan-results/record-image-scan.js';
import { ScanResultsStore } from '../../src/store/scan-results/scan-results-store.js';
import { deploymentOf, reviewOf } from './review-of.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const CLEAN = `registry.example.com/team/app:1@${digest('1')}`;
const CRITICAL = `registry.example.com/team/vulnerable@${digest('2')}`;

function finding(id: string, rating: VulnerabilityFinding['severity']['rating']): VulnerabilityFinding {
  return {
    id,
    aliases: [],
    records: [id],
    package: { ecosystem: 'Debian', name: 'openssl', version: '3.0.0-1' } as VulnerabilityFinding['package'],
    severity: { rating, source: 'CVSS:3.1' },
    fixedVersions: [],
    affectedRanges: [],
    references: [],
    ecosystemSpecific: [],
    databaseSpecific: [],
  };
}

function report(name: string, manifestDigest: string | undefined, vulnerabilities: VulnerabilityFinding[]): ImageScanReport {
  return { target: { name, ...(manifestDigest ? { manifestDigest } : {}), configDigest: digest('c') }, packages: [], vulnerabilities, findings: [], problems: [] };
}

function pod(containers: Record<string, unknown>[], metadata: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...metadata }, spec: { containers } };
}

describe('image gating in the admission decision', () => {
  let dir: string;
  let results: string;
  const opened: ScanResultsCache[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'aspis-image-gate-'));
    results = join(dir, 'scans.sqlite');
    const store = ScanResultsStore.open(results, { create: true });
    recordImageScan(store, report('registry.example.com/team/app:1', digest('1'), [finding('CVE-2026-0001', 'medium')]), new Date('2026-11-26T00:00:00Z'));
    recordImageScan(store, report('registry.example.com/team/vulnerable:2', digest('2'), [finding('CVE-2026-9999', 'critical'), finding('CVE-2026-0002', 'low')]), new Date('2026-11-26T00:00:00Z'));
    recordImageScan(store, report('registry.example.com/team/old:1', digest('3'), []), new Date('2026-09-01T00:00:00Z'));
    recordImageScan(store, report('registry.example.com/team/tagged:5', digest('4'), []), new Date('2026-11-26T00:00:00Z'));
    store.close();
  });
  after(() => {
    for (const cache of opened) cache.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function load(webhookConfig: string, aspisConfig = '{}\n'): AdmissionPolicy {
    writeFileSync(join(dir, 'webhook.yaml'), webhookConfig.replaceAll('RESULTS', results));
    writeFileSync(join(dir, '.aspis.yaml'), aspisConfig);
    const loaded = loadAdmissionPolicy({ cwd: dir, config: join(dir, '.aspis.yaml'), webhookConfig: join(dir, 'webhook.yaml') });
    assert.deepEqual(loaded.errors, []);
    if (loaded.scanResults) opened.push(loaded.scanResults);
    return loaded.policy;
  }

  const GATE = `images:
  allowedRegistries: [registry.example.com/team]
  requireDigest: true
  requireScan:
    results: RESULTS
    maxAgeDays: 30
    failOnSeverity: high
`;

  function decide(policy: AdmissionPolicy, object: KubeObject, labels: Record<string, string> | undefined = {}, options: Parameters<typeof reviewOf>[1] = {}) {
    const read = readAdmissionReview(reviewOf(object, { namespace: 'team-a', ...options }));
    assert.ok('request' in read);
    return evaluateAdmission(policy, read.request, labels, NOW);
  }

  it('admits a pinned, allowed, recently scanned image without blocking vulnerabilities', () => {
    const decision = decide(load(GATE), pod([{ name: 'app', image: CLEAN }]));
    assert.equal(decision.allowed, true, decision.message);
    assert.deepEqual(decision.violations, { enforce: [], warn: [], audit: [] });
    assert.equal(decision.imageMode, 'enforce');
  });

  it('denies with every image violation: field path, image and why', () => {
    const policy = load(GATE);
    const decision = decide(
      policy,
      deploymentOf(
        pod([
          { name: 'vulnerable', image: CRITICAL },
          { name: 'old', image: `registry.example.com/team/old@${digest('3')}` },
          { name: 'unscanned', image: `registry.example.com/team/new@${digest('9')}` },
          { name: 'hub', image: `nginx@${digest('1')}` },
          { name: 'tag', image: 'registry.example.com/team/tagged:5' },
        ]),
      ),
    );
    assert.equal(decision.allowed, false);
    const lines = decision.violations.enforce.map((v) => `[${v.checkId}] ${v.path}: ${v.message}`);
    assert.deepEqual(lines, [
      '[untrusted-registry] spec.template.spec.containers[3].image: container "hub" uses image docker.io/library/nginx from registry docker.io, which is not in allowedRegistries',
      '[image-digest-pinning] spec.template.spec.containers[4].image: container "tag" uses image "registry.example.com/team/tagged:5", which is not pinned by digest',
      `[image-scan] spec.template.spec.containers[0].image: container "vulnerable": image "${CRITICAL}" has 1 vulnerability at or above high not waived (scanned 2026-11-26T00:00:00.000Z): CVE-2026-9999 (critical)`,
      `[image-scan] spec.template.spec.containers[1].image: container "old": image "registry.example.com/team/old@${digest('3')}" was last scanned 2026-09-01T00:00:00.000Z (87 days ago), more than maxAgeDays 30`,
      `[image-scan] spec.template.spec.containers[2].image: container "unscanned": image "registry.example.com/team/new@${digest('9')}" has no Aspis scan result for ${digest('9')}`,
    ]);
    assert.ok(decision.message!.includes('(enforce privileged:latest + image rules): 5 violation(s)'), decision.message);
    assert.deepEqual(decision.auditAnnotations['image-scan-matched-by-tag'], 'registry.example.com/team/tagged:5', 'the tag-matched image was scanned and clean; pinning is what failed');
  });

  it('the aspis.io/images label chooses the mode; a typo reads as enforce', () => {
    const policy = load(GATE);
    const bad = pod([{ name: 'app', image: CRITICAL }]);
    const warned = decide(policy, bad, { 'aspis.io/images': 'warn' });
    assert.equal(warned.allowed, true);
    assert.deepEqual(warned.warnings, [`would violate Aspis image rule: [image-scan] spec.containers[0].image: container "app": image "${CRITICAL}" has 1 vulnerability at or above high not waived (scanned 2026-11-26T00:00:00.000Z): CVE-2026-9999 (critical)`.slice(0, 255) + '…']);
    const audited = decide(policy, bad, { 'aspis.io/images': 'audit' });
    assert.equal(audited.allowed, true);
    assert.deepEqual(audited.warnings, []);
    assert.match(audited.auditAnnotations['audit-violations']!, /^1 violation\(s\): image-scan spec\.containers\[0\]\.image$/);
    const off = decide(policy, bad, { 'aspis.io/images': 'off' });
    assert.equal(off.allowed, true);
    assert.deepEqual(off.violations, { enforce: [], warn: [], audit: [] });
    const typo = decide(policy, bad, { 'aspis.io/images': 'warm' });
    assert.equal(typo.allowed, false);
    assert.ok(typo.warnings.includes('namespace "team-a" label aspis.io/images="warm" must be one of enforce, warn, audit, off: evaluated as enforce'));
    const defaultWarn = decide(load(GATE.replace('images:\n', 'images:\n  action: warn\n')), bad);
    assert.equal(defaultWarn.allowed, true);
    assert.equal(defaultWarn.violations.warn.length, 1);
  });

  it('waivers: per vulnerability in the webhook configuration (with expiry), per check in .aspis.yaml', () => {
    const waived = load(`${GATE}    waivers:
      - ids: [CVE-2026-9999]
        images: [registry.example.com/team/vulnerable]
        reason: fixed by our patched build, rescanned upstream next week
        expires: 2026-12-31
`);
    assert.equal(decide(waived, pod([{ name: 'app', image: CRITICAL }])).allowed, true);
    assert.equal(decide(waived, pod([{ name: 'app', image: CRITICAL }])).allowed, true);
    const expired = evaluateAdmission(waived, (readAdmissionReview(reviewOf(pod([{ name: 'app', image: CRITICAL }]), { namespace: 'team-a' })) as { request: never }).request, {}, new Date('2027-01-01T00:00:00Z'));
    assert.equal(expired.allowed, false, 'an expired waiver stops applying');

    const excepted = load(GATE, 'exceptions:\n  - checks: [image-digest-pinning]\n    resources: {names: [tagged]}\n    reason: pinned by the deploy tool\n');
    const decision = decide(excepted, { ...pod([{ name: 'app', image: 'registry.example.com/team/tagged:5' }]), metadata: { name: 'tagged' } });
    assert.equal(decision.allowed, true, decision.message);
    assert.deepEqual(decision.waived.map((w) => `${w.checkId} ${w.path} ${w.policy}`), ['image-digest-pinning spec.containers[0].image images']);
  });

  it('exempt namespaces and users are not gated; break-glass admits and is recorded', () => {
    const policy = load(`${GATE}exemptions:\n  namespaces: [team-a]\n`);
    assert.equal(decide(policy, pod([{ name: 'app', image: CRITICAL }])).skipped, 'exempt-namespace');
    const glass = load(`${GATE}breakGlass:\n  usernames: [oncall]\n`);
    const object = pod([{ name: 'app', image: CRITICAL }], { annotations: { 'aspis.io/break-glass': 'INC-9 hotfix' } });
    const used = decide(glass, object, {}, { username: 'oncall' });
    assert.equal(used.allowed, true);
    assert.equal(used.breakGlass?.used, true);
    assert.equal(used.auditAnnotations['break-glass'], 'oncall: INC-9 hotfix');
    const refused = decide(glass, object, {}, { username: 'mallory' });
    assert.equal(refused.allowed, false);
    assert.match(refused.message!, /break-glass refused/);
  });

  it('an update that leaves the pod template alone is not re-judged (a scan ageing never blocks scaling)', () => {
    const policy = load(GATE);
    const deployment = deploymentOf(pod([{ name: 'app', image: `registry.example.com/team/old@${digest('3')}` }]));
    const scaled = { ...deployment, spec: { ...(deployment['spec'] as object), replicas: 3 } };
    assert.equal(decide(policy, scaled, {}, { operation: 'UPDATE', oldObject: deployment }).skipped, 'unchanged');
  });

  it('configuration errors name the field; a missing store stops the start', () => {
    writeFileSync(join(dir, 'bad.yaml'), 'images:\n  requireScan:\n    failOnSeverity: severe\n    maxAge: 3\n');
    const bad = loadAdmissionPolicy({ cwd: dir, webhookConfig: join(dir, 'bad.yaml') });
    assert.deepEqual(
      bad.errors.map((e) => `${e.line}:${e.field}: ${e.message}`),
      ['3:images.requireScan.failOnSeverity: expected one of info, low, medium, high, critical', '3:images.requireScan: unknown key "maxAge": expected {results, maxAgeDays, failOnSeverity, allowUnscanned, refreshSeconds, waivers}'],
    );
    writeFileSync(join(dir, 'missing.yaml'), `images:\n  requireScan:\n    results: ${join(dir, 'nowhere.sqlite')}\n`);
    const missing = loadAdmissionPolicy({ cwd: dir, webhookConfig: join(dir, 'missing.yaml') });
    assert.deepEqual(
      missing.errors.map((e) => `${e.field}: ${e.message}`),
      [`images.requireScan.results: no scan results store at ${join(dir, 'nowhere.sqlite')} (record scans with "aspis scan image IMAGE --record" first)`],
    );
  });

  it('the cache answers from memory: new scans are loaded incrementally, pruned ones by a full reload', () => {
    const path = join(dir, 'cache.sqlite');
    const writer = ScanResultsStore.open(path, { create: true });
    recordImageScan(writer, report('registry.example.com/a:1', digest('a'), []), new Date('2026-11-01T00:00:00Z'));
    const cache = ScanResultsCache.open(path);
    assert.equal(cache.byReference('registry.example.com/a:1')?.manifestDigest, digest('a'));
    assert.equal(cache.refresh(), 0, 'nothing changed: nothing read');
    recordImageScan(writer, report('registry.example.com/b:1', digest('b'), [finding('CVE-1', 'high')]), new Date('2026-11-20T00:00:00Z'));
    assert.equal(cache.byDigest(digest('b')), undefined, 'not seen before the next refresh');
    assert.equal(cache.refresh(), 1, 'only the new scan is read');
    assert.equal(cache.byDigest(digest('b'))?.vulnerabilities[0]?.id, 'CVE-1');
    writer.pruneBefore('2026-11-10T00:00:00Z');
    assert.equal(cache.refresh(), 1, 'a prune reloads everything (one scan left)');
    assert.equal(cache.byDigest(digest('a')), undefined);
    assert.deepEqual({ ...cache.stats(), lastLoadMs: 0 }, { path, scans: 1, digests: 1, references: 1, refreshes: 3, fullLoads: 2, lastLoadMs: 0 });
    writer.close();
    cache.close();
    assert.equal(cache.byDigest(digest('b'))?.manifestDigest, digest('b'), 'lookups never touch the store (it is closed)');
  });
});

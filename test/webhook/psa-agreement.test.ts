/**
 * Oracle: the apiserver's own PodSecurity admission. Every pod fixture of k8s.io/pod-security-admission
 * (../shared/corpora/pod-security-admission) is created (server-side dry-run) twice in a real kube-apiserver: in a
 * namespace labelled `aspis.io/enforce: <level>` + `aspis.io/enforce-version: <version>` (decided by the Aspis
 * webhook registered in that apiserver) and in one labelled `pod-security.kubernetes.io/enforce` with the same
 * level and version (decided by the built-in PodSecurity plugin). The two must agree on every fixture: 100%.
 *
 * Each fixture is created at its folder's policy version, capped at the apiserver's own minor version (v1.34): the
 * apiserver evaluates newer versions as its newest, while Aspis knows newer ones. Fixtures that fail API validation
 * (422, before any admission) must fail the same way in both namespaces.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsyaml from 'js-yaml';
import { corpusDir, readCsv } from '../corpora/corpus-location.js';
import { startControlPlane, KUBERNETES_VERSION } from '../harness/control-plane.js';
import type { ControlPlane } from '../harness/control-plane.js';
import { registerWebhook, startWebhook } from './running-webhook.js';
import type { RunningWebhook } from './running-webhook.js';
import { privilegedPod } from './review-of.js';

const root = corpusDir('pod-security-admission');
const rows = readCsv(readFileSync(join(root, 'index.csv'), 'utf8'));
const APISERVER_MINOR = Number(/^v1\.(\d+)/.exec(KUBERNETES_VERSION)![1]);
const WEBHOOK_DENIAL = 'admission webhook "validate.aspis.io" denied the request';
const PSA_DENIAL = 'violates PodSecurity';

type Outcome = 'allowed' | 'denied' | 'invalid';

interface Case {
  path: string;
  level: 'baseline' | 'restricted';
  version: string;
  object: Record<string, unknown>;
}

function versionFor(folder: string): string {
  const minor = Number(/^v1\.(\d+)$/.exec(folder)![1]);
  return `v1.${Math.min(minor, APISERVER_MINOR)}`;
}

function namespaceFor(kind: 'aspis' | 'psa', level: string, version: string): string {
  return `${kind}-${level}-${version.replace('.', '-')}`;
}

/** Fixture names are file stems (`capabilities_baseline0`), which Pod names may not be (no `_`): only the name changes. */
function withValidName(object: Record<string, unknown>): Record<string, unknown> {
  const metadata = object['metadata'] as { name?: string };
  return { ...object, metadata: { ...metadata, name: String(metadata.name).toLowerCase().replace(/[^a-z0-9.-]/g, '-') } };
}

async function createDryRun(cp: ControlPlane, namespace: string, object: Record<string, unknown>): Promise<{ outcome: Outcome | 'error'; message: string }> {
  const response = await cp.request<{ message?: string }>('POST', `/api/v1/namespaces/${namespace}/pods?dryRun=All`, object, { timeoutMs: 60_000 });
  const message = typeof response.body === 'object' && response.body ? (response.body.message ?? '') : String(response.body);
  if (response.status === 201) return { outcome: 'allowed', message: '' };
  if (response.status === 403) return { outcome: 'denied', message };
  if (response.status === 422) return { outcome: 'invalid', message };
  return { outcome: 'error', message: `HTTP ${response.status}: ${message}` };
}

async function inBatches<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

describe('Aspis webhook vs the apiserver PodSecurity admission', () => {
  let cp: ControlPlane;
  let webhook: RunningWebhook;
  const cases: Case[] = rows.map((row) => ({
    path: row['path']!,
    level: row['level'] as Case['level'],
    version: versionFor(row['version']!),
    object: withValidName(jsyaml.load(readFileSync(join(root, row['path']!), 'utf8'), { schema: jsyaml.CORE_SCHEMA }) as Record<string, unknown>),
  }));
  const pairs = [...new Set(cases.map((c) => `${c.level}/${c.version}`))].map((key) => key.split('/') as [Case['level'], string]);

  before(async () => {
    cp = await startControlPlane();
    webhook = await startWebhook({ kubeconfig: cp.kubeconfigFor('admin') });
    await registerWebhook(cp, webhook, { namespaceSelector: { matchExpressions: [{ key: 'aspis.io/enforce', operator: 'Exists' }] } });
    for (const [level, version] of pairs) {
      await cp.createNamespace(namespaceFor('aspis', level, version), { labels: { 'aspis.io/enforce': level, 'aspis.io/enforce-version': version } });
      await cp.createNamespace(namespaceFor('psa', level, version), {
        labels: { 'pod-security.kubernetes.io/enforce': level, 'pod-security.kubernetes.io/enforce-version': version },
      });
    }
    // The apiserver loads webhook configurations asynchronously: wait until it calls ours.
    const probeNamespace = namespaceFor('aspis', 'baseline', versionFor('v1.0'));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { outcome, message } = await createDryRun(cp, probeNamespace, privilegedPod('probe') as Record<string, unknown>);
      if (outcome === 'denied' && message.includes(WEBHOOK_DENIAL)) break;
      if (Date.now() > deadline) throw new Error(`the webhook is not called by the apiserver: ${outcome} ${message}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  after(async () => {
    await webhook?.stop();
    await cp?.stop();
  });

  it(`agrees on every fixture (${cases.length} pods)`, async () => {
    const disagreements: string[] = [];
    const counts = { allowed: 0, denied: 0, invalid: 0 };
    await inBatches(cases, 8, async (c) => {
      const [aspis, psa] = await Promise.all([
        createDryRun(cp, namespaceFor('aspis', c.level, c.version), c.object),
        createDryRun(cp, namespaceFor('psa', c.level, c.version), c.object),
      ]);
      const at = `${c.path} at ${c.level}:${c.version}`;
      if (aspis.outcome === 'error' || psa.outcome === 'error') {
        disagreements.push(`${at}: request failed: aspis ${aspis.message} / psa ${psa.message}`);
      } else if (aspis.outcome !== psa.outcome) {
        disagreements.push(`${at}: Aspis ${aspis.outcome} (${aspis.message}), PodSecurity ${psa.outcome} (${psa.message})`);
      } else {
        counts[aspis.outcome]++;
        // Each denial must come from the component under test, not from something else in the apiserver.
        if (aspis.outcome === 'denied' && !aspis.message.includes(WEBHOOK_DENIAL)) disagreements.push(`${at}: Aspis-side denial not from the webhook: ${aspis.message}`);
        if (psa.outcome === 'denied' && !psa.message.includes(PSA_DENIAL)) disagreements.push(`${at}: PSA-side denial not from PodSecurity: ${psa.message}`);
      }
    });
    console.log(JSON.stringify({ suite: 'webhook-psa-agreement', fixtures: cases.length, agreed: cases.length - disagreements.length, ...counts }));
    assert.deepEqual(disagreements, []);
    // Both verdicts occur, so the comparison can fail either way.
    assert.ok(counts.allowed > 250 && counts.denied > 900, JSON.stringify(counts));
    // Only the fixtures upstream flags as failing API validation too (procMount Unmasked with host users) are invalid.
    assert.ok(counts.invalid < 20, JSON.stringify(counts));
  });

  it('recorded nothing for the dry-run requests', () => {
    assert.equal(readFileSync(webhook.historyPath, 'utf8'), '');
  });
});

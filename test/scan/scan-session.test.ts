/**
 * A scan fed file by file (ScanSession) gives the same report as the one-shot buildReport, including cross-object
 * findings about objects of earlier files, located in them, and label waivers on them; and it keeps no workload's
 * pod spec for the inventory checks.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_CHECKS } from '../../src/checks/index.js';
import { defaultCheckContext } from '../../src/core/model/check-context.js';
import type { Waiver } from '../../src/core/model/waiver.js';
import { buildReport } from '../../src/scan/build-report.js';
import { ScanSession } from '../../src/scan/scan-session.js';
import { loadManifests, manifestBatches } from '../../src/sources/manifests/load-manifests.js';
import { temporaryDirectory } from '../harness/temporary-directory.js';

const dir = temporaryDirectory('aspis-session-');
writeFileSync(
  join(dir, 'a.yaml'),
  'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    team: web\n---\n' +
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: shop\n  labels:\n    app: api\n' +
    'spec:\n  template:\n    metadata:\n      labels:\n        app: api\n    spec:\n      containers:\n        - name: c\n          image: nginx\n',
);
writeFileSync(
  join(dir, 'b.yaml'),
  'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: other\nspec:\n  containers:\n    - name: c\n      image: busybox:latest\n',
);

const waivers: Waiver[] = [
  {
    checks: ['namespace-without-network-policy'],
    selector: { kinds: ['Namespace'], labels: { matchLabels: { team: 'web' } } },
    reason: 'shop is isolated by the CNI',
    source: 'config',
    declaredAt: '.aspis.yaml:3',
  },
  { checks: ['image-tag-latest'], selector: { labels: { matchLabels: { app: 'api' } } }, reason: 'r', source: 'config', declaredAt: '.aspis.yaml:9' },
];
const options = { checks: ALL_CHECKS, catalog: ALL_CHECKS, ctx: defaultCheckContext(), waivers, now: new Date(0), inputs: [dir], toolVersion: 'test' };

it('a session fed batch by batch reports what buildReport reports', async () => {
  const loaded = await loadManifests([dir]);
  const expected = buildReport({ ...options, resources: loaded.resources, inputErrors: loaded.errors });

  const session = new ScanSession(options);
  let batches = 0;
  for await (const batch of manifestBatches([dir])) {
    session.addErrors(batch.errors);
    session.add(batch.resources);
    batches++;
  }
  const report = session.finish();
  assert.equal(batches, 3); // one per document: a.yaml holds two, b.yaml one
  assert.deepEqual(report, expected);
  const namespaceFindings = [...report.findings, ...report.waived].filter((f) => f.checkId === 'namespace-without-network-policy');
  assert.deepEqual(
    namespaceFindings.map((f) => [f.resource.name, f.location?.file.endsWith('a.yaml') ? f.location.line : undefined, f.waiver?.declaredAt]),
    [['other', undefined, undefined], ['shop', 4, '.aspis.yaml:3']],
  );
  assert.ok(report.waived.some((f) => f.checkId === 'image-tag-latest' && f.resource.name === 'api'));
});

it('retains a projection of workloads for inventory checks, not their pod specs', async () => {
  const session = new ScanSession(options);
  for await (const batch of manifestBatches([dir])) session.add(batch.resources);
  const retained = (session as unknown as { retained: { object: Record<string, unknown> }[] }).retained;
  // Of a pod spec only what NetworkPolicy checks read: template labels, hostNetwork, container names and ports.
  assert.deepEqual(
    retained.map((r) => r.object),
    [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'web' } } },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'api', namespace: 'shop', labels: { app: 'api' } },
        spec: { template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'c' }] } } },
      },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'other' }, spec: { containers: [{ name: 'c' }] } },
    ],
  );
});

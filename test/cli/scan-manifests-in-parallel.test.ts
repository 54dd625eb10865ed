/**
 * Scanning with worker threads must give exactly the report of a one-thread scan: same findings, objects, errors,
 * waivers and order. Real worker threads, real files.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jsyaml from 'js-yaml';
import { generateWorkload } from '../../bench/workload-generator.js';
import { scanManifestsInParallel } from '../../src/cli/scan/scan-manifests-in-parallel.js';
import { startScan } from '../../src/cli/scan/start-scan.js';
import type { ScanOptions } from '../../src/cli/scan/scan-options.js';
import type { Finding } from '../../src/core/model/finding.js';
import { formatRef } from '../../src/core/model/resource.js';
import { compareFindingKeys } from '../../src/scan/finding-run.js';
import { temporaryDirectory } from '../harness/temporary-directory.js';

const dir = temporaryDirectory('aspis-parallel-');
mkdirSync(join(dir, 'nested'));
for (let file = 0; file < 12; file++) {
  const docs = Array.from({ length: 15 }, (_, i) => generateWorkload(file * 15 + i));
  // An annotation waiver and a namespace with a label, so waivers and inventory checks cross thread boundaries.
  const first = docs[0] as { metadata: { annotations?: Record<string, string> } };
  first.metadata.annotations = { 'waiver.aspis.dev/image-tag-latest': 'pinned by the release pipeline' };
  const text = docs.map((doc) => jsyaml.dump(doc)).join('---\n');
  writeFileSync(join(dir, file % 3 === 0 ? 'nested' : '.', `w${String(file).padStart(2, '0')}.yaml`), text);
}
// Large enough that its findings are split over several runs (scan-item.ts closes one every ~800 findings).
writeFileSync(join(dir, 'big.yaml'), Array.from({ length: 120 }, (_, i) => jsyaml.dump(generateWorkload(1000 + i))).join('---\n'));
writeFileSync(join(dir, 'namespaces.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-1\n  labels: {tier: web}\n');
// Kept whole for the inventory checks (and located at its fields from whichever thread read it).
writeFileSync(join(dir, 'policies.yaml'), 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: typo\n  namespace: team-2\nspec:\n  podSelector:\n    matchLabels: {app: nothing}\n');
writeFileSync(join(dir, 'broken.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n');
writeFileSync(
  join(dir, '.aspis.yaml'),
  'exceptions:\n  - checks: [namespace-without-network-policy]\n    resources: {kinds: [Namespace], labels: {matchLabels: {tier: web}}}\n    reason: isolated by the CNI\n',
);

const options: ScanOptions = { color: false, config: join(dir, '.aspis.yaml') };

async function scan(workers: number): Promise<{ report: unknown; scannedByWorkers: number }> {
  const env = { inputs: [dir], version: 'test', cwd: dir };
  const { session } = await startScan(options, env);
  const stats = await scanManifestsInParallel(session, { options, ...env }, { workers, minBytes: 0 });
  const { generatedAt: _clock, ...report } = session.finish();
  return { report, scannedByWorkers: stats.itemsScannedByWorkers };
}

it('worker threads give the same report as one thread, byte for byte', async () => {
  const oneThread = await scan(0);
  assert.equal(oneThread.scannedByWorkers, 0);
  const { report: parallel, scannedByWorkers } = await scan(2);
  assert.ok(scannedByWorkers > 0, 'the worker threads scanned some files');
  const report = parallel as { summary: { objects: number; findings: number; errors: number } };
  // The scan did real work across threads: objects from every file, findings, waived findings and the parse error.
  assert.equal(report.summary.objects, 12 * 15 + 120 + 3);
  assert.ok(report.summary.findings > 500);
  const waivedBy = new Set((parallel as { waived: { waiver: { source: string } }[] }).waived.map((f) => f.waiver.source));
  assert.deepEqual([...waivedBy].sort(), ['annotation', 'config']);
  assert.equal(report.summary.errors, 1);
  assert.equal(JSON.stringify(parallel), JSON.stringify(oneThread.report));
  // In the report's order (file, line, object, check, path), across the runs a file's findings were split into.
  const findings = (parallel as { findings: Finding[] }).findings;
  assert.ok(findings.filter((f) => f.location?.file.endsWith('big.yaml')).length > 1600, 'big.yaml spans several runs');
  const keyOf = (f: Finding) => [f.location?.file ?? '', f.location?.line ?? 0, formatRef(f.resource), f.checkId, f.path] as const;
  for (let i = 1; i < findings.length; i++) {
    assert.ok(compareFindingKeys(...keyOf(findings[i - 1]!), ...keyOf(findings[i]!)) <= 0, `finding ${i} is in order`);
  }
  // Inventory checks' findings, made from projections posted between threads, name their field's line.
  const lineOf = (f: Finding) => readFileSync(f.location!.file, 'utf8').split('\n')[f.location!.line - 1]!.trim();
  const notIsolated = findings.filter((f) => f.checkId === 'workload-not-isolated');
  assert.ok(notIsolated.length > 100);
  for (const f of notIsolated) assert.match(lineOf(f), /^labels:/, `${f.location!.file}:${f.location!.line} for ${f.path}`);
  const selectsNothing = findings.filter((f) => f.checkId === 'network-policy-selects-nothing');
  assert.deepEqual(
    selectsNothing.map((f) => [f.path, f.location?.line, lineOf(f)]),
    [['spec.podSelector', 7, 'podSelector:']],
  );
});

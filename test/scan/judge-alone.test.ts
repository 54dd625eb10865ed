/**
 * Inventory checks that judge objects alone (InventoryCheck.alone) report while the scan reads each object; those
 * verdicts stand only when the input holds none of the check's `unlessKinds` in the object's namespace. Whatever the
 * order of the files, a scan must give exactly the report of a scan that keeps every inventory verdict to its end:
 * same findings, order, locations, waivers, severities and per-object counts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_CHECKS } from '../../src/checks/index.js';
import type { Check } from '../../src/core/model/check.js';
import { defaultCheckContext } from '../../src/core/model/check-context.js';
import type { Report } from '../../src/core/model/report.js';
import type { Waiver } from '../../src/core/model/waiver.js';
import { refOf } from '../../src/core/model/resource.js';
import { scanBatch, scanPlanOf } from '../../src/scan/scan-batch.js';
import { ScanSession } from '../../src/scan/scan-session.js';
import { manifestBatches } from '../../src/sources/manifests/load-manifests.js';
import { temporaryDirectory } from '../harness/temporary-directory.js';

const BOUTIQUE = '/work/shared/corpora/microservices-demo';
const BOUTIQUE_POLICIES = join(BOUTIQUE, 'kustomize/components/network-policies');

const deployment = (name: string, namespace?: string, extra = '') =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n${namespace ? `  namespace: ${namespace}\n` : ''}${extra}` +
  `spec:\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata:\n      labels: {app: ${name}}\n` +
  `    spec:\n      containers:\n        - {name: app, image: registry.example.com/${name}:1.0}\n`;
const policy = (name: string, namespace: string | undefined, selector: string, types: string) =>
  `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n${namespace ? `  namespace: ${namespace}\n` : ''}` +
  `spec:\n  podSelector: ${selector}\n  policyTypes: ${types}\n`;

/** Workloads first, the policies that decide some of them in later files; waivers on both kinds of verdict. */
function mixedInput(): string {
  const dir = temporaryDirectory('aspis-alone-');
  writeFileSync(
    join(dir, '1-workloads.yaml'),
    [
      deployment('web', 'shop'),
      deployment('cart', 'shop', '  annotations: {waiver.aspis.dev/workload-not-isolated: "isolated by the service mesh"}\n'),
      deployment('api', 'open'),
      deployment('tool', 'open', '  labels: {tier: tools}\n'),
      deployment('scratch'),
      'apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: api-5f6\n  namespace: open\n  ownerReferences:\n' +
        '    - {apiVersion: apps/v1, kind: Deployment, name: api, controller: true}\nspec:\n  template:\n    metadata:\n' +
        '      labels: {app: api}\n    spec:\n      containers:\n        - {name: app, image: registry.example.com/api:1.0}\n',
      'apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: orphan-1\n  namespace: open\n  ownerReferences:\n' +
        '    - {apiVersion: apps/v1, kind: Deployment, name: gone, controller: true}\nspec:\n  template:\n    metadata:\n' +
        '      labels: {app: orphan}\n    spec:\n      containers:\n        - {name: app, image: registry.example.com/o:1.0}\n',
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: agent\n  namespace: open\nspec:\n  hostNetwork: true\n  containers:\n    - {name: a, image: registry.example.com/a:1.0}\n',
    ].join('---\n'),
  );
  writeFileSync(join(dir, '2-other.yaml'), deployment('batch', 'jobs'));
  writeFileSync(
    join(dir, '3-policies.yaml'),
    [
      policy('web-in', 'shop', '{matchLabels: {app: web}}', '[Ingress]'),
      policy('unset-ns', undefined, '{}', '[Ingress, Egress]'),
    ].join('---\n'),
  );
  return dir;
}

const waivers: Waiver[] = [
  {
    checks: ['workload-not-isolated'],
    selector: { kinds: ['Deployment'], labels: { matchLabels: { tier: 'tools' } } },
    reason: 'tools are reachable on purpose',
    source: 'config',
    declaredAt: '.aspis.yaml:2',
  },
  { checks: ['workload-not-isolated'], selector: { names: ['web'] }, reason: 'reviewed', source: 'config', declaredAt: '.aspis.yaml:7' },
];

async function scan(inputs: string[], judgeAlone: boolean, checks: readonly Check[] = ALL_CHECKS): Promise<string> {
  const session = new ScanSession({ checks, catalog: ALL_CHECKS, ctx: defaultCheckContext(), waivers, now: new Date(0), inputs, toolVersion: 'test', judgeAlone });
  for await (const batch of manifestBatches(inputs)) {
    session.addErrors(batch.errors);
    session.add(batch.resources);
  }
  const report: Report = session.finish();
  return JSON.stringify({ ...report, findings: report.findings, waived: report.waived });
}

describe('inventory verdicts on objects alone', () => {
  it('are given while the scan reads the object, for workloads of a namespace', () => {
    const plan = scanPlanOf({ checks: ALL_CHECKS, catalog: ALL_CHECKS, ctx: defaultCheckContext(), waivers: [] });
    assert.deepEqual(plan.aloneChecks.map((c) => c.id), ['workload-not-isolated']);
    const object = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'n' }, spec: { containers: [{ name: 'c', image: 'x:1' }] } };
    const scanned = scanBatch([{ object, ref: refOf(object), origin: { type: 'cluster' } }], plan);
    assert.deepEqual(scanned.provisional, [{ owner: 0, checkId: 'workload-not-isolated', namespace: 'n' }]);
    assert.equal(scanned.findings.filter((f) => f.checkId === 'workload-not-isolated').length, 2);
  });

  it('give the report of a scan that judges everything at its end: policies in later files, waivers, owners', async () => {
    const dir = mixedInput();
    const alone = await scan([dir], true);
    assert.equal(alone, await scan([dir], false));
    const report = JSON.parse(alone) as Report;
    const notIsolated = [...report.findings, ...report.waived].filter((f) => f.checkId === 'workload-not-isolated');
    // Standing verdicts (open, jobs) and fallen ones judged at the end (shop, objects without namespace).
    assert.deepEqual(
      notIsolated.map((f) => `${f.resource.name} ${(f.evidence as { direction: string }).direction}${f.waiver ? ' waived' : ''}`).sort(),
      ['api egress', 'api ingress', 'batch egress', 'batch ingress', 'cart egress waived', 'cart ingress waived', 'orphan-1 egress', 'orphan-1 ingress', 'tool egress waived', 'tool ingress waived', 'web egress waived'],
    );
  });

  it('give the same report for every order of the files', async () => {
    const dir = mixedInput();
    const files = readdirSync(dir).map((f) => join(dir, f));
    for (const order of [files, [...files].reverse(), [files[2]!, files[0]!, files[1]!]]) {
      assert.equal(await scan(order, true), await scan(order, false), order.join(' '));
    }
  });

  it('follow configured severities and disabled checks', async () => {
    const dir = mixedInput();
    const checks = ALL_CHECKS.map((c) => (c.id === 'workload-not-isolated' ? { ...c, severity: 'critical' as const } : c));
    assert.equal(await scan([dir], true, checks), await scan([dir], false, checks));
    assert.match(await scan([dir], true, checks), /"checkId":"workload-not-isolated","severity":"critical"/);
    const without = ALL_CHECKS.filter((c) => c.id !== 'workload-not-isolated');
    const report = JSON.parse(await scan([dir], true, without)) as Report;
    assert.deepEqual([...report.findings, ...report.waived].filter((f) => f.checkId === 'workload-not-isolated'), []);
  });

  it('give the report of a scan that judges at its end on Online Boutique, with and without its policies', async () => {
    const workloads = join(BOUTIQUE, 'release/kubernetes-manifests.yaml');
    const policies = readdirSync(BOUTIQUE_POLICIES)
      .filter((f) => f.startsWith('network-policy-'))
      .map((f) => join(BOUTIQUE_POLICIES, f));
    assert.equal(await scan([workloads], true), await scan([workloads], false));
    assert.equal(await scan([workloads, ...policies], true), await scan([workloads, ...policies], false));
  });
});

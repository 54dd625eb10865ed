/** Stable selectors for generated policies (src/network/generate/workload-selector.ts). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/core/model/resource.js';
import { buildNetworkModel } from '../../../src/network/index.js';
import type { FlowWorkload } from '../../../src/network/flows/workload-edge.js';
import { workloadSelector } from '../../../src/network/generate/workload-selector.js';
import { deployment, podOf } from '../flows/flow-fixtures.js';

/** The workloads of `objects` as generation sees them (pods grouped by owner). */
function workloads(objects: KubeObject[], podsFrom: 'pods' | 'templates' = 'templates'): Map<string, FlowWorkload> {
  const out = new Map<string, FlowWorkload>();
  for (const group of buildNetworkModel(objects, { podsFrom }).groups) {
    const id = `${group.owner.namespace}/${group.owner.kind}/${group.owner.name}`;
    if (!out.has(id)) out.set(id, { id, namespace: group.owner.namespace, kind: group.owner.kind, name: group.owner.name, groups: [] });
    out.get(id)!.groups.push(group);
  }
  return out;
}

function selectorFor(objects: KubeObject[], id: string, podsFrom: 'pods' | 'templates' = 'templates') {
  const all = workloads(objects, podsFrom);
  const owner = objects.find((o) => `${o.metadata?.namespace}/${o.kind}/${o.metadata?.name}` === id);
  return workloadSelector(all.get(id)!, owner, [...all.values()]);
}

describe('workload selectors', () => {
  it("a Deployment is selected by its own spec.selector, not by version or per-revision labels", () => {
    const web = deployment('shop', 'web', { app: 'web', version: 'v2', 'helm.sh/chart': 'web-1.2.3' }, [], { selector: { matchLabels: { app: 'web' } } });
    assert.deepEqual(selectorFor([web], 'shop/Deployment/web'), { selector: { matchLabels: { app: 'web' } }, alsoSelects: [] });
  });

  it('live pods under a ReplicaSet whose Deployment was not read: labels every pod shares, without pod-template-hash', () => {
    // The ReplicaSet's own selector holds pod-template-hash (one revision): not usable.
    const rs = deployment('shop', 'web-5d8f7c9b6', { app: 'web', tier: 'front', 'pod-template-hash': '5d8f7c9b6' });
    rs.kind = 'ReplicaSet';
    const second = podOf(rs, 'web-5d8f7c9b6-b');
    second.metadata!.labels = { ...second.metadata!.labels, canary: 'yes' };
    const objects = [rs, podOf(rs, 'web-5d8f7c9b6-a'), second];
    assert.deepEqual(selectorFor(objects, 'shop/ReplicaSet/web-5d8f7c9b6', 'pods'), { selector: { matchLabels: { app: 'web', tier: 'front' } }, alsoSelects: [] });
  });

  it("a CronJob's pods are selected by the template's labels; Job run labels are left out", () => {
    const cron: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'report', namespace: 'shop' },
      spec: { schedule: '@daily', jobTemplate: { spec: { template: { metadata: { labels: { app: 'report', 'batch.kubernetes.io/job-name': 'report-123', 'controller-uid': 'x' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } } },
    };
    assert.deepEqual(selectorFor([cron], 'shop/CronJob/report').selector, { matchLabels: { app: 'report' } });
  });

  it('when the selector also selects another workload, all stable labels are used; when even they do, the overlap is reported', () => {
    const front = deployment('shop', 'front', { app: 'web', tier: 'front' }, [], { selector: { matchLabels: { app: 'web' } } });
    const back = deployment('shop', 'back', { app: 'web', tier: 'back' }, [], { selector: { matchLabels: { app: 'web', tier: 'back' } } });
    assert.deepEqual(selectorFor([front, back], 'shop/Deployment/front'), { selector: { matchLabels: { app: 'web', tier: 'front' } }, alsoSelects: [] });
    const twin = deployment('shop', 'twin', { app: 'web', tier: 'front' });
    const overlapping = selectorFor([front, twin], 'shop/Deployment/front');
    assert.deepEqual(overlapping.selector, { matchLabels: { app: 'web' } });
    assert.deepEqual(overlapping.alsoSelects, ['shop/Deployment/twin']);
    assert.equal(overlapping.problem, 'its labels also select the pods of shop/Deployment/twin: the rules apply to them too');
  });

  it('a workload without stable labels cannot be selected on its own: an empty selector and the reason', () => {
    const bare: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', namespace: 'shop', labels: { 'pod-template-hash': 'x' } }, spec: { containers: [{ name: 'c', image: 'x' }] } };
    const result = selectorFor([bare], 'shop/Pod/debug');
    assert.deepEqual(result.selector, {});
    assert.match(result.problem!, /no stable label to select them by/);
  });

  it('a workload known only from flows is selected by the labels the flows gave', () => {
    const probe: FlowWorkload = { id: 'ops/Deployment/probe', namespace: 'ops', kind: 'Deployment', name: 'probe', groups: [], observedLabels: { app: 'probe', 'pod-template-hash': 'abc' } };
    assert.deepEqual(workloadSelector(probe, undefined, [probe]), { selector: { matchLabels: { app: 'probe' } }, alsoSelects: [] });
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../model/finding.js';
import type { ResourceRef } from '../model/resource.js';
import type { Waiver } from '../model/waiver.js';
import { applyWaivers } from './apply-waivers.js';
import { annotationWaivers } from './annotation-waivers.js';

function finding(checkId: string, resource: Partial<ResourceRef> = {}): Finding {
  return {
    checkId,
    severity: 'high',
    resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'prod', name: 'api', ...resource },
    path: 'spec',
    message: 'm',
  };
}

function waiver(partial: Partial<Waiver> = {}): Waiver {
  return { checks: ['privileged-containers'], selector: {}, reason: 'accepted', source: 'config', declaredAt: '.aspis.yaml:3', ...partial };
}

const NOW = new Date('2027-01-15T12:00:00Z');
const noLabels = () => ({});
const labelsByName: Record<string, Record<string, string>> = { api: { app: 'api', tier: 'backend' }, web: { app: 'web' } };
const labelsOf = (f: Finding) => labelsByName[f.resource.name];

describe('applyWaivers', () => {
  it('moves a matching finding to waived with the applied waiver, leaving the input untouched', () => {
    const f = finding('privileged-containers');
    const w = waiver({ owner: 'team-x', expires: '2027-01-31', reason: '  CNI needs host access  ' });
    const out = applyWaivers([f], [w], noLabels, NOW);
    assert.deepEqual(out.active, []);
    assert.equal(out.waived.length, 1);
    assert.deepEqual(out.waived[0]!.waiver, {
      source: 'config',
      reason: 'CNI needs host access',
      owner: 'team-x',
      expires: '2027-01-31',
      declaredAt: '.aspis.yaml:3',
    });
    assert.equal(f.waiver, undefined, 'the input finding is not mutated');
    assert.deepEqual(out.reports, []);
  });

  it('only waives the checks it names', () => {
    const out = applyWaivers([finding('privileged-containers'), finding('host-ports')], [waiver()], noLabels, NOW);
    assert.deepEqual(out.active.map((f) => f.checkId), ['host-ports']);
    assert.deepEqual(out.waived.map((f) => f.checkId), ['privileged-containers']);
  });

  it('"*" waives every check', () => {
    const out = applyWaivers([finding('privileged-containers'), finding('host-ports')], [waiver({ checks: ['*'] })], noLabels, NOW);
    assert.equal(out.waived.length, 2);
  });

  it('matches a check by a former id (alias) when given the catalog', () => {
    const w = waiver({ checks: ['privileged'] });
    const checks = [{ id: 'privileged-containers', aliases: ['privileged'] }];
    assert.equal(applyWaivers([finding('privileged-containers')], [w], noLabels, NOW, { checks }).waived.length, 1);
    const without = applyWaivers([finding('privileged-containers')], [w], noLabels, NOW);
    assert.equal(without.waived.length, 0);
    assert.equal(without.reports[0]!.status, 'unused');
  });

  // [name, selector, resource, labels known?, waived?]
  const selectorCases: [string, Waiver['selector'], Partial<ResourceRef>, boolean][] = [
    ['kind matches', { kinds: ['Deployment'] }, {}, true],
    ['kind differs', { kinds: ['StatefulSet'] }, {}, false],
    ['namespace matches', { namespaces: ['prod'] }, {}, true],
    ['namespace differs', { namespaces: ['staging'] }, {}, false],
    ['namespace glob', { namespaces: ['prod-*', 'pr*'] }, {}, true],
    ['name glob matches', { names: ['ap*'] }, {}, true],
    ['name glob differs', { names: ['web-*'] }, {}, false],
    ['all fields must match', { kinds: ['Deployment'], namespaces: ['prod'], names: ['web'] }, {}, false],
    ['matchLabels match', { labels: { matchLabels: { app: 'api' } } }, {}, true],
    ['matchLabels differ', { labels: { matchLabels: { app: 'web' } } }, {}, false],
    ['In', { labels: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend', 'db'] }] } }, {}, true],
    ['NotIn', { labels: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['backend'] }] } }, {}, false],
    ['NotIn on a missing key', { labels: { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] } }, {}, true],
    ['Exists', { labels: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] } }, {}, true],
    ['an object without labels: DoesNotExist', { labels: { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] } }, { name: 'ghost' }, true],
    ['an object without labels: Exists', { labels: { matchExpressions: [{ key: 'zone', operator: 'Exists' }] } }, { name: 'ghost' }, false],
    ['cluster-scoped object and a namespace list', { namespaces: ['prod'] }, { namespace: undefined }, false],
  ];
  for (const [name, selector, resource, expected] of selectorCases) {
    it(`selector: ${name}`, () => {
      const out = applyWaivers([finding('privileged-containers', resource)], [waiver({ selector })], labelsOf, NOW);
      assert.equal(out.waived.length, expected ? 1 : 0);
      assert.deepEqual(out.reports.map((r) => r.status), expected ? [] : ['unused']);
    });
  }

  it('reads labels only when a waiver needs them, once per finding', () => {
    let calls = 0;
    const counting = (f: Finding) => (calls++, labelsOf(f));
    applyWaivers([finding('privileged-containers')], [waiver({ selector: { kinds: ['Deployment'] } })], counting, NOW);
    assert.equal(calls, 0);
    const labelled = waiver({ selector: { labels: { matchLabels: { app: 'x' } } } });
    applyWaivers([finding('privileged-containers')], [labelled, labelled, labelled], counting, NOW);
    assert.equal(calls, 1);
  });

  describe('expiry', () => {
    const f = finding('privileged-containers');
    it('a date-only expiry applies through the end of that day UTC', () => {
      const w = waiver({ expires: '2027-01-31' });
      assert.equal(applyWaivers([f], [w], noLabels, new Date('2027-01-31T23:59:59.999Z')).waived.length, 1);
      const after = applyWaivers([f], [w], noLabels, new Date('2027-02-01T00:00:00Z'));
      assert.equal(after.waived.length, 0);
      assert.deepEqual(after.active, [f]);
      assert.equal(after.reports.length, 1);
      const report = after.reports[0]!;
      assert.equal(report.status, 'expired');
      assert.equal(report.expires, '2027-01-31');
      assert.match(report.message, /expired since 2027-02-01T00:00:00Z/);
      assert.match(report.message, /end of that day UTC/);
      assert.match(report.message, /1 finding it matches is reported again/);
    });
    it('a date-time expiry ends at that instant', () => {
      const w = waiver({ expires: '2027-01-15T12:00:00+01:00' });
      const out = applyWaivers([f], [w], noLabels, NOW);
      assert.equal(out.reports[0]!.status, 'expired');
      assert.match(out.reports[0]!.message, /expired since 2027-01-15T11:00:00Z/);
      assert.equal(applyWaivers([f], [w], noLabels, new Date('2027-01-15T10:59:59Z')).waived.length, 1);
    });
    it('an expired waiver matching nothing says so', () => {
      const out = applyWaivers([], [waiver({ expires: '2020-01-01' })], noLabels, NOW);
      assert.equal(out.reports[0]!.status, 'expired');
      assert.match(out.reports[0]!.message, /matches no finding/);
    });
    it('another waiver in force still applies when one expired', () => {
      const out = applyWaivers([f], [waiver({ expires: '2020-01-01', declaredAt: 'a' }), waiver({ declaredAt: 'b' })], noLabels, NOW);
      assert.equal(out.waived[0]!.waiver!.declaredAt, 'b');
      assert.deepEqual(out.reports.map((r) => [r.declaredAt, r.status]), [['a', 'expired']]);
    });
  });

  it('reports unused waivers, naming what they look for', () => {
    const w = waiver({ selector: { kinds: ['Deployment'], namespaces: ['staging'] } });
    const out = applyWaivers([finding('privileged-containers')], [w], noLabels, NOW, { checks: [{ id: 'privileged-containers' }] });
    assert.equal(out.reports.length, 1);
    assert.deepEqual(
      { ...out.reports[0]!, message: undefined },
      { declaredAt: '.aspis.yaml:3', checks: ['privileged-containers'], reason: 'accepted', status: 'unused', message: undefined },
    );
    assert.match(out.reports[0]!.message, /matched no finding of privileged-containers on kinds=Deployment namespaces=staging/);
  });

  it('every matching waiver counts as used; the first one given is applied', () => {
    const out = applyWaivers([finding('privileged-containers')], [waiver({ declaredAt: 'first' }), waiver({ declaredAt: 'second' })], noLabels, NOW);
    assert.equal(out.waived[0]!.waiver!.declaredAt, 'first');
    assert.deepEqual(out.reports, []);
  });

  it('invalid waivers never apply and are reported', () => {
    const f = finding('privileged-containers');
    const cases: [Waiver, RegExp][] = [
      [waiver({ reason: '   ' }), /a reason is required/],
      [waiver({ checks: [] }), /names no check/],
      [waiver({ expires: 'next week' }), /expires: "next week" is not an ISO 8601 date/],
      [
        waiver({ selector: { labels: { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] } } }),
        /resources\.labels\.matchExpressions\[0\]\.values: values must be non-empty/,
      ],
    ];
    for (const [w, pattern] of cases) {
      const out = applyWaivers([f], [w], labelsOf, NOW);
      assert.equal(out.waived.length, 0);
      assert.equal(out.reports.length, 1);
      assert.equal(out.reports[0]!.status, 'invalid');
      assert.match(out.reports[0]!.message, pattern);
      assert.match(out.reports[0]!.message, /does not apply/);
    }
  });

  it('keeps the input order of findings', () => {
    const fs = ['a', 'b', 'c', 'd'].map((id) => finding(id));
    const out = applyWaivers(fs, [waiver({ checks: ['b', 'd'] })], noLabels, NOW);
    assert.deepEqual(out.active.map((f) => f.checkId), ['a', 'c']);
    assert.deepEqual(out.waived.map((f) => f.checkId), ['b', 'd']);
  });
});

describe('annotation waivers applied', () => {
  const deployment = (annotations: Record<string, string>, name = 'api') => ({
    object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'prod', annotations }, spec: { template: { spec: { containers: [] } } } },
    ref: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'prod', name },
  });

  it('waives that check on that object only', () => {
    const waivers = annotationWaivers(deployment({ 'waiver.aspis.dev/privileged-containers': 'CNI agent' }));
    const out = applyWaivers(
      [finding('privileged-containers'), finding('privileged-containers', { name: 'web' }), finding('host-ports')],
      waivers,
      noLabels,
      NOW,
    );
    assert.deepEqual(out.waived.map((f) => [f.checkId, f.resource.name]), [['privileged-containers', 'api']]);
    assert.deepEqual(out.waived[0]!.waiver, {
      source: 'annotation',
      reason: 'CNI agent',
      declaredAt: 'Deployment/prod/api annotation waiver.aspis.dev/privileged-containers',
    });
    assert.deepEqual(out.reports, []);
  });

  it('an empty reason does not waive and is reported invalid', () => {
    const waivers = annotationWaivers(deployment({ 'waiver.aspis.dev/privileged-containers': '' }));
    const out = applyWaivers([finding('privileged-containers')], waivers, noLabels, NOW);
    assert.equal(out.active.length, 1);
    assert.equal(out.waived.length, 0);
    assert.deepEqual(out.reports, [
      {
        declaredAt: 'Deployment/prod/api annotation waiver.aspis.dev/privileged-containers',
        checks: ['privileged-containers'],
        reason: '',
        status: 'invalid',
        message: 'a reason is required: write why the risk is accepted as the annotation value; the waiver does not apply',
      },
    ]);
  });

  it('an annotation waiver with an expiry expires like any other', () => {
    const waivers = annotationWaivers(deployment({ 'waiver.aspis.dev/privileged-containers': 'reason=legacy; expires=2027-01-14' }));
    const out = applyWaivers([finding('privileged-containers')], waivers, noLabels, NOW);
    assert.equal(out.active.length, 1);
    assert.equal(out.reports[0]!.status, 'expired');
    assert.match(out.reports[0]!.message, /expired since 2027-01-15T00:00:00Z/);
  });

  it('an annotation waiver on an object without that finding is unused', () => {
    const waivers = annotationWaivers(deployment({ 'waiver.aspis.dev/host-ports': 'needs port 80' }));
    const out = applyWaivers([finding('privileged-containers')], waivers, noLabels, NOW);
    assert.equal(out.reports[0]!.status, 'unused');
    assert.match(out.reports[0]!.message, /remove the annotation/);
  });
});

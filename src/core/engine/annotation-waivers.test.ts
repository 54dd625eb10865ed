import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../model/resource.js';
import { refOf } from '../model/resource.js';
import { annotationWaivers, parseWaiverAnnotationValue } from './annotation-waivers.js';

const resource = (object: KubeObject) => ({ object, ref: refOf(object) });

describe('parseWaiverAnnotationValue', () => {
  it('a plain value is the reason', () => {
    assert.deepEqual(parseWaiverAnnotationValue('  CNI agent needs host network; reviewed  '), { reason: 'CNI agent needs host network; reviewed' });
  });
  it('structured: reason, owner, expires', () => {
    assert.deepEqual(parseWaiverAnnotationValue('reason=CNI agent; owner=team-net; expires=2027-01-31'), {
      reason: 'CNI agent',
      owner: 'team-net',
      expires: '2027-01-31',
    });
    assert.deepEqual(parseWaiverAnnotationValue('owner=team-net;reason=x;'), { reason: 'x', owner: 'team-net' });
  });
  for (const [value, pattern] of [
    ['', /reason is required/],
    ['   ', /reason is required/],
    ['owner=team-net', /reason is required/],
    ['reason=', /reason is required/],
    ['reason=x; ownr=y', /"ownr=y" is not one of reason=, owner=, expires=/],
    ['reason=x; reason=y', /reason= is given twice/],
    ['reason=x; expires=soon', /expires: "soon" is not an ISO 8601 date/],
    ['reason=x; expires=2027-01-31T10:00', /no time zone/],
    ['reason=x; owner=', /owner= is empty/],
  ] as const) {
    it(`rejects ${JSON.stringify(value)}`, () => {
      const parsed = parseWaiverAnnotationValue(value);
      assert.ok('error' in parsed);
      assert.match(parsed.error, pattern);
    });
  }
});

describe('annotationWaivers', () => {
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'agent',
      namespace: 'kube-system',
      annotations: {
        'waiver.aspis.dev/privileged-containers': 'reason=CNI agent; owner=team-net; expires=2027-01-31',
        'waiver.aspis.dev/host-ports': 'object wins',
        'other.example.com/x': 'ignored',
      },
    },
    spec: {
      template: {
        metadata: { annotations: { 'waiver.aspis.dev/host-ports': 'template loses', 'waiver.aspis.dev/host-namespaces': 'from template' } },
        spec: { containers: [] },
      },
    },
  };

  it('reads the object and its pod template; the object wins on the same key', () => {
    const waivers = annotationWaivers(resource(deployment));
    assert.ok(waivers.every((w) => w.problem === undefined));
    assert.deepEqual(
      waivers.map((w) => [w.checks[0], w.reason, w.declaredAt]),
      [
        ['host-namespaces', 'from template', 'Deployment/kube-system/agent pod template annotation waiver.aspis.dev/host-namespaces'],
        ['host-ports', 'object wins', 'Deployment/kube-system/agent annotation waiver.aspis.dev/host-ports'],
        ['privileged-containers', 'CNI agent', 'Deployment/kube-system/agent annotation waiver.aspis.dev/privileged-containers'],
      ],
    );
    const privileged = waivers[2]!;
    assert.equal(privileged.owner, 'team-net');
    assert.equal(privileged.expires, '2027-01-31');
    assert.equal(privileged.source, 'annotation');
    assert.deepEqual(privileged.selector, { kinds: ['Deployment'], namespaces: ['kube-system'], names: ['agent'] });
  });

  it('a Pod carries the waiver its template gave it; an object without namespace selects ""', () => {
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', annotations: { 'waiver.aspis.dev/host-ports': 'ok' } }, spec: {} };
    const waivers = annotationWaivers(resource(pod));
    assert.deepEqual(waivers.map((w) => [w.declaredAt, w.selector]), [
      ['Pod/p annotation waiver.aspis.dev/host-ports', { kinds: ['Pod'], namespaces: [''], names: ['p'] }],
    ]);
  });

  it('annotations that cannot be waivers carry a problem', () => {
    const object: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'c',
        namespace: 'n',
        annotations: {
          'waiver.aspis.dev/': 'x',
          'waiver.aspis.dev/privileged-container': 'typo',
          'waiver.aspis.dev/privileged': 'former id is fine',
          'waiver.aspis.dev/host-ports': 42 as unknown as string,
        },
      },
    };
    const checks = [{ id: 'privileged-containers', aliases: ['privileged'] }, { id: 'host-ports' }];
    const waivers = annotationWaivers(resource(object), { checks });
    assert.deepEqual(
      waivers.map((w) => [w.declaredAt, w.checks, w.problem]),
      [
        ['ConfigMap/n/c annotation waiver.aspis.dev/', [], 'the annotation names no check: write waiver.aspis.dev/<check-id>'],
        ['ConfigMap/n/c annotation waiver.aspis.dev/host-ports', ['host-ports'], 'the annotation value must be a string (the reason)'],
        ['ConfigMap/n/c annotation waiver.aspis.dev/privileged', ['privileged'], undefined],
        [
          'ConfigMap/n/c annotation waiver.aspis.dev/privileged-container',
          ['privileged-container'],
          'no check has the id "privileged-container" (did you mean "privileged-containers"?)',
        ],
      ],
    );
    assert.equal(waivers[2]!.reason, 'former id is fine');
    // Without the catalog an unknown id is only known to match nothing.
    assert.equal(annotationWaivers(resource(object)).find((w) => w.checks[0] === 'privileged-container')!.problem, undefined);
  });

  it('an empty reason gives a waiver with a problem', () => {
    const pod: KubeObject = { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'p', annotations: { 'waiver.aspis.dev/host-ports': ' ' } } };
    const [waiver] = annotationWaivers(resource(pod));
    assert.equal(waiver!.reason, '');
    assert.match(waiver!.problem!, /a reason is required/);
  });

  it('ignores objects with missing or malformed metadata', () => {
    const odd = [{}, { kind: 'Pod', metadata: { annotations: 'x' } }, { kind: 'Deployment', apiVersion: 'apps/v1', spec: { template: 'x' } }] as KubeObject[];
    assert.deepEqual(odd.flatMap((o) => annotationWaivers(resource(o))), []);
  });
});

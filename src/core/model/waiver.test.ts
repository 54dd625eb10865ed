import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkIdIndex, parseExpiry, suggestCheckId } from './waiver.js';
import { matchesGlob, matchesResourceSelector, formatResourceSelector } from './resource-selector.js';

const at = (text: string) => {
  const parsed = parseExpiry(text);
  assert.ok('expiresAt' in parsed, `"${text}": ${'error' in parsed ? parsed.error : ''}`);
  return parsed.expiresAt.toISOString();
};

describe('parseExpiry', () => {
  it('a date applies through the end of that day UTC', () => {
    assert.equal(at('2027-01-31'), '2027-02-01T00:00:00.000Z');
    assert.equal(at('2027-12-31'), '2028-01-01T00:00:00.000Z');
    assert.equal(at('2028-02-29'), '2028-03-01T00:00:00.000Z');
  });
  it('a date-time expires at that instant, offset applied', () => {
    assert.equal(at('2027-01-31T18:00:00Z'), '2027-01-31T18:00:00.000Z');
    assert.equal(at('2027-01-31T18:00:00+02:00'), '2027-01-31T16:00:00.000Z');
    assert.equal(at('2027-01-31T18:00:00-0530'), '2027-01-31T23:30:00.000Z');
    assert.equal(at('2027-01-31T18:00Z'), '2027-01-31T18:00:00.000Z');
    assert.equal(at('2027-01-31T18:00:00.25Z'), '2027-01-31T18:00:00.250Z');
  });
  for (const [text, pattern] of [
    ['2027-02-29', /not a valid date/],
    ['2027-13-01', /not a valid date/],
    ['2027-01-31T18:00:00', /no time zone/],
    ['2027-01-31T25:00:00Z', /not a valid date-time/],
    ['31/01/2027', /not an ISO 8601 date/],
    ['', /not an ISO 8601 date/],
  ] as const) {
    it(`rejects "${text}"`, () => {
      const parsed = parseExpiry(text);
      assert.ok('error' in parsed);
      assert.match(parsed.error, pattern);
    });
  }
});

describe('check ids', () => {
  it('maps ids and aliases to the current id', () => {
    const index = checkIdIndex([{ id: 'new-id', aliases: ['old-id'] }, { id: 'other' }]);
    assert.equal(index.get('old-id'), 'new-id');
    assert.equal(index.get('new-id'), 'new-id');
    assert.equal(index.get('missing'), undefined);
  });
  it('suggests close ids', () => {
    assert.equal(suggestCheckId('privileged-container', ['privileged-containers', 'host-ports']), 'privileged-containers');
    assert.equal(suggestCheckId('zzz', ['privileged-containers']), undefined);
    assert.equal(suggestCheckId('privileged', ['privileged-containers', 'host-ports']), 'privileged-containers', 'prefix');
    assert.equal(suggestCheckId('host-port', ['host-ports', 'host-path']), 'host-ports', 'closest wins');
  });
});

describe('resource selector', () => {
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'prod', name: 'api-gateway' };
  it('globs', () => {
    assert.ok(matchesGlob('api-*', 'api-gateway'));
    assert.ok(matchesGlob('*', ''));
    assert.ok(matchesGlob('*-gate*', 'api-gateway'));
    assert.ok(!matchesGlob('api-*', 'web-api-gateway'));
    assert.ok(!matchesGlob('api.gateway', 'api-gateway'), 'dots are literal');
    assert.ok(matchesGlob('a+b(c)', 'a+b(c)'));
  });
  it('every field narrows, list entries are alternatives', () => {
    assert.ok(matchesResourceSelector({}, ref, undefined));
    assert.ok(matchesResourceSelector({ kinds: ['StatefulSet', 'Deployment'], namespaces: ['prod'], names: ['api-*'] }, ref, {}));
    assert.ok(!matchesResourceSelector({ kinds: ['Deployment'], namespaces: ['staging'] }, ref, {}));
    assert.ok(!matchesResourceSelector({ kinds: ['deployment'] }, ref, {}), 'kinds are case-sensitive');
  });
  it('objects without a namespace match "" and "*" but not a named namespace', () => {
    const clusterRole = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'admin' };
    assert.ok(!matchesResourceSelector({ namespaces: ['prod'] }, clusterRole, {}));
    assert.ok(matchesResourceSelector({ namespaces: [''] }, clusterRole, {}));
    assert.ok(matchesResourceSelector({ namespaces: ['*'] }, clusterRole, {}));
  });
  it('undefined labels are no labels, as in Kubernetes', () => {
    const notLegacy = { labels: { matchExpressions: [{ key: 'legacy', operator: 'DoesNotExist' as const }] } };
    assert.ok(matchesResourceSelector(notLegacy, ref, {}));
    assert.ok(matchesResourceSelector(notLegacy, ref, undefined));
    assert.ok(!matchesResourceSelector({ labels: { matchLabels: { app: 'web' } } }, ref, undefined));
    assert.ok(matchesResourceSelector({ labels: { matchLabels: { app: 'web' } } }, ref, { app: 'web' }));
    assert.ok(matchesResourceSelector({ labels: {} }, ref, undefined), 'an empty label selector selects everything');
    assert.ok(matchesResourceSelector(notLegacy, ref, 'garbage' as unknown as Record<string, string>), 'a malformed labels field is no labels');
  });
  it('formats for messages', () => {
    assert.equal(
      formatResourceSelector({ kinds: ['Deployment'], namespaces: [''], labels: { matchLabels: { app: 'web' } } }),
      'kinds=Deployment namespaces="" labels=app=web',
    );
    assert.equal(formatResourceSelector({}), 'all resources');
  });
});

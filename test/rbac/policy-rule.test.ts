import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { PolicyRule } from '../../src/rbac/policy-rule.js';
import { nonResourceURLMatches, resourceMatches, ruleAllows } from '../../src/rbac/policy-rule.js';

const rule = (partial: Partial<PolicyRule>): PolicyRule => ({ verbs: [], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [], ...partial });
const token = fc.stringMatching(/^[a-z*/]{0,6}$/);

describe('PolicyRule matching (evaluation_helpers.go)', () => {
  it('resources: `*/sub` matches that subresource of any resource, never the resource itself; `pods/*` is literal', () => {
    const r = rule({ resources: ['*/exec', 'pods/*'] });
    assert.equal(resourceMatches(r, 'pods/exec', 'exec'), true);
    assert.equal(resourceMatches(r, 'deployments/exec', 'exec'), true);
    assert.equal(resourceMatches(r, 'pods', ''), false);
    assert.equal(resourceMatches(r, 'pods/log', 'log'), false);
    assert.equal(resourceMatches(r, 'pods/*', '*'), true);
  });

  it('resourceNames: empty matches any name (and none); `*` is an ordinary name', () => {
    const any = rule({ verbs: ['get'], apiGroups: [''], resources: ['secrets'] });
    const star = rule({ ...any, resourceNames: ['*'] });
    assert.equal(ruleAllows(any, { verb: 'get', group: '', resource: 'secrets', name: 'x' }), true);
    assert.equal(ruleAllows(star, { verb: 'get', group: '', resource: 'secrets', name: 'x' }), false);
    assert.equal(ruleAllows(star, { verb: 'get', group: '', resource: 'secrets' }), false);
    assert.equal(ruleAllows(star, { verb: 'get', group: '', resource: 'secrets', name: '*' }), true);
  });

  it('nonResourceURLs: every trailing `*` is a prefix match; a `*` elsewhere is literal', () => {
    const r = rule({ verbs: ['get'], nonResourceURLs: ['/metrics**', '/ver*sion'] });
    assert.equal(nonResourceURLMatches(r, '/metrics'), true);
    assert.equal(nonResourceURLMatches(r, '/metrics/x'), true);
    assert.equal(nonResourceURLMatches(r, '/version'), false);
    assert.equal(nonResourceURLMatches(r, '/ver*sion'), true);
  });

  it('a resource rule never matches a non-resource request and vice versa', () => {
    fc.assert(
      fc.property(fc.constantFrom('get', '*'), fc.stringMatching(/^\/[a-z]{0,4}$/), (verb, path) => {
        const everything = rule({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] });
        assert.equal(ruleAllows(everything, { verb, nonResourceURL: path }), false);
        const urls = rule({ verbs: ['*'], nonResourceURLs: ['*'] });
        assert.equal(ruleAllows(urls, { verb, group: '', resource: 'pods' }), false);
        assert.equal(ruleAllows(urls, { verb, nonResourceURL: path }), true);
      }),
    );
  });

  it('property: `prefix*` matches exactly the URLs starting with the prefix', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\/[a-z/]{0,4}$/), fc.integer({ min: 1, max: 3 }), fc.stringMatching(/^\/[a-z/]{0,6}$/), (prefix, stars, path) => {
        const r = rule({ verbs: ['get'], nonResourceURLs: [prefix + '*'.repeat(stars)] });
        assert.equal(nonResourceURLMatches(r, path), path.startsWith(prefix));
      }),
    );
  });

  it('property: a rule allows a request only if each field matches exactly or through `*`', () => {
    fc.assert(
      fc.property(
        fc.record({ verbs: fc.array(token, { maxLength: 3 }), apiGroups: fc.array(token, { maxLength: 2 }), resources: fc.array(token, { maxLength: 3 }), resourceNames: fc.array(token, { maxLength: 2 }) }),
        fc.record({ verb: token, group: token, resource: fc.stringMatching(/^[a-z]{1,3}$/), subresource: fc.stringMatching(/^[a-z]{0,2}$/), name: token }),
        (fields, request) => {
          const allowed = ruleAllows(rule(fields), request);
          const combined = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
          const expected =
            (fields.verbs.includes('*') || fields.verbs.includes(request.verb)) &&
            (fields.apiGroups.includes('*') || fields.apiGroups.includes(request.group)) &&
            (fields.resources.includes('*') || fields.resources.includes(combined) || (request.subresource !== '' && fields.resources.includes(`*/${request.subresource}`))) &&
            (fields.resourceNames.length === 0 || fields.resourceNames.includes(request.name));
          assert.equal(allowed, expected);
        },
      ),
    );
  });
});

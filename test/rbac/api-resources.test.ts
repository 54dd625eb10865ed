import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { API_RESOURCES, requestNamespace, resolveResource } from '../../src/rbac/api-resources.js';
import { SCANNED_KINDS } from '../../src/sources/cluster/scanned-kinds.js';

describe('resolving resource names as kubectl does', () => {
  it('plural, singular, short names, resource.group and subresources', () => {
    const show = (input: string) => {
      const r = resolveResource(input);
      return `${r.resource}${r.group ? `.${r.group}` : ''}${r.subresource ? `/${r.subresource}` : ''} ${r.namespaced ? 'namespaced' : 'cluster'}${r.builtIn ? '' : ' custom'}`;
    };
    assert.deepEqual(
      ['pods', 'pod', 'po', 'deployments.apps', 'deploy', 'pods/exec', 'csr/approval', 'nodes/proxy', 'widgets.example.com', 'ev', 'serviceaccounts/token', '*'].map(show),
      [
        'pods namespaced',
        'pods namespaced',
        'pods namespaced',
        'deployments.apps namespaced',
        'deployments.apps namespaced',
        'pods/exec namespaced',
        'certificatesigningrequests.certificates.k8s.io/approval cluster',
        'nodes/proxy cluster',
        'widgets.example.com namespaced custom',
        'events namespaced',
        'serviceaccounts/token namespaced',
        '* namespaced',
      ],
    );
  });

  it('unknown names are errors that say how to name a custom resource', () => {
    assert.throws(() => resolveResource('widgets'), /write a custom resource as RESOURCE\.GROUP/);
    assert.throws(() => resolveResource('pods/exek'), /pods has no subresource "exek": its subresources are/);
    assert.throws(() => resolveResource('widgets.apps'), /unknown resource "widgets" in built-in API group "apps"/);
  });

  it('which requests carry a namespace', () => {
    const ns = (input: string, verb: string, name = '') => requestNamespace(resolveResource(input), verb, name, 'team');
    assert.equal(ns('pods', 'list'), 'team');
    assert.equal(ns('nodes', 'get', 'n1'), '');
    assert.equal(ns('namespaces', 'get', 'prod'), 'prod');
    assert.equal(ns('namespaces', 'create'), '');
    assert.equal(ns('clusterroles.rbac.authorization.k8s.io', 'bind', 'admin'), 'team');
    assert.equal(ns('clusterroles.rbac.authorization.k8s.io', 'escalate', 'admin'), '');
  });

  it('the table agrees with the built-in kinds the cluster source lists (group, resource, scope)', () => {
    for (const kind of SCANNED_KINDS.filter((k) => !k.optional)) {
      const entry = API_RESOURCES.find((r) => r.group === kind.group && r.resource === kind.resource);
      assert.ok(entry, `${kind.resource}.${kind.group} is missing`);
      assert.equal(entry.namespaced, kind.namespaced, kind.resource);
      assert.equal(entry.kind, kind.kind);
    }
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { grantableByRole, isClusterScoped } from './cluster-scoped-resources.js';
import { grantedVerbs, policyRules } from './policy-rules.js';

describe('cluster-scoped resources', () => {
  it('are known per API group, subresources included', () => {
    assert.ok(isClusterScoped('', 'nodes/proxy'));
    assert.ok(isClusterScoped('certificates.k8s.io', 'certificatesigningrequests/approval'));
    assert.ok(isClusterScoped('authentication.k8s.io', 'userextras/scopes'));
    assert.ok(!isClusterScoped('example.com', 'nodes'), 'a CRD group may reuse a built-in name');
    assert.ok(!isClusterScoped('', 'serviceaccounts'));
    assert.ok(!isClusterScoped('rbac.authorization.k8s.io', 'roles'));
  });

  it('are granted by a Role only where the request carries a namespace', () => {
    assert.ok(grantableByRole('rbac.authorization.k8s.io', 'clusterroles', 'bind'));
    assert.ok(!grantableByRole('rbac.authorization.k8s.io', 'clusterroles', 'escalate'));
    assert.ok(grantableByRole('', 'namespaces', 'delete'), 'a Role reaches its own Namespace object');
    assert.ok(!grantableByRole('', 'namespaces', 'create'));
    assert.ok(!grantableByRole('', 'users', 'impersonate'));
    assert.ok(grantableByRole('', 'serviceaccounts', 'impersonate'));
  });

  it('are dropped from what a Role rule grants, not from what a ClusterRole rule grants', () => {
    const rules = { rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] };
    const [inRole] = policyRules({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', ...rules });
    const [inClusterRole] = policyRules({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', ...rules });
    assert.deepEqual(grantedVerbs(inRole!, '', 'nodes/proxy', ['get']), []);
    assert.deepEqual(grantedVerbs(inClusterRole!, '', 'nodes/proxy', ['get']), ['get']);
    assert.deepEqual(grantedVerbs(inRole!, '', 'pods', ['create']), ['create']);
    assert.deepEqual(grantedVerbs(inRole!, 'rbac.authorization.k8s.io', 'clusterroles', ['bind', 'escalate']), ['bind']);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../src/core/model/resource.js';
import { buildRbacGraph } from '../../src/rbac/rbac-graph.js';

function graphOf(yaml: string) {
  return buildRbacGraph(parseAllDocuments(yaml).map((d) => d.toJS() as KubeObject));
}

const issuesOf = (yaml: string) => graphOf(yaml).issues.map((i) => `${String(i.object.kind)} ${i.path.join('.')}: ${i.message}${i.ignored ? ' [left out]' : ''}`);

describe('reading RBAC objects as the API server validates them', () => {
  it('rules the server rejects leave the whole object out, naming the field', () => {
    assert.deepEqual(
      issuesOf(`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: a}
rules:
- {apiGroups: [""], resources: [pods], verbs: []}
- {nonResourceURLs: [/healthz], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: c}
rules:
- {apiGroups: [""], resources: [pods], nonResourceURLs: [/x], verbs: [get]}
- {resources: [pods], verbs: [get]}
`),
      [
        'Role rules.0.verbs: verbs must contain at least one value [left out]',
        'Role rules.1.nonResourceURLs: namespaced rules cannot apply to non-resource URLs [left out]',
        'ClusterRole rules.0.nonResourceURLs: rules cannot apply to both regular resources and non-resource URLs [left out]',
        'ClusterRole rules.1.apiGroups: resource rules must supply at least one api group [left out]',
      ],
    );
  });

  it('bindings: roleRef kind, ServiceAccount subjects of ClusterRoleBindings need a namespace, v1 defaulting of apiGroup', () => {
    const yaml = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: bad}
roleRef: {kind: Role, name: r}
subjects: [{kind: ServiceAccount, name: sa}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: good, namespace: a}
roleRef: {kind: ClusterRole, name: view}
subjects: [{kind: User, name: alice}, {kind: ServiceAccount, name: sa}]
`;
    assert.deepEqual(issuesOf(yaml), [
      'ClusterRoleBinding roleRef.kind: unsupported value "Role": supported values are "ClusterRole" [left out]',
      'ClusterRoleBinding subjects.0.namespace: a ServiceAccount subject of a ClusterRoleBinding needs a namespace [left out]',
    ]);
    const graph = graphOf(yaml);
    assert.equal(graph.clusterRoleBindings.length, 0);
    assert.deepEqual(graph.roleBindings.get('a')!.map((b) => b.subjects.map((s) => s.apiGroup ?? '')), [['rbac.authorization.k8s.io', '']]);
  });

  it('removed API versions are reported, not read; a namespaced object without namespace lands in default', () => {
    const graph = graphOf(`
apiVersion: rbac.authorization.k8s.io/v1beta1
kind: ClusterRole
metadata: {name: old}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r}
rules: []
`);
    assert.equal(graph.clusterRoles.size, 0);
    assert.match(graph.issues[0]!.message, /no longer served/);
    assert.ok(graph.roles.has('default/r'));
  });

  it('an object defined twice: the later one is used, and the earlier one is reported', () => {
    const graph = graphOf(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: c}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: c}
rules: [{apiGroups: [""], resources: [nodes], verbs: [get]}]
`);
    assert.deepEqual(graph.clusterRoles.get('c')!.rules.map((r) => r.rule.resources), [['nodes']]);
    assert.match(graph.issues[0]!.message, /defined again later/);
  });
});

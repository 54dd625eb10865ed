import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../src/core/model/resource.js';
import { canI } from '../../src/rbac/can-i.js';
import { buildRbacGraph } from '../../src/rbac/rbac-graph.js';
import { ruleAllows } from '../../src/rbac/policy-rule.js';
import { serviceAccountIdentity } from '../../src/rbac/identity.js';
import { identityOf, knownSubjects, whoCan, formatSubjectRef } from '../../src/rbac/who-can.js';
import { accessQuery, authorizationRequest, rbacGraph } from './rbac-arbitraries.js';

function objects(yaml: string): KubeObject[] {
  return parseAllDocuments(yaml).map((d) => d.toJS() as KubeObject);
}

const FIXTURE = objects(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pod-reader}
rules: [{apiGroups: [""], resources: [pods, pods/log], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: node-reader, namespace: team}
rules: [{apiGroups: [""], resources: [nodes], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: readers, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-reader}
subjects:
- {kind: ServiceAccount, name: builder}
- {kind: User, name: alice}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: nodes, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: node-reader}
subjects: [{kind: Group, name: devs}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: broken}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: does-not-exist}
subjects: [{kind: Group, name: devs}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: odd-subjects}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-reader}
subjects:
- {kind: ServiceAccount, name: builder, namespace: other}
- {kind: Group, name: auditors}
`);

describe('canI: the RBAC authorizer', () => {
  const graph = buildRbacGraph(FIXTURE);
  const builder = serviceAccountIdentity('team', 'builder');

  it('a RoleBinding to a ClusterRole grants its rules in the binding namespace only', () => {
    assert.equal(canI(graph, builder, { verb: 'get', group: '', resource: 'pods', namespace: 'team' }).allowed, true);
    assert.equal(canI(graph, builder, { verb: 'get', group: '', resource: 'pods', namespace: 'prod' }).allowed, false);
    assert.equal(canI(graph, builder, { verb: 'list', group: '', resource: 'pods' }).allowed, false, 'no namespace: RoleBindings are not consulted');
  });

  it('a ServiceAccount subject without namespace is in the RoleBinding namespace', () => {
    const elsewhere = serviceAccountIdentity('other-ns', 'builder');
    assert.equal(canI(graph, elsewhere, { verb: 'get', group: '', resource: 'pods', namespace: 'team' }).allowed, false);
  });

  it('names the binding, the first matching subject and the rule', () => {
    const decision = canI(graph, { user: 'alice', groups: ['auditors'] }, { verb: 'get', group: '', resource: 'pods', subresource: 'log', namespace: 'team' });
    assert.equal(decision.allowed, true);
    assert.deepEqual(
      decision.grants.map((g) => `${g.binding.kind}/${g.binding.name} ${g.subject.kind}/${g.subject.name} ${g.role.name}#${g.rule.index}`),
      ['ClusterRoleBinding/odd-subjects Group/auditors pod-reader#0', 'RoleBinding/readers User/alice pod-reader#0'],
    );
  });

  it('a Role naming a cluster-scoped resource matters only for requests carrying its namespace', () => {
    const dev = { user: 'bob', groups: ['devs'] };
    assert.equal(canI(graph, dev, { verb: 'get', group: '', resource: 'nodes' }).allowed, false);
    // The authorizer is scope-blind: the same attributes with a namespace are allowed (see api-resources.ts for which
    // real requests carry one).
    assert.equal(canI(graph, dev, { verb: 'get', group: '', resource: 'nodes', namespace: 'team' }).allowed, true);
  });

  it('a binding to a missing role grants nothing and is reported', () => {
    const decision = canI(graph, { user: 'bob', groups: ['devs'] }, { verb: 'get', group: '', resource: 'nodes' });
    assert.equal(decision.allowed, false);
    assert.deepEqual(decision.errors.map((e) => e.message), ['clusterrole.rbac.authorization.k8s.io "does-not-exist" not found']);
  });

  it('system:masters is allowed everything before RBAC', () => {
    const decision = canI(graph, { user: 'x', groups: ['system:masters'] }, { verb: 'delete', group: '*', resource: 'anything' });
    assert.deepEqual([decision.allowed, decision.privilegedGroup, decision.grants.length], [true, 'system:masters', 0]);
  });

  it('subject kinds are case-sensitive: a binding with kind "user" is rejected by the API server, so reported and left out', () => {
    const g = buildRbacGraph(
      objects(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: all}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: lower}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: all}
subjects: [{kind: user, name: alice}]
`),
    );
    assert.deepEqual(g.issues.map((i) => [i.path.join('.'), i.ignored]), [['subjects.0.kind', true]]);
    assert.equal(canI(g, { user: 'alice', groups: [] }, { verb: 'get', group: '', resource: 'pods' }).allowed, false);
  });
});

describe('canI and whoCan properties over random graphs', () => {
  it('every grant reported allows the request, and allowed ⇔ a grant or a privileged group', () => {
    fc.assert(
      fc.property(rbacGraph, fc.array(accessQuery, { minLength: 20, maxLength: 20 }), (generated, queries) => {
        const graph = buildRbacGraph(generated.objects);
        for (const { who, request } of queries) {
          const decision = canI(graph, who, request);
          for (const grant of decision.grants) assert.ok(ruleAllows(grant.rule.rule, request));
          assert.equal(decision.allowed, decision.grants.length > 0 || who.groups.includes('system:masters'));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('adding a binding never takes a permission away (RBAC has no deny)', () => {
    fc.assert(
      fc.property(rbacGraph, rbacGraph, fc.array(accessQuery, { minLength: 20, maxLength: 20 }), (base, more, queries) => {
        const before = buildRbacGraph(base.objects);
        const names = new Set(base.objects.map((o) => `${o.kind}/${o.metadata?.namespace}/${o.metadata?.name}`));
        const extra = more.objects
          .filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')
          .map((o) => ({ ...o, metadata: { ...o.metadata, name: `more-${o.metadata!.name}` } }))
          .filter((o) => !names.has(`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`));
        const after = buildRbacGraph([...base.objects, ...extra]);
        for (const { who, request } of queries) {
          if (canI(before, who, request).allowed) assert.ok(canI(after, who, request).allowed);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('requests without a namespace ignore every RoleBinding', () => {
    fc.assert(
      fc.property(rbacGraph, fc.array(accessQuery, { minLength: 20, maxLength: 20 }), (generated, queries) => {
        const graph = buildRbacGraph(generated.objects);
        const withoutRoleBindings = buildRbacGraph(generated.objects.filter((o) => o.kind !== 'RoleBinding'));
        for (const { who, request } of queries) {
          if ('nonResourceURL' in request || !request.namespace) {
            assert.equal(canI(graph, who, request).allowed, canI(withoutRoleBindings, who, request).allowed);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('whoCan lists exactly the known subjects whose identity canI allows', () => {
    fc.assert(
      fc.property(rbacGraph, authorizationRequest, (generated, request) => {
        const graph = buildRbacGraph(generated.objects);
        const listed = new Set(whoCan(graph, request).map((e) => formatSubjectRef(e.subject)));
        for (const subject of knownSubjects(graph)) {
          assert.equal(listed.has(formatSubjectRef(subject)), canI(graph, identityOf(subject), request).allowed, formatSubjectRef(subject));
        }
      }),
      { numRuns: 200 },
    );
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../src/core/model/resource.js';
import { canI } from '../../src/rbac/can-i.js';
import { escalationPaths, formatTarget } from '../../src/rbac/escalation-paths.js';
import type { EscalationPath } from '../../src/rbac/escalation-paths.js';
import { buildRbacGraph } from '../../src/rbac/rbac-graph.js';
import { formatSubjectRef, identityOf } from '../../src/rbac/who-can.js';
import { rbacGraph } from './rbac-arbitraries.js';

function graphOf(yaml: string) {
  return buildRbacGraph(parseAllDocuments(yaml).map((d) => d.toJS() as KubeObject | null).filter((o): o is KubeObject => o !== null));
}

const describePath = (p: EscalationPath) => `${formatSubjectRef(p.from)} ⇒ ${formatTarget(p.to)}: ${p.steps.map((s) => s.technique).join(' → ')}`;

const role = (kind: string, name: string, namespace: string | undefined, rules: string) => `
apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}
metadata: {name: ${name}${namespace ? `, namespace: ${namespace}` : ''}}
rules: ${rules}
---`;
const binding = (kind: string, name: string, namespace: string | undefined, roleKind: string, roleName: string, subjects: string) => `
apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}
metadata: {name: ${name}${namespace ? `, namespace: ${namespace}` : ''}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ${roleKind}, name: ${roleName}}
subjects: ${subjects}
---`;
const account = (namespace: string, name: string, secrets = '[]') => `
apiVersion: v1
kind: ServiceAccount
metadata: {name: ${name}, namespace: ${namespace}}
secrets: ${secrets}
---`;

describe('escalation paths', () => {
  it('chains: create pods ⇒ a service account, whose secret read ⇒ another one; each step names its rule', () => {
    const graph = graphOf(
      account('ci', 'deployer') +
        account('prod', 'admin', '[{name: admin-token}]') +
        role('Role', 'pods', 'ci', '[{apiGroups: [""], resources: [pods], verbs: [create]}]') +
        binding('RoleBinding', 'alice-pods', 'ci', 'Role', 'pods', '[{kind: User, name: alice}]') +
        role('ClusterRole', 'token-reader', undefined, '[{apiGroups: [""], resources: [secrets], verbs: [get], resourceNames: [admin-token]}]') +
        binding('RoleBinding', 'deployer-read', 'prod', 'ClusterRole', 'token-reader', '[{kind: ServiceAccount, name: deployer, namespace: ci}]'),
    );
    const paths = escalationPaths(graph);
    assert.deepEqual(paths.map(describePath), [
      'User/alice ⇒ ServiceAccount/ci/deployer: create-pods',
      'User/alice ⇒ ServiceAccount/prod/admin: create-pods → read-token-secret',
      'ServiceAccount/ci/deployer ⇒ ServiceAccount/prod/admin: read-token-secret',
    ]);
    const chain = paths[1]!.steps;
    assert.deepEqual(
      chain.map((s) => s.permissions.map((p) => `${p.grants[0]!.binding.name}/${p.grants[0]!.role.name}#${p.grants[0]!.rule.index}`)),
      [['alice-pods/pods#0'], ['deployer-read/token-reader#0']],
    );
  });

  it('token requests, impersonation (groups only together with a user), bind and escalate', () => {
    const graph = graphOf(
      account('a', 'target') +
        role('ClusterRole', 'tokens', undefined, '[{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]}]') +
        binding('ClusterRoleBinding', 'tokens', undefined, 'ClusterRole', 'tokens', '[{kind: User, name: t}]') +
        role('ClusterRole', 'groups-only', undefined, '[{apiGroups: [""], resources: [groups], verbs: [impersonate]}]') +
        binding('ClusterRoleBinding', 'groups-only', undefined, 'ClusterRole', 'groups-only', '[{kind: User, name: g}]') +
        role('ClusterRole', 'impersonator', undefined, '[{apiGroups: [""], resources: [users, groups], verbs: [impersonate]}]') +
        binding('ClusterRoleBinding', 'impersonator', undefined, 'ClusterRole', 'impersonator', '[{kind: User, name: i}]') +
        role('ClusterRole', 'binder', undefined, '[{apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [create]}, {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind], resourceNames: [tokens]}]') +
        binding('RoleBinding', 'binder', 'a', 'ClusterRole', 'binder', '[{kind: User, name: b}]') +
        role('ClusterRole', 'self-editor', undefined, '[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [escalate, update], resourceNames: [self-editor]}]') +
        binding('ClusterRoleBinding', 'self-editor', undefined, 'ClusterRole', 'self-editor', '[{kind: User, name: e}]'),
    );
    const paths = escalationPaths(graph).map(describePath);
    assert.ok(paths.includes('User/t ⇒ ServiceAccount/a/target: create-token'));
    assert.ok(!paths.some((p) => p.startsWith('User/g ⇒')), 'impersonating groups needs a user to impersonate');
    assert.ok(paths.includes('User/i ⇒ Group/system:masters: impersonate'));
    assert.ok(paths.includes('User/i ⇒ User/t: impersonate'));
    assert.ok(paths.includes('User/i ⇒ ServiceAccount/a/target: impersonate → create-token'));
    assert.ok(paths.includes('User/b ⇒ ClusterRole tokens in namespace a: bind'));
    assert.ok(paths.includes('User/e ⇒ any permission, cluster-wide: escalate'));
  });

  it('listing secrets reaches every service account of the namespace, on condition a legacy token exists', () => {
    const graph = graphOf(
      account('a', 'one') +
        role('Role', 'list', 'a', '[{apiGroups: [""], resources: [secrets], verbs: [list]}]') +
        binding('RoleBinding', 'list', 'a', 'Role', 'list', '[{kind: Group, name: readers}]'),
    );
    const [path] = escalationPaths(graph);
    assert.equal(describePath(path!), 'Group/readers ⇒ ServiceAccount/a/one: read-token-secret');
    assert.match(path!.steps[0]!.condition!, /legacy token Secret of a\/one exists/);
  });

  it("Kubernetes' own identities are left out as sources on request, never as targets", () => {
    const graph = graphOf(
      account('kube-system', 'controller') +
        role('ClusterRole', 'pods', undefined, '[{apiGroups: [""], resources: [pods], verbs: [create]}]') +
        binding('ClusterRoleBinding', 'components', undefined, 'ClusterRole', 'pods', '[{kind: User, name: "system:kube-scheduler"}, {kind: ServiceAccount, name: controller, namespace: kube-system}, {kind: Group, name: "system:serviceaccounts:ci"}]'),
    );
    assert.deepEqual(escalationPaths(graph, { skipSystemSources: true }).map(describePath), ['Group/system:serviceaccounts:ci ⇒ ServiceAccount/kube-system/controller: create-pods']);
    assert.deepEqual(escalationPaths(graph).map(describePath), [
      'Group/system:serviceaccounts:ci ⇒ ServiceAccount/kube-system/controller: create-pods',
      'User/system:kube-scheduler ⇒ ServiceAccount/kube-system/controller: create-pods',
    ]);
  });

  it('property: every step is backed by permissions the subject has, each granted by the rules it names', () => {
    fc.assert(
      fc.property(rbacGraph, (generated) => {
        const graph = buildRbacGraph(generated.objects);
        for (const path of escalationPaths(graph)) {
          let at = path.from;
          for (const step of path.steps) {
            assert.deepEqual(step.from, at);
            for (const use of step.permissions) {
              const decision = canI(graph, identityOf(step.from), use.request);
              assert.ok(decision.allowed && use.grants.length > 0, `${describePath(path)}: ${JSON.stringify(use.request)}`);
            }
            at = step.to as typeof at;
          }
          assert.deepEqual(path.steps.at(-1)!.to, path.to);
        }
      }),
      { numRuns: 150 },
    );
  });
});

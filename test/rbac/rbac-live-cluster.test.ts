/**
 * `aspis rbac` against a live cluster (the real kube-apiserver and kube-controller-manager of test/harness):
 * - can-i answers as `kubectl auth can-i` does with the same --as/--as-group, where the server itself builds the
 *   impersonated identity and decides;
 * - explain names live bindings; who-can lists them;
 * - the scanner role from `aspis rbac scanner-role` is enough for `aspis scan cluster` and `aspis rbac`, and no more
 *   (no secrets);
 * - the built-in discovery table agrees with the server's own discovery.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane } from '../harness/control-plane.js';
import type { ControlPlane } from '../harness/control-plane.js';
import { renderKubeconfig } from '../harness/kubeconfig-file.js';
import { runCli } from '../cli/run-cli.js';
import { API_RESOURCES } from '../../src/rbac/api-resources.js';
import { runCliBatch } from './cli-batch.js';
import type { BatchResult } from './cli-batch.js';

let cp: ControlPlane;
const dir = mkdtempSync(join(tmpdir(), 'aspis-rbac-live-'));

const FIXTURE = `
apiVersion: v1
kind: ServiceAccount
metadata: {name: builder, namespace: team}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-runner, namespace: team}
rules:
- apiGroups: [""]
  resources: [pods, pods/exec]
  verbs: [get, list, create]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: runners, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-runner}
subjects:
- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}
- {kind: ServiceAccount, name: builder}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: devs-view}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io}
`;

before(async () => {
  cp = await startControlPlane({ controllerManager: true });
  await cp.createNamespace('team');
  await cp.createNamespace('other');
  await cp.apply(FIXTURE);
  await cp.waitForRbacPropagation();
});
after(async () => {
  await cp?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('aspis rbac on a live cluster', () => {
  it('can-i exits as kubectl auth can-i does, for the same impersonated identity', async () => {
    const cases: string[][] = [
      ['get', 'pods', '-n', 'team', '--as', 'alice'],
      ['get', 'pods', '-n', 'other', '--as', 'alice'],
      ['create', 'pods', '--subresource', 'exec', '-n', 'team', '--as', 'alice'],
      ['list', 'pods', '-n', 'team', '--as', 'system:serviceaccount:team:builder'],
      ['list', 'pods', '-n', 'team', '--as', 'system:serviceaccount:team:builder', '--as-group', 'devs'],
      ['get', 'configmaps', '-n', 'other', '--as', 'bob', '--as-group', 'devs'],
      ['get', 'secrets', '-n', 'other', '--as', 'bob', '--as-group', 'devs'],
      ['list', 'deployments.apps', '-A', '--as', 'bob', '--as-group', 'devs'],
      ['get', 'nodes', '--as', 'alice'],
      ['create', 'selfsubjectaccessreviews.authorization.k8s.io', '--as', 'alice'],
      ['get', '/healthz', '--as', 'alice'],
      ['get', '/metrics', '--as', 'alice'],
      ['delete', 'namespaces', 'team', '--as-group', 'system:masters', '--as', 'alice'],
      ['get', 'pods', 'web', '-n', 'team', '--as', 'system:serviceaccount:team:builder'],
    ];
    // kubectl takes a name as TYPE/NAME; aspis as a third argument (TYPE/SUB is a subresource, as in RBAC rules).
    const kubectlArgs = (args: string[]) => (args.length > 2 && !args[2]!.startsWith('-') ? [args[0]!, `${args[1]}/${args[2]}`, ...args.slice(3)] : args);
    const ours = runCliBatch(cases.map((args) => ['rbac', 'can-i', ...args, '--kubeconfig', cp.adminKubeconfig]));
    for (const [i, args] of cases.entries()) {
      const kubectl = await cp.kubectl(['auth', 'can-i', ...kubectlArgs(args)]);
      assert.ok(kubectl.code === 0 || kubectl.code === 1, `kubectl ${args.join(' ')}: ${kubectl.stderr}`);
      assert.equal(ours[i]!.code, kubectl.code, `${args.join(' ')}: kubectl says ${kubectl.stdout.trim()} ${kubectl.stderr.trim()}, aspis ${ours[i]!.stdout.trim()} ${ours[i]!.stderr}`);
    }
  });

  it('explain names the live binding and rule; who-can lists the subjects; escalations chain them', () => {
    const [explain, whoCan, escalations] = runCliBatch([
      ['rbac', 'explain', 'get', 'configmaps', '-n', 'team', '--as', 'bob', '--as-group', 'devs', '--kubeconfig', cp.adminKubeconfig],
      ['rbac', 'who-can', 'create', 'pods/exec', '-n', 'team', '--kubeconfig', cp.adminKubeconfig, '-o', 'json'],
      ['rbac', 'escalations', '--kubeconfig', cp.adminKubeconfig],
    ]) as [BatchResult, BatchResult, BatchResult];
    assert.equal(explain.code, 0, explain.stderr);
    assert.match(explain.stdout, /ClusterRoleBinding devs-view → ClusterRole view, subject Group devs {2}\[ClusterRoleBinding\/devs-view subjects\[0\]\]/);
    // view is aggregated: the rule is named in the ClusterRole it comes from.
    assert.match(explain.stdout, /rule \d+ of ClusterRole system:aggregate-to-view \(aggregated into ClusterRole view\)/);

    assert.equal(whoCan.code, 0, whoCan.stderr);
    const subjects = (JSON.parse(whoCan.stdout) as { subjects: { subject: { kind: string; name: string; namespace?: string } }[] }).subjects.map(
      (s) => `${s.subject.kind}/${s.subject.namespace ? `${s.subject.namespace}/` : ''}${s.subject.name}`,
    );
    for (const expected of ['User/alice', 'ServiceAccount/team/builder', 'Group/system:masters']) assert.ok(subjects.includes(expected), `${expected} in ${subjects.join(', ')}`);

    // Over the whole cluster, bootstrap bindings included.
    assert.equal(escalations.code, 0, escalations.stderr);
    assert.match(escalations.stdout, /^User\/alice ⇒ ServiceAccount\/team\/builder\n {2}1\. User\/alice creates a pod in team running as team\/builder and reads its token \[create-pods\]$/m);
  });

  it("the scanner role lets `aspis scan cluster` and `aspis rbac` read everything they read, and not secrets", async () => {
    await cp.createNamespace('aspis');
    const role = runCli(['rbac', 'scanner-role']);
    assert.equal(role.code, 0, role.stderr);
    await cp.apply(role.stdout);
    await cp.waitForRbacPropagation();
    const token = await cp.request<{ status: { token: string } }>('POST', '/api/v1/namespaces/aspis/serviceaccounts/aspis-scanner/token', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 600 },
    });
    assert.equal(token.status, 201);
    const kubeconfig = join(dir, 'scanner.yaml');
    writeFileSync(kubeconfig, renderKubeconfig(cp.server, cp.caCert, 'aspis-scanner', { token: token.body.status.token }));

    const [scan, whoCan, secrets] = runCliBatch([
      ['scan', 'cluster', '--kubeconfig', kubeconfig, '-o', 'json'],
      ['rbac', 'who-can', 'list', 'secrets', '-A', '--kubeconfig', kubeconfig],
      ['rbac', 'can-i', 'list', 'secrets', '-A', '--as', 'system:serviceaccount:aspis:aspis-scanner', '--kubeconfig', kubeconfig],
    ]) as [BatchResult, BatchResult, BatchResult];
    assert.ok(scan.code === 0 || scan.code === 1, `scan cluster as the scanner: exit ${scan.code}\n${scan.stderr}`);
    assert.deepEqual((JSON.parse(scan.stdout) as { errors: unknown[] }).errors, []);
    assert.equal(whoCan.code, 0, whoCan.stderr);
    assert.equal(secrets.code, 1, secrets.stdout + secrets.stderr);
  });

  it('the built-in discovery table agrees with the server: every resource it serves, with its scope', async () => {
    const served: { group: string; resource: string; namespaced: boolean }[] = [];
    const list = async (path: string, group: string) => {
      const response = await cp.request<{ resources: { name: string; namespaced: boolean }[] }>('GET', path);
      for (const r of response.body.resources) served.push({ group, resource: r.name, namespaced: r.namespaced });
    };
    await list('/api/v1', '');
    const groups = await cp.request<{ groups: { name: string; preferredVersion: { groupVersion: string } }[] }>('GET', '/apis');
    for (const g of groups.body.groups) await list(`/apis/${g.preferredVersion.groupVersion}`, g.name);
    const problems: string[] = [];
    for (const s of served) {
      const [resource, subresource] = s.resource.split('/') as [string, string | undefined];
      const entry = API_RESOURCES.find((r) => r.group === s.group && r.resource === resource);
      if (!entry) problems.push(`served but not in the table: ${s.resource}.${s.group}`);
      else if (subresource && !(entry.subresources ?? []).includes(subresource)) problems.push(`subresource missing: ${s.resource}.${s.group}`);
      else if (!subresource && entry.namespaced !== s.namespaced) problems.push(`scope differs: ${s.resource}.${s.group}`);
    }
    assert.deepEqual(problems, []);
  });
});

/** `aspis rbac` from manifests, run as a user runs it (the real CLI in a child process). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../cli/run-cli.js';
import { runCliBatch } from './cli-batch.js';
import type { BatchResult } from './cli-batch.js';
import { temporaryDirectory } from '../harness/temporary-directory.js';

const MANIFESTS = `apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer, namespace: ci}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: admin, namespace: prod}
secrets: [{name: admin-token}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-creator, namespace: ci}
rules:
- apiGroups: [""]
  resources: ["pods", "pods/exec"]
  verbs: ["create", "get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: alice-pods, namespace: ci}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-creator}
subjects:
- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader, labels: {aggregate: "yes"}}
rules:
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: aggregated}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {aggregate: "yes"}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer-secrets, namespace: prod}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: aggregated}
subjects:
- {kind: ServiceAccount, name: deployer, namespace: ci}
`;

const dir = temporaryDirectory('aspis-rbac-cli-');
const file = join(dir, 'rbac.yaml');
writeFileSync(file, MANIFESTS);

describe('aspis rbac (manifests)', () => {
  it('can-i: yes exits 0, no exits 1, like kubectl auth can-i', () => {
    const [yes, no, exec] = runCliBatch([
      ['rbac', 'can-i', 'create', 'pods', '-n', 'ci', '--as', 'alice', '-f', file],
      ['rbac', 'can-i', 'create', 'pods', '-n', 'prod', '--as', 'alice', '-f', file],
      ['rbac', 'can-i', 'create', 'pods', '--subresource', 'exec', '-n', 'ci', '--as', 'alice', '-f', file],
    ]) as [BatchResult, BatchResult, BatchResult];
    assert.deepEqual([yes.code, yes.stdout, yes.stderr], [0, 'yes\n', '']);
    assert.deepEqual([no.code, no.stdout], [1, 'no\n']);
    assert.equal(exec.code, 0);
  });

  it('explain names the binding, the subject and the rule with file:line, through aggregation', () => {
    const result = runCli(['rbac', 'explain', 'get', 'secrets', 'admin-token', '-n', 'prod', '--as', 'system:serviceaccount:ci:deployer', '-f', file]);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split('\n');
    assert.match(lines[0]!, /^yes: ServiceAccount\/ci\/deployer \(groups: system:serviceaccounts, system:serviceaccounts:ci, system:authenticated\) may get secrets "admin-token" in namespace "prod"/);
    assert.match(lines[1]!, /RoleBinding prod\/deployer-secrets → ClusterRole aggregated, subject ServiceAccount ci\/deployer {2}\[.*rbac\.yaml:44\]$/);
    assert.match(lines[2]!, /rule 0 of ClusterRole secret-reader \(aggregated into ClusterRole aggregated\): .*\[.*rbac\.yaml:29\]$/);
  });

  it('who-can lists the subjects (json)', () => {
    const result = runCli(['rbac', 'who-can', 'get', 'secrets', '-n', 'prod', '-f', file, '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const subjects = (JSON.parse(result.stdout) as { subjects: { subject: { kind: string; name: string } }[] }).subjects.map((s) => `${s.subject.kind}/${s.subject.name}`);
    assert.deepEqual(subjects, ['Group/system:masters', 'ServiceAccount/deployer']);
  });

  it('escalations: alice ⇒ ci/deployer (create pods) ⇒ prod/admin (reads its token Secret)', () => {
    const result = runCli(['rbac', 'escalations', '--from', 'alice', '-f', file]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /User\/alice ⇒ ServiceAccount\/prod\/admin\n {2}1\. User\/alice creates a pod in ci running as ci\/deployer and reads its token \[create-pods\]\n.*rbac\.yaml:14\]\n {2}2\. ServiceAccount\/ci\/deployer reads Secret prod\/admin-token, listed as a token of prod\/admin \[read-token-secret\]\n.*rbac\.yaml:29\]/);
  });

  it('bad input is a usage error (exit 2) that says what is wrong', () => {
    const cases: [string[], RegExp][] = [
      [['can-i', 'get', 'widgets', '--as', 'alice'], /unknown resource "widgets".*RESOURCE\.GROUP/],
      [['can-i', 'get', 'pods', '--as', 'alcie'], /user "alcie" is named by no binding \(known users: alice\)/],
      [['can-i', 'get', 'pods', '--as', 'system:serviceaccount:ci:nobody'], /service account ci\/nobody is neither a ServiceAccount of the input nor a binding subject; service accounts of ci: deployer/],
      [['can-i', 'get', 'pods', '-n', 'staging', '--as', 'alice'], /namespace "staging" appears nowhere in the input.*namespaces seen: ci, prod/],
      [['can-i', 'get', 'pods'], /say who asks/],
      [['who-can', 'get', '/healthz', '-n', 'ci'], /non-resource URL \(\/healthz\) has no namespace/],
    ];
    const results = runCliBatch(cases.map(([args]) => ['rbac', ...args, '-f', file]));
    for (const [i, [args, message]] of cases.entries()) {
      const result = results[i]!;
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, message, args.join(' '));
    }
  });

  it('an object the API server would reject is reported with file:line; the answer is still given; exit 2', () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, `${MANIFESTS}---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: broken}
rules:
- apiGroups: [""]
  resources: [pods]
`);
    const result = runCli(['rbac', 'can-i', 'create', 'pods', '-n', 'ci', '--as', 'alice', '-f', broken]);
    assert.equal(result.stdout, 'yes\n');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /broken\.yaml:50:1: rules\[0\]\.verbs: ClusterRole\/broken: verbs must contain at least one value \(the API server would reject it: left out\)/);
  });

  it('scanner-role: get and list only, on exactly the kinds the cluster scan reads; nothing high or critical in Aspis\'s own scan', () => {
    const role = runCli(['rbac', 'scanner-role']);
    assert.equal(role.code, 0, role.stderr);
    const objects = parseAllDocuments(role.stdout).map((d) => d.toJS() as { kind: string; rules?: { verbs: string[]; resources: string[] }[] });
    assert.deepEqual(objects.map((o) => o.kind), ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding']);
    for (const rule of objects[1]!.rules!) assert.deepEqual(rule.verbs, ['get', 'list']);
    assert.ok(!objects[1]!.rules!.some((r) => r.resources.includes('secrets') || r.resources.includes('*')));
    const scan = runCli(['scan', 'manifests', '-', '-o', 'json', '--fail-on', 'high'], { input: role.stdout });
    assert.equal(scan.code, 0, scan.stdout + scan.stderr);
    const findings = (JSON.parse(scan.stdout) as { findings: { checkId: string; severity: string }[] }).findings;
    assert.deepEqual(findings.filter((f) => f.severity === 'high' || f.severity === 'critical'), []);
  });
});

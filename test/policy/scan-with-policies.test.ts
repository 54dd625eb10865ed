/**
 * `aspis scan manifests --policies DIR` through the real CLI: each ValidatingAdmissionPolicy is a check (id = policy
 * name) whose failed validations are findings with the validation's message and the field it reads; .aspis.yaml
 * exceptions waive them like any check; --fail-on counts them; a policy that does not compile is an input error
 * (exit 2) naming file:line while the rest of the scan still runs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/run-cli.js';

const POLICY = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: pinned-images
  annotations: {policy.aspis.io/severity: high, policy.aspis.io/title: Images are pinned}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}
  validations:
  - expression: "object.spec.template.spec.containers.all(c, c.image.contains('@sha256:'))"
    messageExpression: "'unpinned images: ' + object.spec.template.spec.containers.filter(c, !c.image.contains('@sha256:')).map(c, c.image).join(', ')"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: pinned-images}
spec: {policyName: pinned-images, validationActions: [Warn]}
`;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - {name: api, image: "registry.example/api:1.2"}
`;

interface Report {
  findings: { checkId: string; severity: string; path: string; message: string; location?: { line: number } }[];
  waived?: { checkId: string }[];
  errors: { source: string; line?: number; message: string; field?: string }[];
}

describe('aspis scan manifests --policies', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'aspis-scan-policies-'));
    mkdirSync(join(dir, 'policies'));
    writeFileSync(join(dir, 'policies', 'pinned.yaml'), POLICY);
    writeFileSync(join(dir, 'app.yaml'), DEPLOYMENT);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reports a failed validation as a finding of the policy, with its message, field and severity', () => {
    const result = runCli(['scan', 'manifests', 'app.yaml', '--policies', 'policies', '-o', 'json', '--fail-on', 'high'], { cwd: dir });
    const report = JSON.parse(result.stdout) as Report;
    const finding = report.findings.find((f) => f.checkId === 'pinned-images');
    assert.ok(finding, result.stdout);
    assert.equal(finding.severity, 'high');
    assert.equal(finding.message, 'unpinned images: registry.example/api:1.2');
    assert.equal(finding.path, 'spec.template.spec.containers');
    assert.equal(finding.location?.line, 9);
    assert.equal(result.code, 1, 'a high finding fails --fail-on high');
  });

  it('lets .aspis.yaml exceptions waive policy findings like check findings', () => {
    writeFileSync(
      join(dir, '.aspis.yaml'),
      'exceptions:\n  - checks: [pinned-images]\n    resources: {namespaces: [shop]}\n    reason: tags are immutable in our registry\n',
    );
    try {
      const report = JSON.parse(runCli(['scan', 'manifests', 'app.yaml', '--policies', 'policies', '-o', 'json'], { cwd: dir }).stdout) as Report;
      assert.equal(report.findings.filter((f) => f.checkId === 'pinned-images').length, 0);
      assert.ok((report.waived ?? []).some((w) => w.checkId === 'pinned-images'), JSON.stringify(report.waived));
    } finally {
      rmSync(join(dir, '.aspis.yaml'));
    }
  });

  it('exits 2 on a policy that does not compile, naming file:line and the field, and still scans', () => {
    mkdirSync(join(dir, 'broken'));
    writeFileSync(join(dir, 'broken', 'pinned.yaml'), POLICY.replace("c.image.contains('@sha256:'))\"", "c.image.contains('@sha256:')\"").replace('pinned-images', 'pinned-broken').replace('policyName: pinned-images', 'policyName: pinned-broken'));
    const result = runCli(['scan', 'manifests', 'app.yaml', '--policies', 'broken', '-o', 'json'], { cwd: dir });
    assert.equal(result.code, 2, result.stderr);
    const report = JSON.parse(result.stdout) as Report;
    const error = report.errors.find((e) => e.field === 'spec.validations[0].expression');
    assert.ok(error, JSON.stringify(report.errors));
    assert.match(error.source, /broken[\\/]pinned\.yaml:1$/);
    assert.match(error.message, /Syntax error.*line 1, column \d+/);
    assert.ok(report.findings.length > 0, 'the built-in checks still ran');
  });
});

/**
 * `aspis policy test` through the real CLI: the shipped library passes its own fixtures; a fixture whose result
 * differs exits 1 and names file, object, expected and actual; bad input (a policy that does not compile, an
 * unknown policy in `# expect:`, a misnamed fixture, no fixtures, no policies) exits 2 naming the file.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCli } from '../cli/run-cli.js';

const POLICY = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: no-latest}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [pods]}
  validations:
  - expression: "object.spec.containers.all(c, !c.image.endsWith(':latest'))"
    message: images must be pinned
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: no-latest}
spec:
  policyName: no-latest
  validationActions: [Deny]
`;

const pod = (name: string, image: string): string =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}}\nspec:\n  containers:\n  - {name: app, image: "${image}"}\n`;

describe('aspis policy test', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'aspis-policy-test-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function folder(name: string, files: Record<string, string>): string {
    const root = join(dir, name);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  }

  it('passes on the shipped Pod Security library with its fixtures', () => {
    const result = runCli(['policy', 'test', 'policies/pss-baseline', 'policies/pss-restricted']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /pss-baseline-privileged\s+\d+\/\d+\s+ok/);
    assert.match(result.stdout, /pss-restricted-seccomp\s+\d+\/\d+\s+ok/);
    assert.doesNotMatch(result.stdout, /FAIL|untested/);
  });

  it('exits 1 and names the fixture, object and both outcomes when a result differs', () => {
    const root = folder('differs', {
      'policy.yaml': POLICY,
      'tests/pass.pinned.yaml': pod('pinned', 'nginx:1.27'),
      'tests/fail.latest.yaml': `# expect: no-latest\n${pod('latest', 'nginx:latest')}`,
      // Wrong on purpose: a pinned image is admitted.
      'tests/fail.wrong.yaml': `# expect: no-latest\n${pod('wrong', 'nginx:1.27')}`,
    });
    const result = runCli(['policy', 'test', root]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /no-latest\s+2\/3\s+FAIL/);
    assert.match(result.stdout, /fail\.wrong\.yaml:2 Pod\/wrong: expected refused by exactly no-latest, got admitted by every policy/);
    const json = JSON.parse(runCli(['policy', 'test', root, '-o', 'json']).stdout) as { mismatches: unknown[]; objects: number }[];
    assert.equal(json[0]!.mismatches.length, 1);
    assert.equal(json[0]!.objects, 3);
  });

  it('exits 2 on a policy that does not compile, naming file:line, field, position and reason', () => {
    const root = folder('broken', {
      'policy.yaml': POLICY.replace("!c.image.endsWith(':latest')", "!c.image.endsWith(':latest'"),
      'tests/pass.pinned.yaml': pod('pinned', 'nginx:1.27'),
    });
    const result = runCli(['policy', 'test', root]);
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(result.stdout, /policy\.yaml:1: spec\.validations\[0\]\.expression: Syntax error: .* \(line 1, column \d+ of "object\.spec\.containers\.all/);
  });

  it('exits 2 on an unknown policy in # expect:, a misnamed fixture, or a folder without fixtures or policies', () => {
    const unknown = folder('unknown-expect', { 'policy.yaml': POLICY, 'tests/fail.x.yaml': `# expect: no-such-policy\n${pod('x', 'nginx:latest')}` });
    let result = runCli(['policy', 'test', unknown]);
    assert.equal(result.code, 2);
    assert.match(result.stdout, /fail\.x\.yaml: # expect: names no policy of .*: no-such-policy/);

    const misnamed = folder('misnamed', { 'policy.yaml': POLICY, 'tests/latest.yaml': pod('x', 'nginx:latest') });
    result = runCli(['policy', 'test', misnamed]);
    assert.equal(result.code, 2);
    assert.match(result.stdout, /latest\.yaml: a fixture file must be named pass\.\*\.yaml or fail\.\*\.yaml/);

    const noFixtures = folder('no-fixtures', { 'policy.yaml': POLICY });
    assert.match(runCli(['policy', 'test', noFixtures]).stdout, /no fixtures/);
    const noPolicies = folder('no-policies', { 'tests/pass.x.yaml': pod('x', 'nginx:1') });
    result = runCli(['policy', 'test', noPolicies]);
    assert.equal(result.code, 2);
    assert.match(result.stdout, /no ValidatingAdmissionPolicy found/);
  });
});

/** End to end: the real `aspis scan manifests` on real files, stdin, configs and broken input. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../../src/core/model/report.js';
import { runCli } from './run-cli.js';
import { temporaryDirectory } from '../harness/temporary-directory.js';

function report(stdout: string): Report {
  return JSON.parse(stdout) as Report;
}

function tempDir(): string {
  return temporaryDirectory('aspis-cli-');
}

const PRIVILEGED_POD = `apiVersion: v1
kind: Pod
metadata:
  name: root-shell
  namespace: dev
spec:
  containers:
  - name: shell
    image: busybox:1.36
    securityContext:
      privileged: true
`;

describe('aspis scan manifests', () => {
  it('scans the bundled examples: findings with file:line, PSS levels, exit 0 without --fail-on', () => {
    const result = runCli(['scan', 'manifests', 'examples/', '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const r = report(result.stdout);
    assert.equal(r.errors.length, 0);
    const privileged = r.findings.find((f) => f.checkId === 'privileged-containers' && f.resource.name === 'frontend');
    assert.ok(privileged, 'privileged frontend not reported');
    assert.equal(privileged.path, 'spec.template.spec.containers[0].securityContext.privileged');
    assert.deepEqual(privileged.location, { file: 'examples/shop-frontend.yaml', line: 35, column: 13 });
    const controlsOf = (checkId: string) => r.checks.find((c) => c.id === checkId)?.controls ?? [];
    assert.ok(controlsOf(privileged.checkId).some((c) => c.framework === 'pss'));
    const levels = Object.fromEntries(r.objects.filter((o) => o.pssLevel).map((o) => [o.resource.name, o.pssLevel]));
    assert.equal(levels['frontend'], 'privileged');
    assert.equal(levels['payments-api'], 'restricted');
    assert.equal(levels['nightly-report'], 'baseline');
    assert.ok(r.findings.some((f) => f.checkId === 'cluster-admin-binding' && f.resource.name === 'ci-deployer-admin'));
  });

  it('--fail-on decides the exit code', () => {
    assert.equal(runCli(['scan', 'manifests', 'examples/', '-o', 'json', '--fail-on', 'critical']).code, 1);
    const dir = tempDir();
    writeFileSync(join(dir, 'ok.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: x}\ndata: {a: b}\n');
    assert.equal(runCli(['scan', 'manifests', dir, '-o', 'json', '--fail-on', 'info']).code, 0);
  });

  it('reads stdin with -, as after helm template', () => {
    const result = runCli(['scan', 'manifests', '-', '-o', 'json'], { input: PRIVILEGED_POD });
    assert.equal(result.code, 0, result.stderr);
    const finding = report(result.stdout).findings.find((f) => f.checkId === 'privileged-containers');
    assert.equal(finding?.location?.line, 11);
  });

  it('malformed input: error with file:line, other documents and files still scanned, exit 2', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a-good.yaml'), PRIVILEGED_POD);
    writeFileSync(join(dir, 'b-broken.yaml'), `${PRIVILEGED_POD.replace('root-shell', 'first')}---\nkind: Pod\nmetadata: {name: bad\n---\n${PRIVILEGED_POD.replace('root-shell', 'third')}`);
    const result = runCli(['scan', 'manifests', dir, '-o', 'json']);
    assert.equal(result.code, 2);
    const r = report(result.stdout);
    const names = new Set(r.findings.filter((f) => f.checkId === 'privileged-containers').map((f) => f.resource.name));
    assert.deepEqual([...names].sort(), ['first', 'root-shell', 'third']);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0]!.source, /b-broken\.yaml$/);
    assert.ok((r.errors[0]!.line ?? 0) >= 13, `line ${r.errors[0]!.line}`);
    assert.match(result.stderr, /b-broken\.yaml:\d+/);
  });

  it('a path that does not exist or holds no manifests is an error', () => {
    assert.equal(runCli(['scan', 'manifests', 'no/such/dir', '-o', 'json']).code, 2);
    const empty = tempDir();
    const result = runCli(['scan', 'manifests', empty, '-o', 'json']);
    assert.equal(result.code, 2);
  });

  it('--framework filters checks; an unknown framework is an error', () => {
    const pss = report(runCli(['scan', 'manifests', 'examples/', '-o', 'json', '--framework', 'pss']).stdout);
    assert.ok(pss.findings.length > 0);
    // Only checks mapped to a PSS control ran, and every finding is of one of them.
    assert.ok(pss.checks.length > 0 && pss.checks.every((check) => check.controls.some((c) => c.framework === 'pss')));
    const ran = new Set(pss.checks.map((check) => check.id));
    assert.ok(pss.findings.every((f) => ran.has(f.checkId)));
    assert.ok(!pss.findings.some((f) => f.checkId === 'cluster-admin-binding'));
    const unknown = runCli(['scan', 'manifests', 'examples/', '-o', 'json', '--framework', 'nope']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown framework nope/);
  });

  it('.aspis.yaml exceptions waive findings; expired ones stop applying and are reported', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'manifests'));
    writeFileSync(join(dir, 'manifests', 'pod.yaml'), PRIVILEGED_POD);
    writeFileSync(
      join(dir, '.aspis.yaml'),
      [
        'exceptions:',
        '  - checks: [privileged-containers]',
        '    resources: {kinds: [Pod], namespaces: [dev], names: ["root-*"]}',
        '    reason: debugging pod, removed after the incident',
        '    expires: 2999-01-01',
        '  - checks: [run-as-non-root]',
        '    resources: {namespaces: [dev]}',
        '    reason: old exception',
        '    expires: 2001-01-01',
        '',
      ].join('\n'),
    );
    const result = runCli(['scan', 'manifests', 'manifests', '-o', 'json'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const r = report(result.stdout);
    assert.ok(!r.findings.some((f) => f.checkId === 'privileged-containers'));
    assert.equal(r.waived.find((f) => f.checkId === 'privileged-containers')?.waiver?.reason, 'debugging pod, removed after the incident');
    assert.ok(r.findings.some((f) => f.checkId === 'run-as-non-root'), 'expired exception must not apply');
    assert.ok(r.waivers.some((w) => w.status === 'expired' && w.checks.includes('run-as-non-root')));
  });

  it('writes SARIF with regions', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'pod.yaml'), PRIVILEGED_POD);
    const result = runCli(['scan', 'manifests', 'pod.yaml', '-o', 'sarif'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const sarif = JSON.parse(result.stdout);
    assert.equal(sarif.version, '2.1.0');
    const hit = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'privileged-containers');
    assert.equal(hit.locations[0].physicalLocation.artifactLocation.uri, 'pod.yaml');
    assert.equal(hit.locations[0].physicalLocation.region.startLine, 11);
  });

  it('writes the same bytes whatever the locale: text is ordered by code units, not collated', () => {
    // Danish collation sorts "aa" (read as "å") after "z"; the files, namespaces and objects below differ by exactly that.
    const dir = tempDir();
    for (const name of ['aa', 'zz']) {
      writeFileSync(join(dir, `${name}.yaml`), PRIVILEGED_POD.replace('namespace: dev', `namespace: ${name}-team`));
    }
    const scan = (locale: string) => {
      const result = runCli(['scan', 'manifests', '.', '-o', 'json'], { cwd: dir, env: { LANG: locale, LC_ALL: locale } });
      assert.equal(result.code, 0, result.stderr);
      return result.stdout.replace(/"generatedAt": "[^"]*"/, '"generatedAt": ""');
    };
    const danish = scan('da_DK.UTF-8');
    assert.equal(danish, scan('C.UTF-8'));
    const r = report(danish);
    assert.deepEqual([...new Set(r.findings.map((f) => f.location?.file ?? f.resource.name))], ['aa-team', 'zz-team', 'aa.yaml', 'zz.yaml']);
  });
});

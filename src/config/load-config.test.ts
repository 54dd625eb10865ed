import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './load-config.js';
import { parseConfig } from './parse-config.js';
import { waiversFromConfig } from './waivers-from-config.js';
import { checkContextFromConfig } from './check-context-from-config.js';
import { LATEST_PSS_VERSION } from '../core/model/check-context.js';

let dir: string;
let n = 0;
/** Writes `text` as `.aspis.yaml` in a fresh folder and returns that folder. */
function project(text: string, name = '.aspis.yaml'): string {
  const cwd = join(dir, `p${n++}`);
  mkdirSync(cwd);
  writeFileSync(join(cwd, name), text);
  return cwd;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'aspis-config-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const VALID = `# Aspis configuration
pssVersion: v1.30
checks:
  disable: [host-ports]
  enable: [allowed-registries]
  severity:
    privileged-containers: medium
settings:
  allowedRegistries: [registry.example.com, ghcr.io/acme]
exceptions:
  - checks: [privileged-containers]
    resources:
      kinds: [DaemonSet]
      namespaces: [kube-system]
      names: ["cilium*"]
      labels:
        matchLabels: { app.kubernetes.io/part-of: cilium }
        matchExpressions:
          - { key: tier, operator: NotIn, values: [test] }
    reason: CNI agent needs host access
    owner: team-net
    expires: 2027-01-31
  - checks: "*"
    resources: { namespaces: [sandbox] }
    reason: throwaway namespace
`;

describe('loadConfig', () => {
  it('discovers .aspis.yaml in cwd and reads every section', () => {
    const cwd = project(VALID);
    const { config, errors, path } = loadConfig({ cwd });
    assert.deepEqual(errors, []);
    assert.equal(path, join(cwd, '.aspis.yaml'));
    assert.equal(config.pssVersion, 'v1.30');
    assert.deepEqual(config.checks, { disable: ['host-ports'], enable: ['allowed-registries'], severity: { 'privileged-containers': 'medium' } });
    assert.deepEqual(config.settings, { allowedRegistries: ['registry.example.com', 'ghcr.io/acme'] });
    assert.equal(config.exceptions?.length, 2);
    assert.equal(config.exceptions?.[0]?.expires, '2027-01-31', 'YAML 1.2: a date stays a string');
    assert.equal(config.origin?.file, '.aspis.yaml');
    assert.deepEqual(config.origin?.locate(['checks', 'severity', 'privileged-containers'], { key: true }), { line: 7, column: 5 });

    const ctx = checkContextFromConfig(config);
    assert.deepEqual(ctx.pssVersion, { major: 1, minor: 30 });
    assert.deepEqual(ctx.settings.allowedRegistries, ['registry.example.com', 'ghcr.io/acme']);
  });

  it('turns exceptions into waivers declared at their line', () => {
    const { config } = loadConfig({ cwd: project(VALID) });
    const waivers = waiversFromConfig(config);
    assert.deepEqual(waivers[0], {
      checks: ['privileged-containers'],
      selector: {
        kinds: ['DaemonSet'],
        namespaces: ['kube-system'],
        names: ['cilium*'],
        labels: { matchLabels: { 'app.kubernetes.io/part-of': 'cilium' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['test'] }] },
      },
      reason: 'CNI agent needs host access',
      owner: 'team-net',
      expires: '2027-01-31',
      source: 'config',
      declaredAt: '.aspis.yaml:11',
    });
    assert.deepEqual(waivers[1], { checks: ['*'], selector: { namespaces: ['sandbox'] }, reason: 'throwaway namespace', source: 'config', declaredAt: '.aspis.yaml:23' });
  });

  it('a config built in code: declaredAt names the entry', () => {
    const config = { exceptions: [{ checks: ['a'], reason: 'r' }] };
    assert.equal(waiversFromConfig(config)[0]!.declaredAt, '.aspis.yaml exceptions[0]');
    assert.equal(waiversFromConfig(config, 'policy.yaml')[0]!.declaredAt, 'policy.yaml exceptions[0]');
  });

  it('no file: defaults, no error', () => {
    const cwd = join(dir, 'empty');
    mkdirSync(cwd);
    const loaded = loadConfig({ cwd });
    assert.deepEqual(loaded, { config: {}, errors: [] });
    assert.deepEqual(checkContextFromConfig(loaded.config).pssVersion, LATEST_PSS_VERSION);
  });

  it('discovers .aspis.yml too, and reports when both exist', () => {
    const cwd = project('pssVersion: v1.29\n', '.aspis.yml');
    assert.equal(loadConfig({ cwd }).config.pssVersion, 'v1.29');
    writeFileSync(join(cwd, '.aspis.yaml'), 'pssVersion: v1.30\n');
    const both = loadConfig({ cwd });
    assert.equal(both.config.pssVersion, 'v1.30');
    assert.equal(both.errors.length, 1);
    assert.match(both.errors[0]!.message, /both \.aspis\.yaml and \.aspis\.yml exist/);
  });

  it('an explicit path must exist', () => {
    const cwd = project(VALID);
    const missing = loadConfig({ cwd, path: 'config/aspis.yaml' });
    assert.deepEqual(missing.errors, [{ source: 'config/aspis.yaml', message: 'configuration file not found' }]);
    assert.deepEqual(missing.config, {});
    assert.match(loadConfig({ cwd, path: '.' }).errors[0]!.message, /is a directory/);
    const explicit = loadConfig({ cwd: dir, path: join(cwd, '.aspis.yaml') });
    assert.deepEqual(explicit.errors, []);
    assert.equal(explicit.config.origin?.file, join(cwd, '.aspis.yaml'));
  });

  it('an unknown top-level key is an error with its line', () => {
    const { config, errors } = loadConfig({ cwd: project('pssVersion: v1.30\nexeptions: []\n') });
    assert.deepEqual(errors, [
      {
        source: '.aspis.yaml',
        line: 2,
        column: 1,
        field: 'exeptions',
        message: 'unknown key "exeptions" (did you mean "exceptions"?); expected pssVersion, checks, settings, exceptions, vulnerabilities',
      },
    ]);
    assert.equal(config.pssVersion, 'v1.30', 'the rest of the file still applies');
  });

  it('unknown nested keys are errors too', () => {
    const { errors } = loadConfig({ cwd: project('checks:\n  disabled: [x]\nexceptions:\n  - checks: [a]\n    reason: r\n    resource: {}\n') });
    assert.deepEqual(errors.map((e) => [e.line, e.column, e.field]), [
      [2, 3, 'checks.disabled'],
      [6, 5, 'exceptions[0].resource'],
    ]);
  });

  it('a bad severity names file:line:column and the field; the override is dropped', () => {
    const { config, errors } = loadConfig({ cwd: project('checks:\n  severity:\n    privileged-containers: hgh\n    host-ports: low\n') });
    assert.deepEqual(errors, [
      {
        source: '.aspis.yaml',
        line: 3,
        column: 28,
        field: 'checks.severity.privileged-containers',
        message: 'expected one of info, low, medium, high, critical, got "hgh"',
      },
    ]);
    assert.deepEqual(config.checks?.severity, { 'host-ports': 'low' });
  });

  it('an invalid exception is reported field by field and left out whole; positions of the others stay right', () => {
    const text = [
      'exceptions:',
      '  - checks: [a]', // 2: missing reason, bad expiry, bad operator
      '    expires: 2027-02-30',
      '    resources:',
      '      labels:',
      '        matchExpressions:',
      '          - { key: app, operator: Equals, values: [x] }',
      '  - checks: [b]', // 8: valid
      '    reason: fine',
      '  - checks: []', // 10: empty list
      '    reason: r',
      '  - checks: [c]', // 12: Exists with values (Kubernetes rule, from the refinement)
      '    reason: r',
      '    resources: { labels: { matchExpressions: [{ key: app, operator: Exists, values: [x] }] } }',
      '  - checks: [d]', // 15: valid
      '    reason: " also fine "',
      '',
    ].join('\n');
    const { config, errors } = loadConfig({ cwd: project(text) });
    assert.deepEqual(
      errors.map((e) => [e.line, e.column, e.field, e.message]),
      [
        [2, 5, 'exceptions[0].reason', 'a reason is required'],
        [3, 14, 'exceptions[0].expires', '"2027-02-30" is not a valid date'],
        [7, 35, 'exceptions[0].resources.labels.matchExpressions[0].operator', '"Equals" is not a valid selector operator: expected In, NotIn, Exists or DoesNotExist'],
        [10, 13, 'exceptions[2].checks', 'list at least one check id, or write "*" for every check'],
        [14, 85, 'exceptions[3].resources.labels.matchExpressions[0].values', 'values must be empty when operator is Exists'],
      ],
    );
    assert.deepEqual(config.exceptions?.map((e) => [e.checks, e.reason]), [[['b'], 'fine'], [['d'], 'also fine']]);
    assert.deepEqual(waiversFromConfig(config).map((w) => w.declaredAt), ['.aspis.yaml:8', '.aspis.yaml:15']);
  });

  it('pssVersion must be "latest" or v1.N, and a YAML number is explained', () => {
    const bad = loadConfig({ cwd: project('pssVersion: 1.30\n') });
    assert.equal(bad.errors[0]!.field, 'pssVersion');
    assert.match(bad.errors[0]!.message, /YAML read the number 1\.3/);
    assert.equal(bad.config.pssVersion, undefined, 'falls back to latest');
    assert.match(loadConfig({ cwd: project('pssVersion: v2.0\n') }).errors[0]!.message, /expected "latest" or v1\.N/);
    assert.deepEqual(loadConfig({ cwd: project('pssVersion: latest\n') }).errors, []);
  });

  it('empty file, comments only, and empty sections are fine', () => {
    assert.deepEqual(loadConfig({ cwd: project('') }).errors, []);
    assert.deepEqual(loadConfig({ cwd: project('# nothing yet\n') }).errors, []);
    const { config, errors } = loadConfig({ cwd: project('checks:\nexceptions:\n  # - checks: [x]\n') });
    assert.deepEqual(errors, []);
    assert.deepEqual(waiversFromConfig(config), []);
  });

  it('YAML syntax errors name the line, and the file is ignored', () => {
    const { config, errors } = loadConfig({ cwd: project('checks:\n  disable: [a, b\npssVersion: v1.30\n') });
    assert.ok(errors.length >= 1);
    assert.equal(errors[0]!.source, '.aspis.yaml');
    assert.equal(typeof errors[0]!.line, 'number');
    assert.match(errors[0]!.message, /the file is ignored/);
    assert.deepEqual(config, {});
    const dup = parseConfig('pssVersion: v1.30\npssVersion: v1.29\n', 'x.yaml');
    assert.deepEqual(dup.errors.map((e) => [e.source, e.line]), [['x.yaml', 2]]);
  });

  it('a file that is not a map is an error', () => {
    const { config, errors } = parseConfig('- a\n- b\n', '.aspis.yaml');
    assert.deepEqual(config, {});
    assert.deepEqual(errors.map((e) => [e.line, e.message]), [[1, 'expected a map (pssVersion, checks, settings, exceptions, vulnerabilities)']]);
  });

  it('a wrong type in a list drops that entry only', () => {
    const { config, errors } = parseConfig('checks:\n  disable: [a, {b: 1}, c]\n', '.aspis.yaml');
    assert.deepEqual(errors.map((e) => [e.line, e.column, e.field]), [[2, 16, 'checks.disable[1]']]);
    assert.deepEqual(config.checks?.disable, ['a', 'c']);
    assert.deepEqual(config.origin?.locate(['checks', 'disable', 1]), { line: 2, column: 24 }, 'indexes map back to the file');
  });
  it('vulnerability exceptions: every field read; a missing reason or a bad purl drops that entry only, naming line and field', () => {
    const text = [
      'vulnerabilities:',
      '  vex: [vex/app.openvex.json]',
      '  exceptions:',
      '    - id: CVE-2023-4911',
      '      package: pkg:deb/debian/glibc',
      '      image: registry.example.com/team/*',
      '      reason: not reachable, no setuid binary uses GLIBC_TUNABLES',
      '      owner: team-base',
      '      expires: 2027-01-31',
      '    - id: CVE-2024-0001',
      '      package: zlib1g',
      '    - id: GHSA-xxxx-yyyy-zzzz',
      '      package: "pkg:"',
      '      reason: x',
      '',
    ].join('\n');
    const { config, errors } = parseConfig(text, '.aspis.yaml');
    assert.deepEqual(
      errors.map((e) => [e.line, e.field, e.message]),
      [
        [10, 'vulnerabilities.exceptions[1].reason', 'a reason is required'],
        [13, 'vulnerabilities.exceptions[2].package', '"pkg:" is not a valid purl (pkg:type/namespace/name@version)'],
      ],
    );
    assert.deepEqual(config.vulnerabilities?.vex, ['vex/app.openvex.json']);
    assert.deepEqual(config.vulnerabilities?.exceptions, [
      {
        id: 'CVE-2023-4911',
        package: 'pkg:deb/debian/glibc',
        image: 'registry.example.com/team/*',
        reason: 'not reachable, no setuid binary uses GLIBC_TUNABLES',
        owner: 'team-base',
        expires: '2027-01-31',
      },
    ]);
    assert.deepEqual(config.origin?.locate(['vulnerabilities', 'exceptions', 0]), { line: 4, column: 7 });
  });
});

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { renderSarif, FINGERPRINT_NAME, fileUri } from './sarif.js';
import { sampleReport } from './testdata/sample-report.js';

// ajv-formats is CommonJS: under NodeNext its plugin is the `default` property of the module object.
const addFormats = addFormatsModule.default;

/** The official OASIS schema (provenance: testdata/README.md). */
const sarifSchema = JSON.parse(readFileSync(new URL('./testdata/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as object;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const compiled = ajv.compile(sarifSchema);
// A plain boolean (not ajv's type guard, which would narrow our `any` logs to `unknown`).
const validate = Object.assign((data: unknown): boolean => compiled(data), {
  get errors() {
    return compiled.errors;
  },
});

/* eslint-disable @typescript-eslint/no-explicit-any */
function render(report = sampleReport()): any {
  return JSON.parse(renderSarif(report));
}

it('validates against the official SARIF 2.1.0 schema', () => {
  const log = render();
  assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
  assert.equal(log.version, '2.1.0');
});

it('also validates for an empty, successful scan', () => {
  const report = { ...sampleReport(), findings: [], waived: [], errors: [], waivers: [] };
  const log = render(report);
  assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
  assert.deepEqual(log.runs[0].results, []);
  assert.equal(log.runs[0].invocations[0].executionSuccessful, true);
});

it('has one rule per check with results, with descriptions, help, helpUri, tags and a default level', () => {
  const driver = render().runs[0].tool.driver;
  assert.equal(driver.name, 'aspis');
  assert.deepEqual(
    driver.rules.map((r: any) => r.id),
    ['host-network', 'privileged-containers', 'rbac-wildcard'],
  );
  const privileged = driver.rules[1];
  assert.equal(privileged.name, 'PrivilegedContainers');
  assert.equal(privileged.shortDescription.text, 'Privileged containers');
  assert.match(privileged.fullDescription.text, /every capability/);
  assert.match(privileged.help.text, /Remove securityContext\.privileged/);
  assert.equal(privileged.helpUri, 'https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline');
  assert.equal(privileged.defaultConfiguration.level, 'error');
  assert.ok(privileged.properties.tags.includes('nsa-cisa:pod-security'));
  assert.equal(privileged.properties['security-severity'], '9.5');
  const wildcard = driver.rules[2];
  assert.equal(wildcard.helpUri, undefined);
  assert.equal(wildcard.defaultConfiguration.level, 'warning');
  assert.ok(wildcard.properties.tags.includes('cis-kubernetes:5.1.3'));
  assert.deepEqual(driver.rules[0].properties.aliases, ['host-network-access']);
});

it('gives results levels, regions, relative URIs, logical locations and stable fingerprints', () => {
  const run = render().runs[0];
  const results = run.results;
  assert.equal(results.length, 4);
  const privileged = results.find((r: any) => r.ruleId === 'privileged-containers');
  assert.equal(privileged.level, 'error');
  assert.equal(run.tool.driver.rules[privileged.ruleIndex].id, 'privileged-containers');
  const [location] = privileged.locations;
  assert.deepEqual(location.physicalLocation, {
    artifactLocation: { uri: 'examples/shop.yaml', uriBaseId: '%SRCROOT%' },
    region: { startLine: 24, startColumn: 13 },
  });
  assert.deepEqual(location.logicalLocations, [
    {
      name: 'frontend',
      fullyQualifiedName: 'Deployment/shop/frontend#spec.template.spec.containers[0].securityContext.privileged',
      kind: 'resource',
    },
  ]);
  assert.equal(results.filter((r: any) => r.level === 'warning').length, 2);
  for (const result of results) assert.match(result.partialFingerprints[FINGERPRINT_NAME], /^[0-9a-f]{32}$/);
  assert.equal(new Set(results.map((r: any) => r.partialFingerprints[FINGERPRINT_NAME])).size, 4);
});

it('keeps fingerprints when lines move and changes them when the field changes', () => {
  const before = render().runs[0].results[2].partialFingerprints[FINGERPRINT_NAME];
  const moved = sampleReport();
  moved.findings[2]!.location!.line += 10;
  assert.equal(render(moved).runs[0].results[2].partialFingerprints[FINGERPRINT_NAME], before);
  const other = sampleReport();
  other.findings[2]!.path = 'spec.template.spec.containers[1].securityContext.privileged';
  assert.notEqual(render(other).runs[0].results[2].partialFingerprints[FINGERPRINT_NAME], before);
});

it('marks waived findings with an external suppression carrying the reason', () => {
  const waived = render().runs[0].results.find((r: any) => r.ruleId === 'host-network');
  assert.equal(waived.level, 'error');
  assert.deepEqual(waived.suppressions, [
    {
      kind: 'external',
      justification: 'debug pod needs node networking until INC-42 is closed',
      properties: { declaredAt: '.aspis.yaml:12', owner: 'platform-team', expires: '2099-12-31' },
    },
  ]);
  const active = render().runs[0].results.filter((r: any) => r.ruleId !== 'host-network');
  for (const result of active) assert.equal(result.suppressions, undefined);
});

it('reports input errors as an unsuccessful invocation with located notifications, and waivers as configuration notifications', () => {
  const invocation = render().runs[0].invocations[0];
  assert.equal(invocation.executionSuccessful, false);
  assert.deepEqual(invocation.toolExecutionNotifications, [
    {
      level: 'error',
      message: { text: 'bad indentation of a mapping entry' },
      descriptor: { id: 'input-error' },
      locations: [
        { physicalLocation: { artifactLocation: { uri: 'examples/broken.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 7, startColumn: 3 } } },
      ],
    },
  ]);
  assert.deepEqual(
    invocation.toolConfigurationNotifications.map((n: any) => [n.level, n.descriptor.id, n.locations[0].physicalLocation.region.startLine]),
    [
      ['warning', 'expired-waiver', 20],
      ['warning', 'unused-waiver', 26],
    ],
  );
});

it('writes file URIs with forward slashes, percent-encoding, and file: for absolute paths', () => {
  assert.deepEqual(fileUri('.\\deploy\\my app.yaml'), { uri: 'deploy/my%20app.yaml', absolute: false });
  assert.deepEqual(fileUri('./k8s/#1.yaml'), { uri: 'k8s/%231.yaml', absolute: false });
  assert.deepEqual(fileUri('/srv/k8s/app.yaml'), { uri: 'file:///srv/k8s/app.yaml', absolute: true });
  assert.deepEqual(fileUri('C:\\k8s\\app.yaml'), { uri: 'file:///C:/k8s/app.yaml', absolute: true });
});

it('still validates with absolute paths, stdin, object-level errors and findings without a location', () => {
  const report = sampleReport();
  report.findings[0]!.location = { file: '/srv/k8s/rbac.yaml', line: 8, column: 5 };
  delete report.findings[1]!.location;
  report.objects[3]!.file = '-';
  report.errors.push({ source: 'Deployment/shop/frontend', message: 'check x failed: boom' }, { source: '-', line: 3, message: 'bad' });
  const log = render(report);
  assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
  const results = log.runs[0].results;
  assert.equal(results[0].locations[0].physicalLocation.artifactLocation.uri, 'file:///srv/k8s/rbac.yaml');
  assert.equal(results[1].locations[0].physicalLocation, undefined);
  assert.equal(results[1].locations[0].logicalLocations[0].fullyQualifiedName, 'ClusterRole/ops:<all>&"more"#rules[0].resources');
  const notifications = log.runs[0].invocations[0].toolExecutionNotifications;
  assert.equal(notifications[1].locations[0].logicalLocations[0].fullyQualifiedName, 'Deployment/shop/frontend');
  assert.equal(notifications[2].locations, undefined);
});

it('the schema check has teeth: a wrong level or a malformed URI is rejected', () => {
  const badLevel = render();
  badLevel.runs[0].results[0].level = 'critical';
  assert.equal(validate(badLevel), false);
  const badUri = render();
  badUri.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri = 'exa mples/\\bad.yaml';
  assert.equal(validate(badUri), false);
});

it('describes rules from report.checks, and still gives a rule to findings of a check missing there', () => {
  const report = sampleReport();
  report.checks = report.checks.filter((check) => check.id !== 'rbac-wildcard');
  const log = render(report);
  assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
  const [hostNetwork, privileged, wildcard] = log.runs[0].tool.driver.rules;
  assert.equal(privileged.shortDescription.text, 'Privileged containers');
  assert.deepEqual(hostNetwork.properties.controls, [{ framework: 'nsa-cisa', id: 'pod-security', title: 'Kubernetes Pod security' }]);
  assert.equal(wildcard.id, 'rbac-wildcard');
  assert.equal(wildcard.shortDescription.text, 'rbac-wildcard');
  assert.equal(wildcard.defaultConfiguration.level, 'warning');
  assert.equal(wildcard.help, undefined);
  const result = log.runs[0].results.find((r: any) => r.ruleId === 'rbac-wildcard');
  assert.equal(result.properties.category, undefined);
  assert.equal(log.runs[0].results.find((r: any) => r.ruleId === 'privileged-containers').properties.category, 'pod-security');
});

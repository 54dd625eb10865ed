import { it } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { renderJunit, escapeAttribute, INPUT_ERRORS_SUITE } from './junit.js';
import { sampleReport, SAMPLE_CHECKS } from './testdata/sample-report.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) });

function render(report = sampleReport()): { xml: string; doc: any } {
  const xml = renderJunit(report, { checks: SAMPLE_CHECKS });
  const valid = XMLValidator.validate(xml);
  assert.equal(valid, true, JSON.stringify(valid));
  return { xml, doc: parser.parse(xml) };
}

function suite(doc: any, name: string): any {
  return doc.testsuites.testsuite.find((s: any) => s.name === name);
}

it('is well-formed XML with totals on <testsuites>', () => {
  const { xml, doc } = render();
  assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites '));
  const root = doc.testsuites;
  // host-network: Deployment passes, Pod waived; privileged-containers: Deployment fails, Pod passes;
  // rbac-wildcard: the ClusterRole fails; plus one input error. The ConfigMap is targeted by no check.
  assert.deepEqual([root.tests, root.failures, root.errors, root.skipped], ['6', '2', '1', '1']);
  assert.deepEqual(
    root.testsuite.map((s: any) => [s.name, s.tests, s.failures, s.errors, s.skipped]),
    [
      ['host-network', '2', '0', '0', '1'],
      ['privileged-containers', '2', '1', '0', '0'],
      ['rbac-wildcard', '1', '1', '0', '0'],
      [INPUT_ERRORS_SUITE, '1', '0', '1', '0'],
    ],
  );
});

it('fails a (check, object) case with every violation, file:line and field path in the body', () => {
  const { doc } = render();
  const [role] = suite(doc, 'rbac-wildcard').testcase;
  assert.equal(role.name, 'ClusterRole/ops:<all>&"more"');
  assert.equal(role.classname, 'aspis.rbac-wildcard');
  assert.equal(role.file, 'examples/rbac.yaml');
  assert.equal(role.failure.type, 'medium');
  assert.equal(role.failure.message, '2 findings; first: rule grants verbs ["*"] on <every> resource & more');
  const body: string = role.failure['#text'];
  assert.match(body, /medium rbac-wildcard at examples\/rbac\.yaml:8:5\n/);
  assert.match(body, /field: rules\[0\]\.verbs\n/);
  assert.match(body, /examples\/rbac\.yaml:9:5\n[\s\S]*field: rules\[0\]\.resources/);
  assert.match(body, /remediation: List the verbs/);
  // Suite properties come from report.checks.
  assert.deepEqual(
    suite(doc, 'rbac-wildcard').properties.property.map((p: any) => [p.name, p.value]),
    [
      ['title', 'Wildcard RBAC rules'],
      ['severity', 'medium'],
      ['category', 'rbac'],
    ],
  );
  const deployment = suite(doc, 'privileged-containers').testcase.find((c: any) => c.name === 'Deployment/shop/frontend');
  assert.equal(deployment.failure.message, 'container "web" must not set securityContext.privileged=true');
  assert.match(deployment.failure['#text'], /at examples\/shop\.yaml:24:13\n[\s\S]*field: spec\.template\.spec\.containers\[0\]\.securityContext\.privileged\n[\s\S]*evidence: true/);
});

it('passes objects a check targets without findings, and skips waived ones with the reason', () => {
  const { doc } = render();
  const pod = suite(doc, 'privileged-containers').testcase.find((c: any) => c.name === 'Pod/shop/debug');
  assert.equal(pod.failure, undefined);
  assert.equal(pod.skipped, undefined);
  const waived = suite(doc, 'host-network').testcase.find((c: any) => c.name === 'Pod/shop/debug');
  assert.equal(waived.skipped.message, 'waived: debug pod needs node networking until INC-42 is closed (.aspis.yaml:12)');
  const names = doc.testsuites.testsuite.flatMap((s: any) => s.testcase.map((c: any) => c.name));
  assert.ok(!names.includes('ConfigMap/shop/settings'));
});

it('reports input errors as <error> test cases naming file:line', () => {
  const { doc } = render();
  const [error] = suite(doc, INPUT_ERRORS_SUITE).testcase;
  assert.equal(error.name, 'examples/broken.yaml:7:3');
  assert.equal(error.error.type, 'input-error');
  assert.equal(error.error['#text'], 'examples/broken.yaml:7:3: bad indentation of a mapping entry');
});

it('escapes markup and characters XML cannot carry, and stays well-formed', () => {
  const report = sampleReport();
  report.findings[0]!.message = 'a ]]> b <x/> "q" \'s\' & \u0007 bell \ud800 lone';
  const { xml, doc } = render(report);
  assert.doesNotMatch(xml, /\u0007|\ud800/);
  const [role] = suite(doc, 'rbac-wildcard').testcase;
  assert.match(role.failure.message, /^2 findings; first: a ]]> b <x\/> "q" 's' & \\u0007 bell \\ud800 lone$/);
  assert.equal(escapeAttribute('a\nb'), 'a&#10;b');
});

it('has a suite for a check that produced findings even when it is not in the list of checks', () => {
  const xml = renderJunit(sampleReport(), { checks: [] });
  const doc = parser.parse(xml);
  assert.deepEqual(
    doc.testsuites.testsuite.map((s: any) => [s.name, s.tests]),
    [
      ['host-network', '1'],
      ['privileged-containers', '1'],
      ['rbac-wildcard', '1'],
      [INPUT_ERRORS_SUITE, '1'],
    ],
  );
});

import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { Report } from '../core/model/report.js';
import { renderTable } from './table.js';
import { sampleReport } from './testdata/sample-report.js';

const ANSI = /\u001b\[/;

it('groups findings by object with file:line, check ids, lines, field paths and messages', () => {
  const text = renderTable(sampleReport(), { color: false });
  assert.match(text, /^ClusterRole\/ops:<all>&"more"  examples\/rbac\.yaml:1$/m);
  assert.match(text, /^Deployment\/shop\/frontend  examples\/shop\.yaml:1$/m);
  assert.match(
    text,
    /^  critical  privileged-containers  +24  spec\.template\.spec\.containers\[0\]\.securityContext\.privileged  container "web" must not set securityContext\.privileged=true$/m,
  );
  assert.match(text, /^  medium    rbac-wildcard  +8  rules\[0\]\.verbs/m);
  // Both ClusterRole findings sit under one heading, before the Deployment (the producer's order).
  assert.ok(text.indexOf('ClusterRole/') < text.indexOf('Deployment/'));
  assert.equal(text.match(/^ClusterRole\//gm)?.length, 1);
});

it('lists waived findings, errors with file:line, and waivers that need attention', () => {
  const text = renderTable(sampleReport(), { color: false });
  assert.match(text, /^Waived findings \(1\)\n  high {6}host-network  Pod\/shop\/debug spec\.hostNetwork: debug pod needs node networking until INC-42 is closed \(\.aspis\.yaml:12, platform-team, expires 2099-12-31\)$/m);
  assert.match(text, /^Errors \(1\)\n  examples\/broken\.yaml:7:3: bad indentation of a mapping entry$/m);
  assert.match(text, /^  \.aspis\.yaml:20  expired  expired on 2025-01-01/m);
  assert.match(text, /^  \.aspis\.yaml:26  unused  matched no finding$/m);
});

it('ends with a summary: objects, findings by severity, waived, errors, expired and unused waivers', () => {
  const text = renderTable(sampleReport(), { color: false });
  assert.match(
    text,
    /Summary\n  objects scanned  4\n  findings         3  \(critical 1, medium 2\)\n  waived           1\n  errors           1\n  waivers          1 expired, 1 unused\n$/,
  );
});

it('has no ANSI codes without colour, and colours severities with it', () => {
  assert.doesNotMatch(renderTable(sampleReport(), { color: false }), ANSI);
  const coloured = renderTable(sampleReport(), { color: true });
  assert.match(coloured, /\u001b\[1;31mcritical/);
  assert.match(coloured, /\u001b\[33mmedium/);
});

it('escapes control characters coming from the input, so a manifest cannot drive the terminal', () => {
  const report = sampleReport();
  report.findings[0]!.message = 'evil \u001b[2J message';
  const text = renderTable(report, { color: false });
  assert.doesNotMatch(text, ANSI);
  assert.match(text, /evil \\u001b\[2J message/);
});

it('says so when there is nothing to report', () => {
  const empty: Report = {
    ...sampleReport(),
    summary: { objects: 1, findings: 0, waived: 0, errors: 0, bySeverity: { info: 0, low: 0, medium: 0, high: 0, critical: 0 } },
    findings: [],
    waived: [],
    waivers: [],
    errors: [],
  };
  const text = renderTable(empty, { color: false });
  assert.match(text, /^No findings\.$/m);
  assert.match(text, /waivers          none expired or unused\n$/);
});

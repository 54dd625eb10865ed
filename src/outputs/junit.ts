/**
 * JUnit XML for CI test-report views (GitLab `artifacts:reports:junit`, Jenkins `junit`, Azure DevOps…).
 *
 * Layout: one <testsuite> per check, one <testcase> per (check, object) the check applies to.
 * - Suites per check rather than per object because CI systems track a test's history by suite/class + name:
 *   the check id and the object ref are stable across runs, while the set of objects and their lines change.
 *   GitLab then reports "newly failed" / "fixed" cases between a branch and its target, and Jenkins shows a
 *   per-check package (classname `aspis.<check-id>`) with one test per object and its trend.
 * - The testcase name is the object (`Kind/namespace/name`); `file` is the manifest it came from (GitLab links it).
 *   Lines live in the failure body, not in the name, so that moving a manifest's lines keeps the same test.
 * - A case fails when the check has findings in effect on the object (one <failure>, every violation in the body),
 *   is skipped when all its findings are waived, and passes otherwise.
 * - Passing cases: every object the check targets by its declaration (workloads, kinds, or the kinds an
 *   inventory check reads) among `report.objects`. `options.checks` must therefore be the checks that ran.
 * - Titles, categories and remediations come from `report.checks`.
 * - Input errors form one more suite, "aspis input errors", with an <error> per error.
 */
import type { Check } from '../core/model/check.js';
import { isInventoryCheck, isObjectCheck, isWorkloadCheck } from '../core/model/check.js';
import type { Finding } from '../core/model/finding.js';
import type { CheckSummary, Report } from '../core/model/report.js';
import type { ResourceRef } from '../core/model/resource.js';
import { formatRef, groupOf } from '../core/model/resource.js';
import { POD_TEMPLATE_PATHS } from '../core/k8s/workload-kinds.js';
import { findingPosition, formatErrorSource, formatPosition, objectsByRef, refKey } from './text.js';
import { compareText } from '../core/model/text-order.js';

export interface JunitOptions {
  /** The checks that ran: each gets a suite, with a passing case per targeted object without findings. */
  checks: readonly Check[];
}

export const INPUT_ERRORS_SUITE = 'aspis input errors';

interface Case {
  ref: ResourceRef;
  file?: string;
  active: Finding[];
  waived: Finding[];
}

export function renderJunit(report: Report, options: JunitOptions): string {
  const objects = objectsByRef(report);
  const summaryOf = new Map(report.checks.map((check) => [check.id, check]));

  // Suites: every check that ran, plus any check that produced findings without being listed.
  const suites = new Map<string, Map<string, Case>>();
  const suiteOf = (checkId: string) => {
    let suite = suites.get(checkId);
    if (!suite) suites.set(checkId, (suite = new Map()));
    return suite;
  };
  for (const check of [...options.checks].sort((a, b) => compareText(a.id, b.id))) {
    const suite = suiteOf(check.id);
    for (const object of report.objects) {
      if (!targets(check, object.resource)) continue;
      const key = refKey(object.resource);
      if (!suite.has(key)) suite.set(key, { ref: object.resource, ...(object.file !== undefined ? { file: object.file } : {}), active: [], waived: [] });
    }
  }
  const add = (finding: Finding, list: 'active' | 'waived') => {
    const suite = suiteOf(finding.checkId);
    const key = refKey(finding.resource);
    let testCase = suite.get(key);
    if (!testCase) {
      const file = findingPosition(finding, objects)?.file;
      suite.set(key, (testCase = { ref: finding.resource, ...(file !== undefined ? { file } : {}), active: [], waived: [] }));
    }
    testCase[list].push(finding);
  };
  for (const finding of report.findings) add(finding, 'active');
  for (const finding of report.waived) add(finding, 'waived');

  const body: string[] = [];
  let totalTests = 0;
  let totalFailures = 0;
  let totalSkipped = 0;
  for (const checkId of [...suites.keys()].sort(compareText)) {
    const cases = [...suites.get(checkId)!.values()];
    const failures = cases.filter((c) => c.active.length > 0).length;
    const skipped = cases.filter((c) => c.active.length === 0 && c.waived.length > 0).length;
    totalTests += cases.length;
    totalFailures += failures;
    totalSkipped += skipped;
    const check = summaryOf.get(checkId);
    const sample = cases.flatMap((c) => [...c.active, ...c.waived])[0];
    body.push(`  <testsuite${attrs({ name: checkId, tests: cases.length, failures, errors: 0, skipped })}>`);
    const properties = { title: check?.title, severity: check?.severity ?? sample?.severity, category: check?.category };
    body.push('    <properties>');
    for (const [name, value] of Object.entries(properties)) {
      if (value !== undefined) body.push(`      <property${attrs({ name, value })}/>`);
    }
    body.push('    </properties>');
    for (const testCase of cases) body.push(...renderCase(checkId, testCase, objects, summaryOf.get(checkId)));
    body.push('  </testsuite>');
  }

  if (report.errors.length > 0) {
    body.push(`  <testsuite${attrs({ name: INPUT_ERRORS_SUITE, tests: report.errors.length, failures: 0, errors: report.errors.length, skipped: 0 })}>`);
    for (const error of report.errors) {
      const where = formatErrorSource(error);
      const text = `${where}: ${error.field ? `${error.field}: ` : ''}${error.message}`;
      body.push(
        `    <testcase${attrs({ name: where, classname: 'aspis.input' })}>`,
        `      <error${attrs({ message: error.message, type: 'input-error' })}>${escapeText(text)}</error>`,
        '    </testcase>',
      );
    }
    body.push('  </testsuite>');
  }

  const totalErrors = report.errors.length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: 'aspis', tests: totalTests + totalErrors, failures: totalFailures, errors: totalErrors, skipped: totalSkipped })}>`,
    ...body,
    '</testsuites>',
    '',
  ].join('\n');
}

function renderCase(
  checkId: string,
  testCase: Case,
  objects: ReturnType<typeof objectsByRef>,
  check: CheckSummary | undefined,
): string[] {
  const head = `    <testcase${attrs({ name: formatRef(testCase.ref), classname: `aspis.${checkId}`, file: testCase.file })}`;
  if (testCase.active.length === 0 && testCase.waived.length === 0) return [`${head}/>`];
  const lines = [`${head}>`];
  if (testCase.active.length > 0) {
    const first = testCase.active[0]!;
    const message =
      testCase.active.length === 1 ? first.message : `${testCase.active.length} findings; first: ${first.message}`;
    const text = [...testCase.active, ...testCase.waived].map((f) => describe(f, objects, check)).join('\n\n');
    lines.push(`      <failure${attrs({ message, type: first.severity })}>${escapeText(text)}</failure>`);
  } else {
    const waivers = [...new Set(testCase.waived.map((f) => (f.waiver ? `${f.waiver.reason} (${f.waiver.declaredAt})` : 'waived')))];
    lines.push(`      <skipped${attrs({ message: `waived: ${waivers.join('; ')}` })}/>`);
  }
  lines.push('    </testcase>');
  return lines;
}

/** The failure body of one finding: where, which field, what, the evidence, how to fix, and any waiver. */
function describe(finding: Finding, objects: ReturnType<typeof objectsByRef>, check: CheckSummary | undefined): string {
  const position = findingPosition(finding, objects);
  const lines = [
    `${finding.severity} ${finding.checkId} ${finding.waiver ? '(waived) ' : ''}at ${position ? formatPosition(position.file, position.line, position.column) : formatRef(finding.resource)}`,
    `object: ${formatRef(finding.resource)}`,
    `field: ${finding.path || '(object)'}`,
    `message: ${finding.message}`,
  ];
  if (finding.evidence !== undefined) lines.push(`evidence: ${JSON.stringify(finding.evidence)}`);
  if (check) lines.push(`remediation: ${check.remediation}`);
  if (finding.waiver) lines.push(`waiver: ${finding.waiver.reason} (${finding.waiver.declaredAt})`);
  return lines.join('\n');
}

/** Whether a check's declaration covers an object, read from the check's `target` (never from its id). */
function targets(check: Check, ref: ResourceRef): boolean {
  if (isWorkloadCheck(check)) {
    const entry = POD_TEMPLATE_PATHS[ref.kind];
    if (!entry) return false;
    const group = groupOf(ref.apiVersion);
    return ref.apiVersion === '' || group === entry.group || (entry.group === 'apps' && group === 'extensions');
  }
  if (isObjectCheck(check)) return check.target.kinds.includes(ref.kind);
  if (isInventoryCheck(check)) return check.target.inventory.includes(ref.kind);
  return false;
}

function attrs(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ` ${name}="${escapeAttribute(String(value))}"`)
    .join('');
}

/** Characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF), shown escaped. */
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function xmlSafe(text: string): string {
  return text.replace(NOT_XML, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function escapeText(text: string): string {
  return xmlSafe(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttribute(text: string): string {
  return escapeText(text)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

/**
 * Findings kept as rendered runs (src/scan/finding-run.ts, finding-order.ts, run-selection.ts) must give exactly what
 * the report gave when it kept objects: the same order as a stable sort of all findings in run order by file, line,
 * object, check and path, and the same JSON text per finding, with a waiver as the last key. Checked against that
 * direct definition on generated findings spread over runs in any order (fast-check).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Finding } from '../../src/core/model/finding.js';
import { formatRef } from '../../src/core/model/resource.js';
import type { ResourceRef } from '../../src/core/model/resource.js';
import { SEVERITIES } from '../../src/core/model/severity.js';
import { attachRenderedFindings, renderedFindingsOf } from '../../src/core/model/rendered-findings.js';
import type { Report } from '../../src/core/model/report.js';
import { FindingRunBuilder, findingRunOf, findingText, runLength } from '../../src/scan/finding-run.js';
import { orderFindings } from '../../src/scan/finding-order.js';
import { RunSelection } from '../../src/scan/run-selection.js';

const refs: ResourceRef[] = [
  { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'a', name: 'web' },
  { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'b', name: 'api' },
  { apiVersion: 'v1', kind: 'Namespace', name: 'a' },
  { apiVersion: 'v1', kind: 'Pod', namespace: 'a', name: 'Web' },
];

const finding: fc.Arbitrary<Finding> = fc
  .record({
    checkId: fc.constantFrom('run-as-non-root', 'privileged', 'host-path', 'Privileged'),
    severity: fc.constantFrom(...SEVERITIES),
    resource: fc.constantFrom(...refs),
    path: fc.constantFrom('spec', 'spec.containers[0]', 'spec.containers[10]', 'spec.containers[2]', 'métadata.name'),
    location: fc.option(fc.record({ file: fc.constantFrom('a.yaml', 'b.yaml', 'B.yaml', 'dir/a.yaml', '\u00e9.yaml', 'e\u0301.yaml'), line: fc.integer({ min: 1, max: 6 }), column: fc.integer({ min: 1, max: 3 }) }), { nil: undefined }),
    message: fc.string({ maxLength: 8 }),
    evidence: fc.option(fc.oneof(fc.string({ maxLength: 5 }), fc.record({ n: fc.integer() })), { nil: undefined }),
  })
  .map(({ location, evidence, ...rest }) => {
    // Keys in the order toFinding builds them.
    const built: Finding = { checkId: rest.checkId, severity: rest.severity, resource: rest.resource, path: rest.path, ...(location ? { location } : {}), message: rest.message };
    if (evidence !== undefined) built.evidence = evidence;
    return built;
  });

/** The report's order as the object pipeline defined it: a stable sort by file, line, object, check, path. */
function sortedDirectly(findings: Finding[]): Finding[] {
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...findings].sort(
    (a, b) =>
      compare(a.location?.file ?? '', b.location?.file ?? '') ||
      (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
      compare(formatRef(a.resource), formatRef(b.resource)) ||
      compare(a.checkId, b.checkId) ||
      compare(a.path, b.path),
  );
}

describe('rendered finding runs', () => {
  it('order findings of many runs as one stable sort of all of them, and render each as JSON.stringify does', () => {
    fc.assert(
      fc.property(fc.array(fc.array(finding, { maxLength: 12 }), { maxLength: 6 }), (batches) => {
        const runs = batches.map((findings) => findingRunOf(findings, findings.map(() => -1)));
        const selection = new RunSelection(runs);
        for (const { run, start, end } of orderFindings(runs)) for (let i = start; i < end; i++) selection.add(run, i);
        const expected = sortedDirectly(batches.flat());
        assert.deepEqual([...selection.texts()], expected.map((f) => JSON.stringify(f)));
        assert.equal([...selection.joined()].join(',\n'), expected.map((f) => JSON.stringify(f)).join(',\n'));
        assert.equal(selection.length, expected.length);
      }),
      { numRuns: 400 },
    );
  });

  it('keep runs that are already in order as whole ranges, and merge a later run after its equals', () => {
    const at = (file: string, line: number, checkId = 'privileged'): Finding => ({
      checkId,
      severity: 'high',
      resource: refs[0]!,
      path: 'spec',
      location: { file, line, column: 1 },
      message: `${file}:${line}`,
    });
    const runs = [
      findingRunOf([at('a.yaml', 1), at('a.yaml', 3)], [0, 1]),
      findingRunOf([at('b.yaml', 1), at('b.yaml', 2)], [0, 1]),
      // inventory findings come last: one equal to a.yaml:3 (goes after it), one between the files' findings
      findingRunOf([at('a.yaml', 3), at('b.yaml', 1, 'zzz')], [-1, -1]),
    ];
    assert.deepEqual(orderFindings(runs), [
      { run: 0, start: 0, end: 2 },
      { run: 2, start: 0, end: 1 },
      { run: 1, start: 0, end: 1 },
      { run: 2, start: 1, end: 2 },
      { run: 1, start: 1, end: 2 },
    ]);
  });

  it('add a waiver as the last key of a waived finding, as { ...finding, waiver } does', () => {
    fc.assert(
      fc.property(finding, fc.record({ source: fc.constantFrom('config' as const, 'annotation' as const), reason: fc.string(), declaredAt: fc.string() }), (f, waiver) => {
        const runs = [findingRunOf([f], [0])];
        const selection = new RunSelection(runs);
        selection.add(0, 0, waiver);
        assert.deepEqual([...selection.texts()], [JSON.stringify({ ...f, waiver })]);
        assert.deepEqual([...selection.joined()], [JSON.stringify({ ...f, waiver })]);
      }),
    );
  });

  it('are the same built a batch at a time (owners counted from the first object of each batch) as built at once', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.tuple(finding, fc.integer({ min: -1, max: 4 })), { maxLength: 10 }), { maxLength: 5 }), (batches) => {
        const builder = new FindingRunBuilder();
        const owners: number[] = [];
        let base = 0;
        for (const batch of batches) {
          builder.add(batch.map(([f]) => f), batch.map(([, owner]) => owner), base);
          for (const [, owner] of batch) owners.push(owner < 0 ? -1 : base + owner);
          base += 5; // each batch has 5 objects
        }
        assert.deepEqual(builder.build(), findingRunOf(batches.flat().map(([f]) => f), owners));
      }),
      { numRuns: 300 },
    );
  });

  it('keep each finding readable on its own: text, object and columns', () => {
    const findings: Finding[] = [
      { checkId: 'b', severity: 'low', resource: refs[1]!, path: 'spec', message: 'second' },
      { checkId: 'a', severity: 'critical', resource: refs[0]!, path: 'spec', message: 'first' },
    ];
    const run = findingRunOf(findings, [7, 3]);
    assert.equal(runLength(run), 2);
    assert.equal(findingText(run, 0), JSON.stringify(findings[1]));
    assert.deepEqual(JSON.parse(findingText(run, 1)), findings[0]);
    assert.deepEqual([...run.owners], [3, 7]);
    assert.deepEqual([...run.severities].map((s) => SEVERITIES[s]), ['critical', 'low']);
  });
});

describe('a report whose findings are rendered', () => {
  const report = (): Report =>
    ({ schemaVersion: 1, summary: {}, findings: [], waived: [], errors: [] }) as unknown as Report;

  it('builds the findings as objects when they are first read, in the key order of the report', () => {
    const f: Finding = { checkId: 'a', severity: 'low', resource: refs[0]!, path: 'spec', message: 'm' };
    const r = report();
    const list = { length: 1, texts: () => [JSON.stringify(f)], joined: () => [JSON.stringify(f)] };
    attachRenderedFindings(r, 'findings', list);
    assert.equal(renderedFindingsOf(r, 'findings'), list);
    assert.deepEqual(Object.keys(r), ['schemaVersion', 'summary', 'findings', 'waived', 'errors']);
    assert.deepEqual(r.findings, [f]);
    // Once read, the objects are the report's own: no longer rendered, the same array on every read.
    assert.equal(renderedFindingsOf(r, 'findings'), undefined);
    assert.equal(r.findings, r.findings);
    assert.deepEqual(Object.keys(r), ['schemaVersion', 'summary', 'findings', 'waived', 'errors']);
  });

  it('takes an assigned list instead of its text', () => {
    const r = report();
    attachRenderedFindings(r, 'waived', { length: 1, texts: () => ['{}'], joined: () => ['{}'] });
    r.waived = [];
    assert.deepEqual(r.waived, []);
    assert.equal(renderedFindingsOf(r, 'waived'), undefined);
  });
});

/**
 * Cross-check against kube-score's own test expectations (zegl/kube-score score/testdata + expected-grades.csv, see
 * the corpus PROVENANCE.md). For the kube-score checks that Aspis expresses exactly, every row's verdict (AllOK =
 * pass; Warning or Critical = fail) must equal the verdict of the Aspis check on the same object — the first object of
 * the input the check applies to (for workload checks, the first that carries a pod spec), as kube-score's test
 * helper picks the first object that has the check. Rows run
 * with kube-score options Aspis has no equivalent for are listed in NOT_COMPARABLE; disagreements are listed in
 * EXPLAINED with the reason. An unexplained disagreement fails, and so does a listed row that no longer needs listing.
 * The agreement figures are printed as one JSON line.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir, readCsv } from './corpus-location.js';
import { ALL_CHECKS } from '../../src/checks/index.js';
import { isInventoryCheck, isWorkloadCheck } from '../../src/core/model/check.js';
import { defaultCheckContext } from '../../src/core/model/check-context.js';
import { refOf } from '../../src/core/model/resource.js';
import { runChecks } from '../../src/core/engine/run-checks.js';
import { workloadOf } from '../../src/core/k8s/workload.js';
import { parseDocuments } from '../../src/sources/manifests/parse-documents.js';

const root = corpusDir('kube-score');
const rows = readCsv(readFileSync(join(root, 'expected-grades.csv'), 'utf8'));
const [FILES, CHECK, GRADE, CONFIG] = Object.keys(rows[0] ?? {}).slice(2, 6) as [string, string, string, string];

/** kube-score check name → the Aspis check that expresses it. */
const MAPPED: Readonly<Record<string, string>> = {
  'Container Resources': 'resource-limits',
  'Container Image Tag': 'image-tag-latest',
  'Container Security Context ReadOnlyRootFilesystem': 'readonly-root-filesystem',
  'Service Type': 'node-port-services',
};

/** Rows (by upstream test function) whose run configuration has no Aspis equivalent. */
const NOT_COMPARABLE: Readonly<Record<string, string>> = {
  TestPodContainerResourceLimitCpuNotRequired:
    'run with IgnoreContainerCpuLimitRequirement: true; Aspis has no option to waive the CPU limit (use a waiver)',
  TestPodContainerResourceNoLimitRequired:
    'run with IgnoreContainerCpuLimitRequirement and IgnoreContainerMemoryLimitRequirement; no such Aspis option',
  TestStatefulsetTemplateIgnores: 'asserts that the kube-score/ignore annotation skips the check, not a verdict',
  TestStatefulsetTemplateIgnoresNotIgnoredWhenFlagDisabled: 'asserts only that the check runs (NotSkipped), no grade',
};

/** Rows where Aspis deliberately gives another verdict, with the reason. */
const EXPLAINED: Readonly<Record<string, string>> = {
  TestDeploymentResources:
    'limits without requests: kube-score warns; Kubernetes defaults each unset request to its limit, so the ' +
    'container has requests and Aspis reports nothing',
  TestPodContainerResourceLimits: 'same: requests default to the limits that are set',
  TestStatefulSetResources: 'same: requests default to the limits that are set',
};

const checks = new Map(ALL_CHECKS.filter((c) => !isInventoryCheck(c)).map((c) => [c.id, c]));

describe('kube-score corpus', () => {
  const relevant = rows.filter((r) => MAPPED[r[CHECK]!] !== undefined);
  const figures = { rows: relevant.length, compared: 0, agree: 0, explained: 0, notComparable: 0 };
  const seenExplained = new Set<string>();
  const seenNotComparable = new Set<string>();

  it('has rows for every mapped kube-score check', () => {
    for (const name of Object.keys(MAPPED)) assert.ok(relevant.some((r) => r[CHECK] === name), `no rows for ${name}`);
    for (const id of Object.values(MAPPED)) assert.ok(checks.has(id), `no workload or object check ${id}`);
  });

  for (const row of relevant) {
    const func = row['test_func']!;
    it(`${func}: ${row[CHECK]} = ${row[GRADE]}`, () => {
      if (NOT_COMPARABLE[func]) {
        seenNotComparable.add(func);
        figures.notComparable++;
        return;
      }
      const check = checks.get(MAPPED[row[CHECK]!]!)!;
      const files = row[FILES]!.split(';').filter((f) => f !== '');
      const objects = files.flatMap((f) => {
        const parsed = parseDocuments(readFileSync(join(root, 'score', 'testdata', f), 'utf8'));
        assert.deepEqual(parsed.errors, [], `${f} does not parse`);
        return parsed.documents.map((d) => d.object);
      });
      const object = isWorkloadCheck(check)
        ? objects.find((o) => workloadOf(o) !== undefined)
        : objects.find((o) => 'kinds' in check.target && check.target.kinds.includes(String(o.kind)));
      assert.ok(object, `no object ${check.id} applies to in ${files.join(', ')} (config ${row[CONFIG]})`);
      const run = runChecks([{ object, ref: refOf(object), origin: { type: 'cluster' } }], [check], defaultCheckContext());
      assert.deepEqual(run.failures, []);
      const ours = run.findings.length > 0 ? 'fail' : 'pass';
      const theirs = row[GRADE] === 'AllOK' ? 'pass' : row[GRADE] === 'Warning' || row[GRADE] === 'Critical' ? 'fail' : undefined;
      assert.ok(theirs, `unexpected grade ${row[GRADE]}`);
      figures.compared++;
      if (ours === theirs) {
        assert.equal(EXPLAINED[func], undefined, `${func} agrees now: remove its explanation`);
        figures.agree++;
        return;
      }
      assert.ok(EXPLAINED[func], `unexplained disagreement on ${func}: kube-score ${theirs}, Aspis ${check.id} ${ours}`);
      seenExplained.add(func);
      figures.explained++;
    });
  }

  it('lists no row that the corpus does not have', () => {
    const funcs = new Set(relevant.map((r) => r['test_func']));
    assert.deepEqual(Object.keys(EXPLAINED).filter((f) => !funcs.has(f)), []);
    assert.deepEqual(Object.keys(NOT_COMPARABLE).filter((f) => !funcs.has(f)), []);
    assert.deepEqual([...Object.keys(EXPLAINED)].filter((f) => !seenExplained.has(f)), []);
    assert.deepEqual([...Object.keys(NOT_COMPARABLE)].filter((f) => !seenNotComparable.has(f)), []);
    console.log(JSON.stringify({ corpus: 'kube-score', ...figures }));
  });
});

/**
 * Oracle: the PodSecurity admission fixtures of k8s.io/pod-security-admission (test/testdata), every fixture at every
 * upstream policy version v1.0…v1.37 its stored folder stands for (versions-map.json). Aspis must give the same
 * verdict at that level+version; a denial must come from the Aspis check mapped to the fixture's PSA check (or from
 * the restricted check that replaces it at that version, as PodSecurity does) with PSA's error substring in the
 * message. The corpus is never edited; a missing corpus fails the suite.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import jsyaml from 'js-yaml';
import { corpusDir, readCsv } from './corpus-location.js';
import { workloadOf } from '../../src/core/k8s/workload.js';
import type { KubeObject } from '../../src/core/model/resource.js';
import { formatFieldPath } from '../../src/core/model/field-path.js';
import { parsePssVersion } from '../../src/core/model/check-context.js';
import { aspisCheckIdOf, pssEvaluate, pssOverriderOf } from '../../src/frameworks/pss.js';

const root = corpusDir('pod-security-admission');
const index = readCsv(readFileSync(join(root, 'index.csv'), 'utf8'));
const versionsMap = JSON.parse(readFileSync(join(root, 'versions-map.json'), 'utf8')) as Record<
  string,
  Record<string, { stored_as: string }> | string
>;
const LEVELS = ['baseline', 'restricted'] as const;

/**
 * Checks a fail fixture also violates by construction (upstream generates each from the minimal pod, and some
 * violations drag others in). Any other extra check firing is a disagreement.
 *  - windowsHostProcess: a HostProcess pod must also set hostNetwork: true (pod validation requires it).
 *  - privileged (restricted): pod validation forbids allowPrivilegeEscalation: false next to privileged: true, so the
 *    fixture leaves it unset.
 *  - allowPrivilegeEscalation (restricted, from v1.22): one fixture removes the container securityContext altogether,
 *    which also removes capabilities.drop: ["ALL"].
 */
const CO_VIOLATIONS: Readonly<Record<string, readonly string[]>> = {
  windowsHostProcess: ['hostNamespaces'],
  privileged: ['allowPrivilegeEscalation'],
  allowPrivilegeEscalation: ['capabilities_restricted'],
};

interface Outcome {
  level: string;
  version: string;
  path: string;
  problem?: string;
}

function evaluateCase(row: Record<string, string>, level: 'baseline' | 'restricted', version: string): string | undefined {
  const text = readFileSync(join(root, row['path']!), 'utf8');
  const object = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA }) as KubeObject;
  const workload = workloadOf(object);
  if (!workload) return 'not a workload';
  const pssVersion = parsePssVersion(version);
  const violations = pssEvaluate(workload, level, pssVersion);
  const describe = () => violations.map((v) => `${v.checkId} ${formatFieldPath(v.violation.path)}: ${v.violation.message}`).join(' | ');
  if (row['expected'] === 'allow') return violations.length === 0 ? undefined : `expected allow, got: ${describe()}`;
  if (violations.length === 0) return 'expected deny, got allow';
  const psaId = row['check_id']!;
  const mapped = aspisCheckIdOf(psaId);
  if (!mapped) return `no Aspis check mapped to PSA check ${psaId}`;
  const overrider = pssOverriderOf(psaId, pssVersion);
  const responsible = new Set([mapped, ...(overrider && level === 'restricted' ? [aspisCheckIdOf(overrider)!] : [])]);
  const tolerated = new Set((CO_VIOLATIONS[psaId] ?? []).map((id) => aspisCheckIdOf(id)!));
  const foreign = violations.filter((v) => !responsible.has(v.checkId) && !tolerated.has(v.checkId));
  if (foreign.length > 0) return `denied by other checks than ${[...responsible].join('/')}: ${describe()}`;
  const substring = row['expected_error_substring'] ?? '';
  const own = violations.filter((v) => responsible.has(v.checkId));
  if (own.length === 0) return `not denied by ${[...responsible].join('/')}: ${describe()}`;
  if (!own.some((v) => v.violation.message.includes(substring))) return `no message contains "${substring}": ${describe()}`;
  return undefined;
}

describe('PodSecurity admission corpus', () => {
  const outcomes: Outcome[] = [];

  it('has an index row for every stored fixture', () => {
    for (const level of LEVELS) {
      for (const folder of readdirSync(join(root, 'test', 'testdata', level))) {
        for (const verdict of ['pass', 'fail']) {
          const files = readdirSync(join(root, 'test', 'testdata', level, folder, verdict));
          for (const file of files) {
            const path = `test/testdata/${level}/${folder}/${verdict}/${file}`;
            assert.ok(index.some((row) => row['path'] === path), `${path} is not in index.csv`);
          }
        }
      }
    }
  });

  for (const level of LEVELS) {
    const map = versionsMap[level];
    assert.ok(map && typeof map === 'object', `versions-map.json has no ${level} entry`);
    const versions = Object.keys(map).sort((a, b) => parsePssVersion(a).minor - parsePssVersion(b).minor);
    for (const version of versions) {
      const folder = map[version]!.stored_as;
      it(`${level} ${version} (fixtures of ${folder})`, () => {
        const rows = index.filter((row) => row['level'] === level && row['version'] === folder);
        assert.ok(rows.length > 0, `no fixtures for ${level}/${folder}`);
        const problems: string[] = [];
        for (const row of rows) {
          const problem = evaluateCase(row, level, version);
          outcomes.push({ level, version, path: row['path']!, ...(problem ? { problem } : {}) });
          if (problem) problems.push(`${row['path']}: ${problem}`);
        }
        assert.deepEqual(problems, []);
      });
    }
  }

  it('agrees on every case', () => {
    const stored = new Set(index.map((row) => `${row['level']}/${row['version']}`));
    const evaluatedFolders = new Set(
      LEVELS.flatMap((level) => Object.values(versionsMap[level] as Record<string, { stored_as: string }>).map((v) => `${level}/${v.stored_as}`)),
    );
    for (const folder of stored) assert.ok(evaluatedFolders.has(folder), `stored folder ${folder} is never evaluated`);
    const agreed = outcomes.filter((o) => !o.problem).length;
    console.log(
      JSON.stringify({
        corpus: 'pod-security-admission',
        cases: outcomes.length,
        agreed,
        fixtures: index.length,
        versions: LEVELS.map((level) => `${level}: ${Object.keys(versionsMap[level] as object).length}`),
      }),
    );
    assert.ok(outcomes.length > 0);
    assert.equal(agreed, outcomes.length);
  });
});

/**
 * Cross-check against Kyverno's Pod Security policy library (kyverno/policies, pod-security/): for every row of
 * expected-results.csv (what `kyverno test` must report for a policy rule and a named Pod, Deployment or CronJob),
 * Aspis evaluates the checks that express that rule on the same resource and must give the same pass/fail — except
 * for the rows listed in EXPLAINED below, each with the reason Kyverno's rule differs from the Pod Security
 * Standards Aspis implements. An unexplained disagreement fails the test, and so does an explanation that no longer
 * matches a disagreement. The agreement figures are printed as one JSON line.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsyaml from 'js-yaml';
import { corpusDir, readCsv } from './corpus-location.js';
import type { Violation } from '../../src/core/model/check.js';
import { defaultCheckContext, LATEST_PSS_VERSION } from '../../src/core/model/check-context.js';
import { formatFieldPath } from '../../src/core/model/field-path.js';
import type { KubeObject } from '../../src/core/model/resource.js';
import { workloadOf } from '../../src/core/k8s/workload.js';
import type { Workload } from '../../src/core/k8s/workload.js';
import { PSS_CHECKS, pssEvaluate, pssFramework } from '../../src/frameworks/pss.js';
import type { PssEnforcedLevel } from '../../src/frameworks/pss.js';

const root = corpusDir('kyverno-pod-security');
const rows = readCsv(readFileSync(join(root, 'expected-results.csv'), 'utf8'));

/** A Kyverno rule expressed with Aspis: the violations of `checks` (optionally only some of their fields) fail it. */
interface CheckRule {
  checks: readonly string[];
  /** Keeps only the violations the Kyverno rule is about (for policies split in several rules over one control). */
  only?: (violation: Violation) => boolean;
}
/** Kyverno's `validate.podSecurity` subrule: a whole level at `latest`, with per-control exclusions. */
interface SubruleRule {
  level: PssEnforcedLevel;
  exclude: readonly { controlName: string; images?: readonly string[] }[];
}
type RuleMapping = CheckRule | SubruleRule;

const lastSegment = (v: Violation) => v.path[v.path.length - 1];
const underField = (field: string) => (v: Violation) => v.path.includes(field);

/** policy/rule → Aspis. Every policy/rule of the corpus must be here. */
const RULES: Readonly<Record<string, RuleMapping>> = {
  'disallow-capabilities/adding-capabilities': { checks: ['added-capabilities'] },
  'disallow-host-namespaces/host-namespaces': { checks: ['host-namespaces'] },
  'disallow-host-path/host-path': { checks: ['host-path-volumes'] },
  'disallow-host-ports/host-ports-none': { checks: ['host-ports'] },
  // Not a PSS control: Kyverno's variant allows host ports 5000-6000. Aspis applies the PSS rule (no host port).
  'disallow-host-ports-range/host-port-range': { checks: ['host-ports'] },
  'disallow-host-process/host-process-containers': { checks: ['windows-host-process'] },
  'disallow-privileged-containers/privileged-containers': { checks: ['privileged-containers'] },
  'disallow-proc-mount/check-proc-mount': { checks: ['proc-mount'] },
  'disallow-selinux/selinux-type': { checks: ['selinux-options'], only: (v) => lastSegment(v) === 'type' },
  'disallow-selinux/selinux-user-role': { checks: ['selinux-options'], only: (v) => lastSegment(v) === 'user' || lastSegment(v) === 'role' },
  'restrict-apparmor-profiles/app-armor': { checks: ['apparmor-profile'] },
  'restrict-seccomp/check-seccomp': { checks: ['seccomp-profile-baseline'] },
  'restrict-sysctls/check-sysctls': { checks: ['unsafe-sysctls'] },
  'disallow-capabilities-strict/require-drop-all': { checks: ['capabilities-drop-all'], only: underField('drop') },
  'disallow-capabilities-strict/adding-capabilities-strict': { checks: ['capabilities-drop-all'], only: underField('add') },
  'disallow-privilege-escalation/privilege-escalation': { checks: ['allow-privilege-escalation'] },
  'require-run-as-non-root-user/run-as-non-root-user': { checks: ['run-as-user-root'] },
  'require-run-as-nonroot/run-as-non-root': { checks: ['run-as-non-root'] },
  'restrict-seccomp-strict/check-seccomp-strict': { checks: ['seccomp-profile-restricted'] },
  'restrict-volume-types/restricted-volumes': { checks: ['restricted-volume-types'] },
  'podsecurity-subrule-baseline/baseline': { level: 'baseline', exclude: [] },
  'podsecurity-subrule-restricted/restricted': { level: 'restricted', exclude: [] },
  'podsecurity-subrule-restricted-capabilities/restricted-exempt-capabilities': {
    level: 'restricted',
    exclude: [{ controlName: 'Capabilities', images: ['ghcr.io/kyverno/test-nginx*', 'redis*'] }],
  },
  'podsecurity-subrule-restricted-seccomp/restricted-exempt-seccomp': {
    level: 'restricted',
    exclude: [{ controlName: 'Seccomp' }, { controlName: 'Seccomp', images: ['*'] }],
  },
};

/**
 * Rows where Aspis (Pod Security Standards at latest, v1.37) and Kyverno's policy disagree, by
 * `policy/rule/Kind/name`, with the reason. Kyverno's expected result is in the CSV; Aspis gives the other one.
 */
const HOST_PORT_RANGE =
  'Kyverno variant, not a PSS control: its rule allows hostPort 5000-6000 (here 5555); PSS baseline (PSA hostPorts) forbids every non-zero hostPort';
const EXPLAINED: Readonly<Record<string, string>> = {
  // disallow-host-ports-range: the "good" resources use a host port inside Kyverno's configured range.
  ...Object.fromEntries(
    [
      'Pod/goodpod02',
      'Pod/goodpod03',
      'Pod/goodpod05',
      'Pod/goodpod06',
      'Pod/goodpod08',
      'Pod/goodpod09',
      'Pod/goodpod10',
      'Deployment/gooddeployment02',
      'Deployment/gooddeployment03',
      'Deployment/gooddeployment05',
      'Deployment/gooddeployment06',
      'Deployment/gooddeployment08',
      'Deployment/gooddeployment09',
      'Deployment/gooddeployment10',
      'CronJob/goodcronjob02',
      'CronJob/goodcronjob03',
      'CronJob/goodcronjob05',
      'CronJob/goodcronjob06',
      'CronJob/goodcronjob08',
      'CronJob/goodcronjob09',
      'CronJob/goodcronjob10',
    ].map((name) => [`disallow-host-ports-range/host-port-range/${name}`, HOST_PORT_RANGE]),
  ),
};

/** Kyverno's control names (the PSS page headings) → the Aspis checks of those controls, from the PSS framework. */
function checksOfControl(controlName: string): Set<string> {
  const ids = pssFramework.controls
    .filter((control) => control.title.replace(/^(Baseline|Restricted): /, '').replace(/ \(v1\.\d+\+\)$/, '') === controlName)
    .flatMap((control) => control.checks);
  assert.ok(ids.length > 0, `no PSS control named "${controlName}"`);
  return new Set(ids);
}

/** Kyverno's image wildcard (`*` any run of characters, `?` one). */
function imageMatches(pattern: string, image: unknown): boolean {
  if (typeof image !== 'string') return false;
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return regex.test(image);
}

function isExcluded(workload: Workload, checkId: string, violation: Violation, exclude: SubruleRule['exclude']): boolean {
  const container = workload.containers.find((c) => c.path.every((segment, i) => violation.path[i] === segment));
  return exclude.some((entry) => {
    if (!checksOfControl(entry.controlName).has(checkId)) return false;
    // Without images an exclusion covers the pod-level fields; with images, the fields of matching containers.
    if (!entry.images) return container === undefined;
    return container !== undefined && entry.images.some((pattern) => imageMatches(pattern, container.container['image']));
  });
}

function aspisVerdict(rule: RuleMapping, workload: Workload): { result: 'pass' | 'fail'; why: string[] } {
  let found: { checkId: string; violation: Violation }[];
  if ('level' in rule) {
    found = pssEvaluate(workload, rule.level, LATEST_PSS_VERSION).filter((f) => !isExcluded(workload, f.checkId, f.violation, rule.exclude));
  } else {
    const ctx = defaultCheckContext();
    found = rule.checks.flatMap((id) => {
      const check = PSS_CHECKS.find((entry) => entry.check.id === id)?.check;
      assert.ok(check, `unknown check ${id}`);
      return check.evaluate(workload, ctx).map((violation) => ({ checkId: id, violation }));
    });
    if (rule.only) found = found.filter((f) => rule.only!(f.violation));
  }
  return {
    result: found.length > 0 ? 'fail' : 'pass',
    why: found.map((f) => `${f.checkId} ${formatFieldPath(f.violation.path)}: ${f.violation.message}`),
  };
}

const resourceCache = new Map<string, KubeObject[]>();
function resourcesOf(file: string): KubeObject[] {
  let objects = resourceCache.get(file);
  if (!objects) {
    objects = jsyaml
      .loadAll(readFileSync(join(root, file), 'utf8'), undefined, { schema: jsyaml.CORE_SCHEMA })
      .filter((doc): doc is KubeObject => doc !== null && typeof doc === 'object');
    resourceCache.set(file, objects);
  }
  return objects;
}

describe('Kyverno Pod Security policies corpus', () => {
  it('agrees with every expected result, or the disagreement is explained', () => {
    assert.ok(rows.length > 0, 'expected-results.csv is empty');
    const disagreements: string[] = [];
    const unexplained: string[] = [];
    let agreed = 0;
    for (const row of rows) {
      const key = `${row['policy']}/${row['rule']}`;
      const rule = RULES[key];
      assert.ok(rule, `no Aspis mapping for Kyverno rule ${key}`);
      const matches = resourcesOf(row['resource_file']!).filter(
        (o) => o.kind === row['kind'] && o.metadata?.name === row['resource_name'],
      );
      assert.equal(matches.length, 1, `${row['kind']}/${row['resource_name']} in ${row['resource_file']}: found ${matches.length}`);
      const workload = workloadOf(matches[0]!);
      assert.ok(workload, `${row['kind']}/${row['resource_name']} carries no pod spec`);
      const verdict = aspisVerdict(rule, workload);
      const id = `${key}/${row['kind']}/${row['resource_name']}`;
      if (verdict.result === row['expected_result']) {
        agreed++;
        continue;
      }
      disagreements.push(id);
      if (!EXPLAINED[id]) {
        unexplained.push(`${id}: Kyverno ${row['expected_result']}, Aspis ${verdict.result}${verdict.why.length ? ` (${verdict.why.join(' | ')})` : ''}`);
      }
    }
    const stale = Object.keys(EXPLAINED).filter((id) => !disagreements.includes(id));
    console.log(
      JSON.stringify({
        corpus: 'kyverno-pod-security',
        rows: rows.length,
        agreed,
        disagreed: disagreements.length,
        explained: disagreements.length - unexplained.length,
        agreement: Number((agreed / rows.length).toFixed(4)),
      }),
    );
    assert.deepEqual(unexplained, [], 'unexplained disagreements');
    assert.deepEqual(stale, [], 'EXPLAINED lists rows that now agree');
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Check, WorkloadCheck } from '../core/model/check.js';
import { parseConfig } from './parse-config.js';
import { selectChecks } from './select-checks.js';
import type { AspisConfig } from './parse-config.js';

function check(id: string, extra: Partial<WorkloadCheck> = {}): WorkloadCheck {
  return {
    id,
    title: id,
    severity: 'high',
    category: 'pod-security',
    rationale: '',
    remediation: '',
    references: [],
    target: { workloads: true },
    evaluate: () => [],
    ...extra,
  };
}

const ALL: readonly Check[] = Object.freeze([
  check('privileged-containers', { severity: 'critical', aliases: ['privileged'] }),
  check('host-ports'),
  check('allowed-registries', { optIn: true }),
  check('image-digest', { optIn: true }),
]);

const config = (yaml: string): AspisConfig => {
  const { config, errors } = parseConfig(yaml, '.aspis.yaml');
  assert.deepEqual(errors, []);
  return config;
};
const ids = (checks: Check[]) => checks.map((c) => c.id);

describe('selectChecks', () => {
  it('defaults: every check except opt-in ones', () => {
    const { checks, errors } = selectChecks(ALL, {});
    assert.deepEqual(ids(checks), ['privileged-containers', 'host-ports']);
    assert.deepEqual(errors, []);
    assert.equal(checks[0], ALL[0], 'unchanged checks are the catalog objects');
  });

  it('disable removes, enable adds opt-in checks, by id or former id', () => {
    const { checks, errors } = selectChecks(ALL, config('checks:\n  disable: [privileged]\n  enable: [image-digest]\n'));
    assert.deepEqual(errors, []);
    assert.deepEqual(ids(checks), ['host-ports', 'image-digest']);
  });

  it('enabling a check that is not opt-in, or disabling an opt-in one, is fine', () => {
    const { checks, errors } = selectChecks(ALL, config('checks:\n  enable: [host-ports]\n  disable: [allowed-registries]\n'));
    assert.deepEqual(errors, []);
    assert.deepEqual(ids(checks), ['privileged-containers', 'host-ports']);
  });

  it('severity overrides give new objects and never mutate the catalog', () => {
    const { checks, errors } = selectChecks(ALL, config('checks:\n  severity:\n    privileged: low\n    image-digest: info\n'));
    assert.deepEqual(errors, []);
    const privileged = checks.find((c) => c.id === 'privileged-containers')!;
    assert.equal(privileged.severity, 'low');
    assert.notEqual(privileged, ALL[0]);
    assert.equal(ALL[0]!.severity, 'critical');
    assert.equal(typeof privileged.evaluate, 'function');
    assert.equal(privileged.target, ALL[0]!.target);
    assert.ok(!checks.some((c) => c.id === 'image-digest'), 'a severity override does not enable an opt-in check');
  });

  it('an id that names no check is an error naming file, line and field', () => {
    const yaml = 'checks:\n  disable: [host-ports, privileged-container]\n  enable: [nothing-like-it]\n  severity:\n    hostports: low\n';
    const { checks, errors } = selectChecks(ALL, config(yaml));
    assert.deepEqual(errors, [
      { source: '.aspis.yaml', line: 2, column: 25, field: 'checks.disable[1]', message: '"privileged-container" names no check (did you mean "privileged-containers"?)' },
      { source: '.aspis.yaml', line: 3, column: 12, field: 'checks.enable[0]', message: '"nothing-like-it" names no check' },
      { source: '.aspis.yaml', line: 5, column: 5, field: 'checks.severity.hostports', message: '"hostports" names no check (did you mean "host-ports"?)' },
    ]);
    assert.deepEqual(ids(checks), ['privileged-containers'], 'the valid part still applies');
  });

  it('an exception naming no check is an error at its line', () => {
    const yaml = 'exceptions:\n  - checks: [privileged-container, privileged]\n    reason: x\n  - checks: "*"\n    reason: y\n';
    const { errors } = selectChecks(ALL, config(yaml));
    assert.deepEqual(errors, [
      {
        source: '.aspis.yaml',
        line: 2,
        column: 14,
        field: 'exceptions[0].checks[0]',
        message: '"privileged-container" names no check (did you mean "privileged-containers"?)',
      },
    ]);
  });

  it('a check both enabled and disabled is an error, and it runs', () => {
    const { checks, errors } = selectChecks(ALL, config('checks:\n  disable: [image-digest]\n  enable: [image-digest]\n'));
    assert.deepEqual(ids(checks), ['privileged-containers', 'host-ports', 'image-digest']);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.field, 'checks.enable[0]');
    assert.equal(errors[0]!.line, 3);
    assert.match(errors[0]!.message, /both enabled and disabled \(checks\.disable\[0\]\)/);
  });

  it('a config built without a file still names the field', () => {
    const { errors } = selectChecks(ALL, { checks: { disable: ['x'] } });
    assert.deepEqual(errors, [{ source: '.aspis.yaml', field: 'checks.disable[0]', message: '"x" names no check' }]);
  });
});

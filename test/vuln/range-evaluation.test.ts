/** The OSV schema's evaluation algorithm (docs/schema.md "Evaluation") on the cases the corpus does not cover. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { OsvAffected, OsvEvent } from '../../src/vuln/osv/osv-record.js';
import { affectedReason, fixedVersionsAbove, includedInRanges, prepareAffected } from '../../src/vuln/osv/range-evaluation.js';
import { rangeComparatorsFor } from '../../src/vuln/osv/ecosystem-comparators.js';
import { validateOsvRecord } from '../../src/vuln/osv/validate-osv-record.js';

const npm = rangeComparatorsFor('npm');
const entry = (type: string, ...events: OsvEvent[]): OsvAffected => ({ ranges: [{ type, events }] });
const affected = (a: OsvAffected, v: string, comparators = npm): boolean => includedInRanges(v, a, comparators) !== undefined;

describe('OSV range evaluation', () => {
  it('introduced/fixed: [introduced, fixed)', () => {
    const a = entry('SEMVER', { introduced: '1.0.0' }, { fixed: '1.0.2' });
    assert.deepEqual(['0.9.9', '1.0.0', '1.0.1', '1.0.2', '2.0.0'].map((v) => affected(a, v)), [false, true, true, false, false]);
  });

  it('"0" introduced is below every version; no fix means every later version', () => {
    const a = entry('SEMVER', { introduced: '0' });
    assert.ok(affected(a, '0.0.0-alpha'));
    assert.ok(affected(a, '999.0.0'));
  });

  it('last_affected is inclusive', () => {
    const a = entry('ECOSYSTEM', { introduced: '0' }, { last_affected: '2.1.214' });
    assert.deepEqual(['2.1.213', '2.1.214', '2.1.215'].map((v) => affected(a, v)), [true, true, false]);
    assert.deepEqual(includedInRanges('2.1.214', a, npm), { kind: 'range', type: 'ECOSYSTEM', introduced: '0', lastAffected: '2.1.214' });
  });

  it('several intervals in one range, events in any order (sorted before evaluation)', () => {
    const a = entry('SEMVER', { fixed: '3.2.5' }, { introduced: '3.0.0' }, { fixed: '1.0.2' }, { introduced: '1.0.0' });
    assert.deepEqual(
      ['0.1.0', '1.0.0', '1.0.2', '2.0.0', '3.0.0', '3.2.4', '3.2.5'].map((v) => affected(a, v)),
      [false, true, false, false, true, true, false],
    );
    assert.deepEqual(includedInRanges('3.1.0', a, npm), { kind: 'range', type: 'SEMVER', introduced: '3.0.0', fixed: '3.2.5' });
  });

  it('several ranges: affected when any range says so', () => {
    const a: OsvAffected = {
      ranges: [
        { type: 'ECOSYSTEM', events: [{ introduced: '1.0.0' }, { fixed: '1.1.0' }] },
        { type: 'ECOSYSTEM', events: [{ introduced: '2.0.0' }, { fixed: '2.1.0' }] },
      ],
    };
    assert.deepEqual(['1.0.5', '1.5.0', '2.0.5'].map((v) => affected(a, v)), [true, false, true]);
  });

  it('limit: only versions below a limit are evaluated; "*" is infinity', () => {
    const a = entry('ECOSYSTEM', { introduced: '1.0.0' }, { limit: '1.5.0' });
    assert.deepEqual(['1.2.0', '1.5.0', '2.0.0'].map((v) => affected(a, v)), [true, false, false]);
    assert.ok(affected(entry('ECOSYSTEM', { introduced: '1.0.0' }, { limit: '*' }), '9.0.0'));
    assert.ok(affected(entry('ECOSYSTEM', { introduced: '1.0.0' }, { limit: '1.1.0' }, { limit: '3.0.0' }), '2.0.0'));
  });

  it('GIT ranges are not evaluated; the enumerated versions still match', () => {
    const a: OsvAffected = {
      ranges: [{ type: 'GIT', repo: 'https://example.invalid/r', events: [{ introduced: '0' }, { fixed: 'c45d7c49ea75133e52ab22a8e9e13173938e36ff' }] }],
      versions: ['1.0.0', '1.1.0'],
    };
    assert.equal(affected(a, '1.0.0'), false);
    assert.deepEqual(affectedReason('1.1.0', prepareAffected(a, npm)), { kind: 'listed' });
    assert.equal(affectedReason('1.2.0', prepareAffected(a, npm)), undefined);
  });

  it('versions equal in the ecosystem order count as listed (PEP 440: 2.5 == 2.5.0)', () => {
    assert.deepEqual(affectedReason('2.5', prepareAffected({ versions: ['2.5.0'] }, rangeComparatorsFor('PyPI'))), { kind: 'listed' });
  });

  it('distribution ranges use the distribution order (dpkg epochs and ~)', () => {
    const debian = rangeComparatorsFor('Debian:12');
    const a = entry('ECOSYSTEM', { introduced: '0' }, { fixed: '1:2.35-1~deb12u1' });
    assert.ok(affected(a, '2.99-1', debian), 'no epoch sorts below epoch 1');
    assert.ok(affected(a, '1:2.35-1~deb12', debian));
    assert.equal(affected(a, '1:2.35-1', debian), false);
  });

  it('fixed versions above the installed one, ascending', () => {
    const a = entry('SEMVER', { introduced: '0' }, { fixed: '1.2.3' }, { introduced: '2.0.0' }, { fixed: '2.0.5' });
    assert.deepEqual(fixedVersionsAbove('1.0.0', a, npm), ['1.2.3', '2.0.5']);
    assert.deepEqual(fixedVersionsAbove('2.0.1', a, npm), ['2.0.5']);
  });
});

describe('OSV record validation', () => {
  it('names the field of every problem', () => {
    const { problems } = validateOsvRecord({
      id: 'X-1',
      affected: [{ package: { ecosystem: 'npm' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0', fixed: '1.0.0' }, { fixed: '2' }] }, { type: 'SEMVER', events: [{ fixed: '1' }] }], versions: [1] }],
    });
    assert.deepEqual(
      problems.map((p) => `${p.field}: ${p.message}`),
      [
        'modified: must be a non-empty string',
        'affected[0].package.name: must be a non-empty string',
        'affected[0].versions[0]: must be a string',
        'affected[0].ranges[0].events[0]: must have exactly one of introduced, fixed, last_affected, limit (has introduced, fixed)',
        'affected[0].ranges[1].events: has no "introduced" event',
      ],
    );
  });
});

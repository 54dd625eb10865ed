import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LabelSelector } from './label-selector.js';
import {
  InvalidLabelSelectorError,
  formatLabelSelector,
  labelSelectorMatcher,
  matchesLabelSelector,
  validateLabelSelector,
} from './label-selector.js';

const web = { app: 'web', tier: 'frontend', 'app.kubernetes.io/name': 'shop' };

// [name, selector, labels, expected]
const cases: [string, LabelSelector, Record<string, string> | undefined, boolean][] = [
  ['empty selector matches everything', {}, web, true],
  ['empty selector matches an object without labels', {}, undefined, true],
  ['empty lists match everything', { matchLabels: {}, matchExpressions: [] }, {}, true],
  ['matchLabels equal', { matchLabels: { app: 'web' } }, web, true],
  ['matchLabels different value', { matchLabels: { app: 'api' } }, web, false],
  ['matchLabels missing key', { matchLabels: { team: 'x' } }, web, false],
  ['matchLabels all must hold', { matchLabels: { app: 'web', tier: 'backend' } }, web, false],
  ['matchLabels empty value matches an empty label', { matchLabels: { canary: '' } }, { canary: '' }, true],
  ['matchLabels empty value does not match a missing label', { matchLabels: { canary: '' } }, {}, false],
  ['prefixed key', { matchLabels: { 'app.kubernetes.io/name': 'shop' } }, web, true],
  ['In: value in set', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend', 'edge'] }] }, web, true],
  ['In: value not in set', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend'] }] }, web, false],
  ['In: missing key does not match', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, web, false],
  ['NotIn: value not in set', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['backend'] }] }, web, true],
  ['NotIn: value in set', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['frontend'] }] }, web, false],
  ['NotIn: missing key matches', { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, web, true],
  ['NotIn: no labels at all matches', { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, undefined, true],
  ['Exists: present', { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, web, true],
  ['Exists: present with an empty value', { matchExpressions: [{ key: 'canary', operator: 'Exists' }] }, { canary: '' }, true],
  ['Exists: absent', { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, web, false],
  ['Exists: empty values list is fine', { matchExpressions: [{ key: 'app', operator: 'Exists', values: [] }] }, web, true],
  ['DoesNotExist: absent', { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, web, true],
  ['DoesNotExist: present', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, web, false],
  [
    'matchLabels and matchExpressions are ANDed',
    { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend'] }] },
    web,
    false,
  ],
  [
    'several expressions all hold',
    {
      matchExpressions: [
        { key: 'app', operator: 'Exists' },
        { key: 'tier', operator: 'NotIn', values: ['backend'] },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    },
    web,
    true,
  ],
  ['keys are case-sensitive', { matchLabels: { App: 'web' } }, web, false],
  ['values are case-sensitive', { matchLabels: { app: 'Web' } }, web, false],
  ['inherited properties are not labels', { matchExpressions: [{ key: 'constructor', operator: 'Exists' }] }, {}, false],
];

describe('matchesLabelSelector', () => {
  for (const [name, selector, labels, expected] of cases) {
    it(name, () => {
      assert.equal(matchesLabelSelector(selector, labels), expected);
      assert.equal(labelSelectorMatcher(selector)(labels), expected);
    });
  }

  it('throws on an invalid selector instead of guessing', () => {
    const selector = { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['web'] }] } as unknown as LabelSelector;
    assert.throws(() => matchesLabelSelector(selector, web), (e: unknown) => {
      assert.ok(e instanceof InvalidLabelSelectorError);
      assert.equal(e.issues[0]!.field, 'matchExpressions[0].operator');
      return true;
    });
  });
});

describe('validateLabelSelector', () => {
  // [name, selector, expected fields with problems]
  const invalid: [string, unknown, string[]][] = [
    ['unknown operator', { matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] }, ['matchExpressions[0].operator']],
    ['lowercase operator', { matchExpressions: [{ key: 'a', operator: 'in', values: ['x'] }] }, ['matchExpressions[0].operator']],
    ['missing operator', { matchExpressions: [{ key: 'a' }] }, ['matchExpressions[0].operator']],
    ['In with empty values', { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, ['matchExpressions[0].values']],
    ['In without values', { matchExpressions: [{ key: 'a', operator: 'In' }] }, ['matchExpressions[0].values']],
    ['NotIn with empty values', { matchExpressions: [{ key: 'a', operator: 'NotIn', values: [] }] }, ['matchExpressions[0].values']],
    ['Exists with values', { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, ['matchExpressions[0].values']],
    ['DoesNotExist with values', { matchExpressions: [{ key: 'a', operator: 'DoesNotExist', values: ['x'] }] }, ['matchExpressions[0].values']],
    ['missing key', { matchExpressions: [{ operator: 'Exists' }] }, ['matchExpressions[0].key']],
    ['invalid key', { matchLabels: { 'bad key': 'x' } }, ['matchLabels["bad key"]']],
    ['empty key name', { matchLabels: { 'example.com/': 'x' } }, ['matchLabels["example.com/"]']],
    ['uppercase prefix', { matchLabels: { 'Example.com/app': 'x' } }, ['matchLabels["Example.com/app"]']],
    ['name longer than 63', { matchLabels: { ['a'.repeat(64)]: 'x' } }, [`matchLabels.${'a'.repeat(64)}`]],
    ['invalid value', { matchLabels: { app: '-web' } }, ['matchLabels.app']],
    ['value longer than 63', { matchLabels: { app: 'a'.repeat(64) } }, ['matchLabels.app']],
    ['non-string value', { matchLabels: { app: 3 } }, ['matchLabels.app']],
    ['invalid expression value', { matchExpressions: [{ key: 'a', operator: 'In', values: ['ok', 'not ok'] }] }, ['matchExpressions[0].values[1]']],
    ['unknown field', { matchLabel: { app: 'web' } }, ['matchLabel']],
    ['not an object', ['app=web'], ['']],
    ['matchExpressions not a list', { matchExpressions: { key: 'a' } }, ['matchExpressions']],
  ];
  for (const [name, selector, fields] of invalid) {
    it(`rejects ${name}`, () => {
      assert.deepEqual(
        validateLabelSelector(selector).map((i) => i.field),
        fields,
      );
    });
  }

  it('accepts valid selectors, including empty values and null lists as the API server does', () => {
    assert.deepEqual(validateLabelSelector({}), []);
    assert.deepEqual(validateLabelSelector({ matchLabels: null, matchExpressions: null }), []);
    assert.deepEqual(
      validateLabelSelector({
        matchLabels: { 'app.kubernetes.io/name': 'shop', canary: '' },
        matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a.b_c-d'] }],
      }),
      [],
    );
  });

  it('prefixes the base path to every field', () => {
    const issues = validateLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, ['spec', 'podSelector']);
    assert.deepEqual(issues.map((i) => [i.path, i.field]), [
      [['spec', 'podSelector', 'matchExpressions', 0, 'values'], 'spec.podSelector.matchExpressions[0].values'],
    ]);
    assert.match(issues[0]!.message, /non-empty when operator is In/);
  });
});

describe('formatLabelSelector', () => {
  it('writes kubectl syntax, sorted by key', () => {
    assert.equal(
      formatLabelSelector({
        matchLabels: { tier: 'web' },
        matchExpressions: [
          { key: 'zone', operator: 'NotIn', values: ['b', 'a'] },
          { key: 'app', operator: 'In', values: ['x'] },
          { key: 'legacy', operator: 'DoesNotExist' },
          { key: 'canary', operator: 'Exists' },
        ],
      }),
      'app in (x),canary,!legacy,tier=web,zone notin (a,b)',
    );
    assert.equal(formatLabelSelector({}), '<all>');
  });
});

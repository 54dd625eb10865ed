/**
 * formatFieldPath keeps formatted paths in a bounded tree of segments (field-path.ts): it must give the same text as
 * formatting the path afresh, whether the path is new, seen before, a prefix of one seen, or met once the tree is full.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatFieldPath } from './field-path.js';
import type { FieldPath } from './field-path.js';

/** The definition: `.key` (bare first), `[index]`, `["key"]` for keys that are not identifiers. */
function formatted(path: FieldPath): string {
  return path
    .map((segment, i) => {
      if (typeof segment === 'number') return `[${segment}]`;
      if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) return `[${JSON.stringify(segment)}]`;
      return i === 0 ? segment : `.${segment}`;
    })
    .join('');
}

const segment = fc.oneof(
  fc.constantFrom('spec', 'containers', 'securityContext', 'metadata', 'annotations', 'a/b', 'x.y', '', '0', '__proto__', 'é'),
  fc.string({ maxLength: 6 }),
  fc.nat({ max: 12 }),
);

describe('formatFieldPath', () => {
  it('writes paths as kubectl does', () => {
    assert.equal(formatFieldPath(['spec', 'containers', 0, 'securityContext']), 'spec.containers[0].securityContext');
    assert.equal(formatFieldPath(['metadata', 'annotations', 'app.kubernetes.io/name']), 'metadata.annotations["app.kubernetes.io/name"]');
    assert.equal(formatFieldPath([0, 'name']), '[0].name');
    assert.equal(formatFieldPath(['a/b', 'c']), '["a/b"].c');
    assert.equal(formatFieldPath([]), '');
    // A string index and a number index are different segments.
    assert.equal(formatFieldPath(['x', '0']), 'x["0"]');
    assert.equal(formatFieldPath(['x', 0]), 'x[0]');
  });

  it('gives the definition for paths seen before, prefixes of them and new ones', () => {
    fc.assert(
      fc.property(fc.array(fc.array(segment, { maxLength: 7 }), { minLength: 1, maxLength: 20 }), (paths) => {
        for (const path of [...paths, ...paths, ...paths.map((p) => p.slice(0, p.length >> 1))]) assert.equal(formatFieldPath(path), formatted(path));
      }),
      { numRuns: 300 },
    );
  });

  it('still formats every path once its tree is full', () => {
    // 60,000 distinct paths fill the tree (50,000 nodes); those after it are formatted afresh, those before still found.
    const paths: FieldPath[] = Array.from({ length: 60_000 }, (_, i) => ['spec', `k${i}`, i % 7]);
    for (const path of paths) assert.equal(formatFieldPath(path), formatted(path));
    for (const path of paths.filter((_, i) => i % 997 === 0)) assert.equal(formatFieldPath(path), formatted(path));
  });
});

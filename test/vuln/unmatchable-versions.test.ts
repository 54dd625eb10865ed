import { it } from 'node:test';
import assert from 'node:assert/strict';
import { go } from '../../src/vuln/versions/go.js';
import { InvalidVersionError } from '../../src/vuln/versions/version-comparator.js';
import { formatUnmatchedPackage, unmatchableVersions } from '../../src/vuln/matching/unmatchable-versions.js';
import { affectedReason, prepareAffected } from '../../src/vuln/osv/range-evaluation.js';
import { rangeComparatorsFor } from '../../src/vuln/osv/ecosystem-comparators.js';

it('Go: "(devel)" and development toolchains are refused with the reason; releases and pseudo-versions still order', () => {
  assert.throws(() => go.compare('(devel)', 'v1.0.0'), (e: unknown) => e instanceof InvalidVersionError && /development build/.test(e.message));
  assert.throws(() => go.compare('v1.0.0', 'devel go1.23-4f3ae8b Tue May 7 2024'), /development toolchain/);
  assert.throws(() => go.compare('banana', 'v1.0.0'), /"banana" is not a valid Go module version/);
  assert.ok(go.compare('v0.0.0-20190301021747-ccb9e902956d', 'v0.0.1') < 0);
  assert.ok(go.compare('go1.21rc2', '1.21.0') < 0);
});

it('a Go module at "(devel)" is not matched (no crash, no finding) and is reported as unmatched with the reason', () => {
  const devel = { ecosystem: 'Go', name: 'example.com/app', version: '(devel)' };
  const entry = prepareAffected({ package: { ecosystem: 'Go', name: 'example.com/app' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.2.0' }] }] }, rangeComparatorsFor('Go'));
  assert.equal(affectedReason(devel.version, entry), undefined);
  assert.ok(affectedReason('v1.1.0', entry), 'the same entry matches a release below the fix');
  const unmatched = unmatchableVersions([devel, { ecosystem: 'Go', name: 'stdlib', version: 'go1.22.1' }, { ecosystem: 'npm', name: 'x', version: '1.0.0' }, { ecosystem: 'NoSuchEcosystem', name: 'y', version: '??' }]);
  assert.deepEqual(unmatched.map((u) => u.package.name), ['example.com/app']);
  assert.equal(
    formatUnmatchedPackage(unmatched[0]!),
    'Go package example.com/app (devel): not matched against the vulnerability database: "(devel)" is not a valid Go module version: a development build (built from a working tree or a local replace) has no release version',
  );
});

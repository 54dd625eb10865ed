/**
 * Aspis's SemVer precedence (src/vuln/versions/semver.ts) is written by hand because OSV data holds versions
 * node-semver rejects; on every version node-semver accepts, both orders must agree.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import nodeSemver from 'semver';
import { semver } from '../../src/vuln/versions/semver.js';
import { go } from '../../src/vuln/versions/go.js';

const number = fc.oneof(fc.constantFrom('0', '1', '2', '9', '10', '11'), fc.integer({ min: 0, max: 2 ** 31 }).map(String));
const identifier = fc.oneof(
  number,
  fc.constantFrom('alpha', 'beta', 'rc', 'a', 'B', 'x-y', '0a', 'pre-1', '-'),
);
const version = fc
  .tuple(number, number, number, fc.array(identifier, { maxLength: 3 }), fc.array(identifier, { maxLength: 2 }))
  .map(([a, b, c, pre, build]) => `${a}.${b}.${c}${pre.length ? `-${pre.join('.')}` : ''}${build.length ? `+${build.join('.')}` : ''}`)
  .filter((v) => nodeSemver.valid(v) !== null);

it('orders every pair of node-semver-valid versions as node-semver does', () => {
  fc.assert(
    fc.property(version, version, (a, b) => {
      assert.equal(Math.sign(semver.compare(a, b)), nodeSemver.compare(a, b), `${a} vs ${b}`);
    }),
    { numRuns: 5000 },
  );
});

it('reads Go toolchain and module versions as the Go vulnerability database writes them', () => {
  assert.equal(go.compare('go1.21.3', '1.21.3'), 0);
  assert.equal(go.compare('v1.21.3', '1.21.3'), 0);
  assert.ok(go.compare('go1.21rc2', '1.21.0') < 0);
  assert.equal(go.compare('go1.21rc2', '1.21.0-rc.2'), 0);
  assert.ok(go.compare('go1.21', '1.21.1') < 0);
  // Pseudo-versions are pre-releases of the next patch; +incompatible is build metadata.
  assert.ok(go.compare('v1.3.1-0.20190301021747-ccb9e902956d', '1.3.1') < 0);
  assert.ok(go.compare('v1.3.1-0.20190301021747-ccb9e902956d', '1.3.0') > 0);
  assert.equal(go.compare('v2.0.0+incompatible', '2.0.0'), 0);
});

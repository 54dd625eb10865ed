import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_CHECKS } from '../checks/index.js';
import { FRAMEWORKS, checkIdsOf, controlsOf, frameworkById } from './index.js';

const checkIds = new Set(ALL_CHECKS.map((c) => c.id));

describe('frameworks', () => {
  it('have unique ids, and unique control ids within each framework', () => {
    assert.equal(new Set(FRAMEWORKS.map((f) => f.id)).size, FRAMEWORKS.length);
    for (const framework of FRAMEWORKS) {
      const ids = framework.controls.map((c) => c.id);
      assert.deepEqual(ids.filter((id, i) => ids.indexOf(id) !== i), [], `${framework.id} repeats control ids`);
      for (const control of framework.controls) {
        assert.ok(control.title.trim().length > 0, `${framework.id} ${control.id} has no title`);
        assert.equal(new Set(control.checks).size, control.checks.length, `${framework.id} ${control.id} repeats a check`);
      }
    }
  });

  it('name only checks that exist', () => {
    const unknown = FRAMEWORKS.flatMap((f) =>
      f.controls.flatMap((c) => c.checks.filter((id) => !checkIds.has(id)).map((id) => `${f.id} ${c.id}: ${id}`)),
    );
    assert.deepEqual(unknown, []);
  });

  it('map every check to at least one control', () => {
    const unmapped = ALL_CHECKS.filter((c) => controlsOf(c.id).length === 0).map((c) => c.id);
    assert.deepEqual(unmapped, []);
  });

  it('derive check → controls by inverting the framework files', () => {
    assert.deepEqual(
      controlsOf('cluster-admin-binding').filter((c) => c.framework === 'cis-kubernetes-1.10'),
      [{ framework: 'cis-kubernetes-1.10', id: '5.1.1', title: 'Ensure that the cluster-admin role is only used where required' }],
    );
    for (const framework of FRAMEWORKS) {
      for (const control of framework.controls) {
        for (const id of control.checks) {
          assert.ok(
            controlsOf(id).some((ref) => ref.framework === framework.id && ref.id === control.id && ref.title === control.title),
            `${id} lacks ${framework.id} ${control.id}`,
          );
        }
      }
    }
    assert.deepEqual(controlsOf('no-such-check'), []);
  });

  it('look frameworks up by id, with or without version', () => {
    for (const framework of FRAMEWORKS) assert.equal(frameworkById(framework.id), framework);
    assert.equal(frameworkById('nsa-cisa')?.id, 'nsa-cisa-1.2');
    assert.equal(frameworkById('cis-kubernetes')?.id, 'cis-kubernetes-1.10');
    assert.equal(frameworkById('cis'), undefined);
    assert.equal(frameworkById('nope'), undefined);
  });

  it('list the checks of a framework, and refuse an unknown one', () => {
    assert.ok(checkIdsOf('cis-kubernetes-1.10').has('namespace-without-network-policy'));
    assert.ok(checkIdsOf('mitre-containers').has('privileged-containers'));
    assert.ok(checkIdsOf('nsa-cisa').has('readonly-root-filesystem'));
    assert.throws(() => checkIdsOf('nope'), /unknown framework "nope"/);
  });
});

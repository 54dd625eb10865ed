import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_CHECKS } from '../checks/index.js';
import { parsePssVersion } from '../core/model/check-context.js';
import type { KubeObject } from '../core/model/resource.js';
import { workloadOf } from '../core/k8s/workload.js';
import { aspisCheckIdOf, PSS_CHECKS, pssChecksFor, pssEvaluate, pssFramework, pssLevelOf, pssOverriderOf, psaCheckIdOf } from './pss.js';

const ids = (level: 'baseline' | 'restricted', version: string) => pssChecksFor(level, parsePssVersion(version)).map((c) => c.id).sort();

function pod(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...metadata }, spec };
}
const restrictedContainer = {
  name: 'app',
  image: 'registry.example.com/app:1',
  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
};
const restrictedPod = pod({ securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, containers: [restrictedContainer] });

describe('PSS framework', () => {
  it('maps every PSA check id to a registered check, one to one', () => {
    const registered = new Set(ALL_CHECKS.map((c) => c.id));
    assert.equal(PSS_CHECKS.length, 19);
    assert.equal(new Set(PSS_CHECKS.map((e) => e.psaId)).size, PSS_CHECKS.length);
    assert.equal(new Set(PSS_CHECKS.map((e) => e.check.id)).size, PSS_CHECKS.length);
    for (const entry of PSS_CHECKS) {
      assert.ok(registered.has(entry.check.id), `${entry.check.id} is not in src/checks/index.ts`);
      assert.equal(aspisCheckIdOf(entry.psaId), entry.check.id);
      assert.equal(psaCheckIdOf(entry.check.id), entry.psaId);
    }
    assert.equal(aspisCheckIdOf('hostPathVolumes'), 'host-path-volumes');
  });

  it('puts every PSS check in exactly one control', () => {
    const inControls = pssFramework.controls.flatMap((c) => c.checks).sort();
    assert.deepEqual(inControls, PSS_CHECKS.map((e) => e.check.id).sort());
  });

  it('selects checks by level and version, with restricted overrides', () => {
    assert.equal(ids('baseline', 'v1.0').length, 11);
    assert.ok(!ids('baseline', 'v1.33').includes('host-probes-lifecycle'));
    assert.ok(ids('baseline', 'v1.34').includes('host-probes-lifecycle'));
    // v1.0 restricted: baseline without hostPathVolumes, plus restrictedVolumes and runAsNonRoot.
    assert.deepEqual(ids('restricted', 'v1.0'), [...ids('baseline', 'v1.0').filter((id) => id !== 'host-path-volumes'), 'restricted-volume-types', 'run-as-non-root'].sort());
    assert.ok(ids('restricted', 'v1.18').includes('seccomp-profile-baseline'));
    assert.ok(!ids('restricted', 'v1.19').includes('seccomp-profile-baseline'));
    assert.ok(ids('restricted', 'v1.21').includes('added-capabilities'));
    assert.ok(!ids('restricted', 'v1.22').includes('added-capabilities'));
    assert.ok(ids('restricted', 'v1.34').includes('proc-mount'));
    assert.deepEqual(
      ids('restricted', 'latest').filter((id) => !ids('baseline', 'latest').includes(id)),
      ['allow-privilege-escalation', 'capabilities-drop-all', 'proc-mount-restricted', 'restricted-volume-types', 'run-as-non-root', 'run-as-user-root', 'seccomp-profile-restricted'],
    );
    assert.equal(pssOverriderOf('procMount', parsePssVersion('v1.34')), undefined);
    assert.equal(pssOverriderOf('procMount', parsePssVersion('v1.35')), 'procMount_restricted');
    // Versions past the newest known one evaluate as the newest.
    assert.deepEqual(
      pssChecksFor('restricted', { major: 1, minor: 99 }).map((c) => c.id).sort(),
      ids('restricted', 'latest'),
    );
  });

  it('computes the level of a workload', () => {
    const latest = parsePssVersion('latest');
    assert.equal(pssLevelOf(workloadOf(restrictedPod)!, latest), 'restricted');
    assert.equal(pssLevelOf(workloadOf(pod({ containers: [{ name: 'a', image: 'x' }] }))!, latest), 'baseline');
    assert.equal(pssLevelOf(workloadOf(pod({ hostPID: true, containers: [{ name: 'a', image: 'x' }] }))!, latest), 'privileged');
    // A Windows pod adding a capability passes PSA restricted (exempt from v1.25) but not baseline.
    const windows = pod({ os: { name: 'windows' }, securityContext: { runAsNonRoot: true }, containers: [{ name: 'a', image: 'x', securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }] });
    assert.equal(pssEvaluate(workloadOf(windows)!, 'restricted', latest).length, 0);
    assert.equal(pssLevelOf(workloadOf(windows)!, latest), 'privileged');
  });

  it('evaluates a template with versioned semantics', () => {
    const deployment: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { template: { spec: { hostUsers: false, securityContext: { runAsUser: 0 }, containers: [{ ...restrictedContainer, securityContext: { ...restrictedContainer.securityContext, procMount: 'Unmasked' } }] } } },
    };
    const w = workloadOf(deployment)!;
    const at = (level: 'baseline' | 'restricted', v: string) => pssEvaluate(w, level, parsePssVersion(v)).map((f) => f.checkId).sort();
    assert.deepEqual(at('baseline', 'v1.34'), ['proc-mount']);
    assert.deepEqual(at('baseline', 'v1.35'), []);
    assert.deepEqual(at('restricted', 'v1.34'), ['proc-mount', 'run-as-non-root', 'run-as-user-root', 'seccomp-profile-restricted']);
    assert.deepEqual(at('restricted', 'v1.35'), ['proc-mount-restricted', 'seccomp-profile-restricted']);
    assert.equal(pssEvaluate(w, 'privileged', parsePssVersion('latest')).length, 0);
  });
});

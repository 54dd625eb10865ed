/**
 * Oracle: the PodSecurity admission fixtures (../shared/corpora/pod-security-admission, see its PROVENANCE.md) at
 * the latest policy version (v1.37). The shipped CEL library must give every fixture the fixture's verdict: the
 * baseline folder at `baseline`, both folders at `restricted` (restricted = baseline + restricted controls, as the
 * standard defines it). A denial must come from the policy implementing the fixture's PSA check (or the restricted
 * policy that replaces it at restricted), with PSA's error substring in the message; any other policy denying is a
 * disagreement, except the co-violations a fixture carries by construction (listed below, as in the check-library
 * oracle test/corpora/pod-security-admission.test.ts). Expected: 100% agreement.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsyaml from 'js-yaml';
import { corpusDir, readCsv, repoRoot } from '../corpora/corpus-location.js';
import type { KubeObject } from '../../src/core/model/resource.js';
import { compilePolicies, creationAttributesOf, evaluate, type CompiledPolicySet } from '../../src/policy/index.js';
import { loadObjects } from '../../src/cli/commands/policy-folder.js';

const root = corpusDir('pod-security-admission');
const LATEST = 'v1.37';
const rows = readCsv(readFileSync(join(root, 'index.csv'), 'utf8')).filter((row) => row['version'] === LATEST);

/**
 * PSA check id → the policies that may deny for it at each level. PodSecurity replaces four baseline checks at
 * restricted (hostPathVolumes, seccompProfile_baseline, capabilities_baseline, procMount); a VAP library cannot
 * "replace", so at restricted both the baseline and the restricted policy of such a pair apply. Every pod the
 * baseline one denies the restricted one denies too (it is stricter on the same field), so verdicts are unchanged;
 * only the attribution may name both, which is why both count as responsible for either check of a pair.
 */
const RESPONSIBLE: Record<string, { baseline?: string[]; restricted: string[] }> = {
  privileged: { baseline: ['pss-baseline-privileged'], restricted: ['pss-baseline-privileged'] },
  hostNamespaces: { baseline: ['pss-baseline-host-namespaces'], restricted: ['pss-baseline-host-namespaces'] },
  hostPathVolumes: { baseline: ['pss-baseline-host-path-volumes'], restricted: ['pss-baseline-host-path-volumes', 'pss-restricted-volume-types'] },
  hostPorts: { baseline: ['pss-baseline-host-ports'], restricted: ['pss-baseline-host-ports'] },
  capabilities_baseline: { baseline: ['pss-baseline-capabilities'], restricted: ['pss-baseline-capabilities', 'pss-restricted-capabilities'] },
  appArmorProfile: { baseline: ['pss-baseline-apparmor'], restricted: ['pss-baseline-apparmor'] },
  seLinuxOptions: { baseline: ['pss-baseline-selinux'], restricted: ['pss-baseline-selinux'] },
  procMount: { baseline: ['pss-baseline-proc-mount'], restricted: ['pss-baseline-proc-mount', 'pss-restricted-proc-mount'] },
  seccompProfile_baseline: { baseline: ['pss-baseline-seccomp'], restricted: ['pss-baseline-seccomp', 'pss-restricted-seccomp'] },
  sysctls: { baseline: ['pss-baseline-sysctls'], restricted: ['pss-baseline-sysctls'] },
  windowsHostProcess: { baseline: ['pss-baseline-host-process'], restricted: ['pss-baseline-host-process'] },
  hostProbesAndHostLifecycle: { baseline: ['pss-baseline-host-probes-lifecycle'], restricted: ['pss-baseline-host-probes-lifecycle'] },
  restrictedVolumes: { restricted: ['pss-restricted-volume-types', 'pss-baseline-host-path-volumes'] },
  runAsNonRoot: { restricted: ['pss-restricted-run-as-non-root'] },
  allowPrivilegeEscalation: { restricted: ['pss-restricted-allow-privilege-escalation'] },
  seccompProfile_restricted: { restricted: ['pss-restricted-seccomp', 'pss-baseline-seccomp'] },
  capabilities_restricted: { restricted: ['pss-restricted-capabilities', 'pss-baseline-capabilities'] },
  runAsUser: { restricted: ['pss-restricted-run-as-user'] },
  procMount_restricted: { restricted: ['pss-restricted-proc-mount', 'pss-baseline-proc-mount'] },
};

/**
 * Co-violations by construction (see test/corpora/pod-security-admission.test.ts):
 *  - windowsHostProcess: a HostProcess pod must also set hostNetwork: true;
 *  - privileged (restricted): privileged: true cannot go with allowPrivilegeEscalation: false;
 *  - allowPrivilegeEscalation: one fixture removes the container securityContext, and with it drop ["ALL"].
 */
const CO_VIOLATIONS: Record<string, string[]> = {
  windowsHostProcess: ['pss-baseline-host-namespaces'],
  privileged: ['pss-restricted-allow-privilege-escalation'],
  allowPrivilegeEscalation: ['pss-restricted-capabilities'],
};

async function library(level: 'baseline' | 'restricted'): Promise<CompiledPolicySet> {
  const folders = level === 'baseline' ? ['policies/pss-baseline'] : ['policies/pss-baseline', 'policies/pss-restricted'];
  const loaded = await loadObjects(folders.map((folder) => join(repoRoot, folder)));
  assert.deepEqual(loaded.errors, []);
  const definitions = loaded.objects.filter((o) => String(o.kind).startsWith('ValidatingAdmissionPolicy'));
  const { policies, errors } = compilePolicies(definitions, { sourceOf: loaded.sourceOf });
  assert.deepEqual(errors.map((e) => e.message), [], 'the shipped library compiles');
  return policies;
}

function disagreement(row: Record<string, string>, set: CompiledPolicySet): string | undefined {
  const level = row['level'] as 'baseline' | 'restricted';
  const pod = jsyaml.load(readFileSync(join(root, row['path']!), 'utf8'), { schema: jsyaml.CORE_SCHEMA }) as KubeObject;
  const result = evaluate(set, creationAttributesOf(pod, 'pods', { namespaceObject: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', labels: { 'kubernetes.io/metadata.name': 'default' } } } }));
  const denials = result.decisions.filter((d) => d.action === 'Deny');
  const describe = (): string => denials.map((d) => `${d.policy}: ${d.message}`).join(' | ');
  if (result.ignoredErrors.length > 0 || denials.some((d) => d.evaluation === 'error')) return `evaluation error: ${describe()}`;
  if (row['expected'] === 'allow') return denials.length === 0 ? undefined : `expected allow, got: ${describe()}`;
  if (denials.length === 0) return 'expected deny, got allow';
  const psaId = row['check_id']!;
  const responsible = new Set(RESPONSIBLE[psaId]?.[level] ?? []);
  if (responsible.size === 0) return `no policy mapped to PSA check ${psaId} at ${level}`;
  const tolerated = new Set(CO_VIOLATIONS[psaId] ?? []);
  const foreign = denials.filter((d) => !responsible.has(d.policy) && !tolerated.has(d.policy));
  if (foreign.length > 0) return `denied by other policies than ${[...responsible].join('/')}: ${describe()}`;
  const own = denials.filter((d) => responsible.has(d.policy));
  if (own.length === 0) return `not denied by ${[...responsible].join('/')}: ${describe()}`;
  const substring = row['expected_error_substring'] ?? '';
  if (!own.some((d) => d.message.includes(substring))) return `no message contains "${substring}": ${describe()}`;
  return undefined;
}

describe(`Pod Security Standards CEL library against the PodSecurity admission fixtures (${LATEST})`, () => {
  let sets: Record<'baseline' | 'restricted', CompiledPolicySet>;
  before(async () => {
    sets = { baseline: await library('baseline'), restricted: await library('restricted') };
  });

  it('has fixtures at the latest version for both levels', () => {
    assert.ok(rows.some((r) => r['level'] === 'baseline') && rows.some((r) => r['level'] === 'restricted'));
  });

  it('agrees with every fixture (100%)', () => {
    const problems: string[] = [];
    for (const row of rows) {
      const problem = disagreement(row, sets[row['level'] as 'baseline' | 'restricted']);
      if (problem) problems.push(`${row['path']}: ${problem}`);
    }
    const agreed = rows.length - problems.length;
    assert.deepEqual(problems, [], `${agreed}/${rows.length} fixtures agree`);
  });
});

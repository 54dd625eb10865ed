/**
 * Source conformance: a live object gives the same findings as the manifest it was created from.
 *
 * Every check fixture (src/checks/<category>/<id>/fixtures/{pass,fail}.*.yaml, found as src/checks/fixtures.test.ts
 * finds them, so the suite grows with the fixtures) goes through the real CLI code (`main`), one at a time:
 *
 *   1. `aspis scan manifests FIXTURE`;
 *   2. its objects are created in a real kube-apiserver as `kubectl apply -n conformance -f FIXTURE` would (see
 *      apply-fixture.ts), then `aspis scan cluster -A`;
 *   3. `aspis scan manifests` of the objects as the server stored them (read back with GET).
 *
 * Two comparisons, of findings about the fixture's objects and the namespaces it names (not the control plane's
 * own ClusterRoles, nor namespace `conformance`), everything but location (file:line, uid) compared — check,
 * severity, object, field path, message, evidence, fix:
 *
 *   - cluster scan = manifests scan of the stored objects, exactly: the cluster source (paging, projection, refs,
 *     controlled objects) adds or loses nothing;
 *   - cluster scan = manifests scan of the fixture file, except where a DEFAULTING rule below explains a difference
 *     (the API server fills in fields on create). Objects left without a namespace in the fixture are compared as in
 *     namespace `conformance`.
 *
 * Image checks' fixtures (src/checks/image) are left out: their ContainerImage objects exist only inside Aspis.
 * Fixtures the API server refuses are listed in REJECTED with its reason (fixtures are never edited for this suite).
 * Both lists are checked to stay true: a listed fixture the server accepts, or a rule that explains nothing, fails.
 * The configuration of both scans comes from the fixture's `# pss-version:` and `# settings:` headers, with every
 * opt-in check enabled. Each fixture's objects are deleted before the next one is created, so cross-object checks
 * (a namespace's NetworkPolicies) see one fixture at a time; no controller-manager runs, so a Deployment stays a
 * Deployment, as in the file.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { main } from '../../src/cli/main.js';
import type { Report } from '../../src/core/model/report.js';
import { startControlPlane } from '../harness/control-plane.js';
import type { ControlPlane } from '../harness/control-plane.js';
import { APPLY_NAMESPACE, FixtureApplier } from './apply-fixture.js';
import { CHECKS_DIR, checkFixtures, fixtureObjects, writeFixtureConfig } from './fixture-files.js';
import type { ComparedFinding, DefaultingRule } from './compare-findings.js';
import { compared, describe as describeDifference, differences, hasField, parseFieldPath, sameBut, text } from './compare-findings.js';
import { SCANNED_KINDS } from '../../src/sources/cluster/scanned-kinds.js';
import { apiVersionOf } from '../../src/sources/cluster/project-object.js';

/** Fixtures the API server refuses to store, and why (relative to src/checks). */
const REJECTED: Record<string, string> = {
  'pod-security/apparmor-profile/fixtures/fail.v1-0-annotation.yaml':
    'the AppArmor annotation names a container the Pod does not have: validation refuses it ("container not found")',
  'pod-security/apparmor-profile/fixtures/pass.pod.yaml':
    'a container sets both the AppArmor annotation and securityContext.appArmorProfile with different types: validation requires them to match',
  'pod-security/proc-mount/fixtures/fail.job-host-users.yaml': 'procMount Unmasked without hostUsers: false: validation refuses it',
  'rbac/rbac-wildcard/fixtures/pass.explicit.yaml': 'a namespaced Role with nonResourceURLs: only ClusterRoles may have them',
};

/**
 * Why a cluster finding may differ from the file's: the API server changes objects on create (defaulting, admission,
 * pruning), or the cluster scan does not read a kind. Each rule is as narrow as the change it describes.
 */
const DEFAULTING: DefaultingRule[] = [
  {
    check: 'resource-limits',
    reason: "the API server defaults each container's `resources` to {}, which the check reports as the evidence",
    explains: (file, cluster) => sameBut(file, cluster, ['evidence']) && file.evidence === undefined && JSON.stringify(cluster!.evidence) === '{}',
  },
  {
    check: 'default-service-account-used',
    reason: 'ServiceAccount admission sets spec.serviceAccountName: default on a Pod that names none, so the message quotes it',
    explains: (file, cluster) =>
      sameBut(file, cluster, ['message']) && /names no service account/.test(file.message) && /\(serviceAccountName: default\)/.test(cluster!.message),
  },
  {
    check: 'default-service-account-used',
    reason: 'the API server copies the deprecated spec.serviceAccount into spec.serviceAccountName, which the check reads first',
    explains: (file, cluster) =>
      sameBut(file, cluster, ['path', 'message']) && file.path.endsWith('spec.serviceAccount') && cluster!.path === `${file.path}Name`,
  },
  ...['host-path-volumes', 'restricted-volume-types'].map(
    (check): DefaultingRule => ({
      check,
      reason: 'the API server defaults hostPath.type to "", which appears in the evidence',
      explains: (file, cluster) =>
        sameBut(file, cluster, ['evidence']) &&
        (cluster!.evidence as { type?: unknown }).type === '' &&
        isDeepStrictEqual({ ...(cluster!.evidence as object), type: undefined }, { ...(file.evidence as object), type: undefined }),
    }),
  ),
  {
    check: 'node-port-services',
    reason: 'the API server allocates a nodePort to each NodePort port that names none, so message and evidence give it',
    explains: (file, cluster) =>
      sameBut(file, cluster, ['message', 'evidence']) &&
      /listens on a port of every node/.test(file.message) &&
      /listens on port \d+ of every node/.test(cluster!.message),
  },
  {
    reason: 'the API server drops fields its schema does not know: the field the file finding points at is not in the stored object',
    explains: (file, cluster, context) => !cluster && file !== undefined && !hasField(context.stored(file.object), parseFieldPath(file.path)),
  },
  {
    reason: 'the cluster scan does not read this kind (src/sources/cluster/scanned-kinds.ts)',
    explains: (file, cluster) => !cluster && file !== undefined && !SCANNED_KINDS.some((k) => k.kind === file.object.split('/')[0]),
  },
];

/** Runs the CLI in this process and reads its JSON report. */
async function scan(args: string[], output: string): Promise<Report> {
  const code = await main(['node', 'aspis', 'scan', ...args, '-o', 'json', '--output-file', output]);
  const report = JSON.parse(readFileSync(output, 'utf8')) as Report;
  assert.deepEqual(report.errors, [], `scan ${args[0]} reported errors`);
  assert.ok(code === 0, `scan ${args.join(' ')} exited ${code}`);
  return report;
}

describe('source conformance: scan cluster finds what scan manifests finds', () => {
  // Image checks judge a ContainerImage that Aspis builds from an image's layers: no cluster stores one, so their
  // fixtures have no cluster counterpart (scan cluster --images reaches them through the images Pods run).
  const fixtures = checkFixtures().filter((fixture) => !fixture.path.startsWith('image/'));
  let cp: ControlPlane;
  let applier: FixtureApplier;
  const work = mkdtempSync(join(tmpdir(), 'aspis-conformance-'));
  const explained = new Map<DefaultingRule, Set<string>>();
  const outcome = { identical: 0, explained: 0, rejected: 0 };

  before(async () => {
    cp = await startControlPlane();
    applier = new FixtureApplier(cp);
    await cp.createNamespace(APPLY_NAMESPACE);
  });
  after(async () => {
    await cp?.stop();
    rmSync(work, { recursive: true, force: true });
    process.stderr.write(
      `source conformance: ${fixtures.length} fixtures: ${outcome.identical} identical, ${outcome.explained} differing only as ` +
        `explained, ${outcome.rejected} refused by the API server; CRDs installed for ${applier?.installedCrds.join(', ') || 'none'}\n` +
        [...explained].map(([rule, paths]) => `  ${rule.check ?? 'any check'}: ${rule.reason}: ${paths.size} fixture(s)\n`).join(''),
    );
  });

  it('finds the fixtures, and lists only fixtures that exist', () => {
    assert.ok(fixtures.length >= 100, `only ${fixtures.length} fixtures found`);
    for (const listed of Object.keys(REJECTED)) {
      assert.ok(fixtures.some((f) => f.path === listed), `${listed} is in REJECTED but is no fixture: remove it`);
    }
  });

  for (const fixture of fixtures) {
    it(fixture.path, async () => {
      const dir = mkdtempSync(join(work, 'f-'));
      const config = join(dir, 'aspis.yaml');
      writeFixtureConfig(fixture, config);
      const objects = fixtureObjects(fixture.text);
      try {
        const applied = await applier.apply(objects);
        if (applied.status === 'rejected') {
          assert.ok(fixture.path in REJECTED, `the API server refuses ${fixture.path}: ${applied.reason}`);
          outcome.rejected++;
          return;
        }
        assert.ok(!(fixture.path in REJECTED), `${fixture.path} is in REJECTED but the API server accepts it: remove it`);

        const storedFile = join(dir, 'stored.yaml');
        const storedObjects = [...applied.stored, ...applied.auxiliary];
        writeFileSync(storedFile, storedObjects.map((object) => JSON.stringify(object)).join('\n---\n'));
        const fromFile = await scan(['manifests', join(CHECKS_DIR, fixture.path), '-c', config], join(dir, 'file.json'));
        const fromStored = await scan(['manifests', storedFile, '-c', config], join(dir, 'stored.json'));
        const fromCluster = await scan(['cluster', '--kubeconfig', cp.adminKubeconfig, '-A', '-c', config], join(dir, 'cluster.json'));
        for (const finding of fromCluster.findings) assert.equal(finding.location, undefined, 'a cluster finding has a file location');

        // Objects left without a namespace are in the apply namespace.
        const namespaceOf = (kind: string, name: string, namespace: string | undefined) =>
          namespace ?? (applied.unsetNamespace.has(`${kind}/${name}`) ? APPLY_NAMESPACE : undefined);
        const keyOf = (object: { kind?: unknown; metadata?: unknown }) => {
          const meta = object.metadata as { name: string; namespace?: string };
          return `${String(object.kind)}/${namespaceOf(String(object.kind), meta.name, meta.namespace) ?? ''}/${meta.name}`;
        };
        const about = (subjects: ReadonlySet<string>, findings: readonly ComparedFinding[]) => findings.filter((f) => subjects.has(f.object));
        const sorted = (findings: readonly ComparedFinding[]) => findings.map(text).sort();
        const file = fromFile.findings.map((f) => compared(f, namespaceOf));
        const cluster = fromCluster.findings.map((f) => compared(f, namespaceOf));
        const stored = fromStored.findings.map((f) => compared(f, namespaceOf));

        // 1. The cluster source against the same objects in a file: every stored object of a kind it reads.
        const scanned = (object: { apiVersion?: unknown; kind?: unknown }) =>
          SCANNED_KINDS.some((k) => apiVersionOf(k) === object.apiVersion && k.kind === object.kind);
        const storedSubjects = new Set(storedObjects.filter(scanned).map(keyOf));
        for (const finding of stored) if (finding.object.startsWith('Namespace//')) storedSubjects.add(finding.object);
        assert.deepEqual(sorted(about(storedSubjects, cluster)), sorted(about(storedSubjects, stored)), 'the cluster scan differs from a file scan of the same stored objects');

        // 2. Against the fixture: its objects, and namespaces it defines or the file scan reports on (a namespace the
        // fixture only names exists as an object in a cluster, never in the file).
        const subjects = new Set(objects.map(keyOf));
        for (const finding of file) if (finding.object.startsWith('Namespace//')) subjects.add(finding.object);
        assert.equal(about(subjects, file).length, file.length, 'a finding of the file scan is about an object the fixture does not name');
        const storedByKey = new Map(applied.stored.map((object) => [keyOf(object), object]));
        const found = differences(file, about(subjects, cluster), DEFAULTING, { stored: (object) => storedByKey.get(object) });
        const unexplained = found.filter((d) => !d.rule);
        assert.ok(unexplained.length === 0, `findings differ, and no defaulting rule explains it:\n${unexplained.map(describeDifference).join('\n')}`);
        for (const difference of found) {
          const paths = explained.get(difference.rule!) ?? new Set<string>();
          paths.add(fixture.path);
          explained.set(difference.rule!, paths);
        }
        if (found.length > 0) outcome.explained++;
        else outcome.identical++;
      } finally {
        await applier.undo();
      }
    });
  }

  it('every defaulting rule still explains a difference', () => {
    for (const rule of DEFAULTING) {
      assert.ok(explained.has(rule), `the rule "${rule.reason}" explains no difference any more: remove it`);
    }
  });
});

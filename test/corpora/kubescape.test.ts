/**
 * Cross-check against Kubescape's regolibrary rule tests (kubescape/regolibrary rules/<rule>/test/<case>, see the
 * corpus PROVENANCE.md). For each Kubescape rule that an Aspis check expresses, every test case's input objects go
 * through the Aspis checks (the engine, inventory included) and the result is compared with expected.json:
 *
 * - verdicts per object first: the set of objects Kubescape alerts on (`Kind/name`) must equal the set Aspis reports;
 * - RBAC rules report subjects, Aspis reports the role or binding: a role finding stands for every subject of every
 *   binding of the input that references that role, a binding finding for the binding's subjects;
 * - then field paths, for the rules whose paths mean the same (normalised where the two tools point at different
 *   fields of one env entry), when every Kubescape alert of the case carries a path.
 *
 * Cases whose configuration Aspis has no equivalent for are listed in NOT_COMPARABLE; disagreements are listed in
 * EXPLAINED with the reason. An unexplained disagreement fails the test, and so does a listed case that no longer
 * needs listing. The agreement figures are printed as one JSON line; ASPIS_CORPUS_DEBUG=1 also prints the
 * differences of the explained cases.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsyaml from 'js-yaml';
import { corpusDir, readCsv } from './corpus-location.js';
import { ALL_CHECKS } from '../../src/checks/index.js';
import { runChecks } from '../../src/core/engine/run-checks.js';
import type { RawFinding } from '../../src/core/engine/run-checks.js';
import { defaultCheckContext } from '../../src/core/model/check-context.js';
import { formatFieldPath } from '../../src/core/model/field-path.js';
import type { KubeObject, Resource } from '../../src/core/model/resource.js';
import { refOf } from '../../src/core/model/resource.js';

const root = corpusDir('kubescape-regolibrary');
const cases = readCsv(readFileSync(join(root, 'rule-tests-index.csv'), 'utf8'));

interface Alert {
  alertMessage?: string;
  failedPaths?: string[] | null;
  fixPaths?: { path: string }[] | null;
  reviewPaths?: string[] | null;
  deletePaths?: string[] | null;
  alertObject: {
    k8sApiObjects?: { kind?: string; metadata?: { name?: string } }[];
    externalObjects?: { kind?: string; name?: string };
  };
}

interface Adapter {
  /** Aspis checks whose findings express the Kubescape rule. */
  checks: readonly string[];
  /** Keeps only the findings the rule is about. */
  only?: (finding: RawFinding) => boolean;
  /** `objects`: alerted objects vs reported objects; `subjects`: alerted subjects vs subjects of reported RBAC objects. */
  compare: 'objects' | 'subjects';
  /** Compare field paths too (after `normalise`). */
  paths?: boolean;
  /** Settings from the case's data.json. */
  settings?: (data: Record<string, unknown>) => Record<string, unknown>;
  /** Why a case is not comparable given its data.json, if it is not. */
  notComparable?: (data: Record<string, unknown>) => string | undefined;
}

const lastSegment = (f: RawFinding) => f.violation.path[f.violation.path.length - 1];
const resourceField = (group: 'limits' | 'requests' | undefined, name: 'cpu' | 'memory') => (f: RawFinding) =>
  lastSegment(f) === name && (group === undefined || f.violation.path[f.violation.path.length - 2] === group);
const escalation = (verbs: readonly string[]) => (f: RawFinding) =>
  ((f.violation.evidence as { escalation?: string[] })?.escalation ?? []).some((v) => verbs.includes(v));
const rangeInputs = (data: Record<string, unknown>) =>
  Object.keys((data['postureControlInputs'] as object) ?? {}).some((k) => /_(max|min)$/.test(k))
    ? 'sets min/max thresholds for requests and limits; Aspis checks presence only'
    : undefined;

const resources = (group: 'limits' | 'requests' | undefined, name: 'cpu' | 'memory'): Adapter => ({
  checks: ['resource-limits'],
  only: resourceField(group, name),
  compare: 'objects',
  paths: true,
  notComparable: rangeInputs,
});

const DEFAULT_NAMESPACE_RULES = [
  'configmap-in-default-namespace', 'csistoragecapacity-in-default-namespace', 'endpoints-in-default-namespace',
  'endpointslice-in-default-namespace', 'horizontalpodautoscaler-in-default-namespace', 'ingress-in-default-namespace',
  'lease-in-default-namespace', 'persistentvolumeclaim-in-default-namespace', 'poddisruptionbudget-in-default-namespace',
  'pods-in-default-namespace', 'podtemplate-in-default-namespace', 'replicationcontroller-in-default-namespace',
  'resources-secret-in-default-namespace', 'role-in-default-namespace', 'rolebinding-in-default-namespace',
  'service-in-default-namespace', 'serviceaccount-in-default-namespace',
];

/** Kubescape rule → Aspis. */
const ADAPTERS: Readonly<Record<string, Adapter>> = {
  'immutable-container-filesystem': { checks: ['readonly-root-filesystem'], compare: 'objects', paths: true },
  'resources-cpu-limit-and-request': resources(undefined, 'cpu'),
  'resources-memory-limit-and-request': resources(undefined, 'memory'),
  'resources-cpu-limits': resources('limits', 'cpu'),
  'resources-memory-limits': resources('limits', 'memory'),
  'resources-cpu-requests': resources('requests', 'cpu'),
  'resources-memory-requests': resources('requests', 'memory'),
  'image-not-pinned-to-digest': { checks: ['image-digest-pinning'], compare: 'objects', paths: true },
  'container-image-repository': {
    checks: ['untrusted-registry'],
    compare: 'objects',
    paths: true,
    settings: (data) => ({
      allowedRegistries: ((data['postureControlInputs'] as Record<string, unknown>)?.['imageRepositoryAllowList'] as string[]) ?? [],
    }),
  },
  'rule-secrets-in-env-var': { checks: ['secrets-in-env'], compare: 'objects', paths: true },
  'rule-credentials-in-env-var': { checks: ['secrets-in-env', 'hardcoded-credentials-in-env'], compare: 'objects', paths: true },
  'automount-service-account': { checks: ['service-account-token-automount'], compare: 'objects', paths: true },
  'automount-default-service-account': { checks: ['default-service-account-automount'], compare: 'objects', paths: true },
  'internal-networking': { checks: ['namespace-without-network-policy'], compare: 'objects' },
  'cluster-admin-role': { checks: ['cluster-admin-binding'], compare: 'subjects' },
  'rule-list-all-cluster-admins-v1': { checks: ['rbac-wildcard'], compare: 'subjects' },
  'rule-can-list-get-secrets-v1': { checks: ['rbac-secret-access'], compare: 'subjects' },
  'rule-can-create-pod': { checks: ['rbac-create-pods'], compare: 'subjects' },
  'exec-into-container-v1': { checks: ['rbac-pod-exec'], compare: 'subjects' },
  // Kubescape points at the volume and its mount, Aspis at the volume's hostPath.path: objects are compared.
  'containers-mounting-docker-socket': { checks: ['container-runtime-socket'], compare: 'objects' },
  'rule-can-bind-escalate': { checks: ['rbac-escalation-verbs'], only: escalation(['bind', 'escalate']), compare: 'subjects' },
  'rule-can-impersonate-users-groups-v1': { checks: ['rbac-escalation-verbs'], only: escalation(['impersonate']), compare: 'subjects' },
  'rule-can-create-pv': { checks: ['rbac-create-persistent-volumes'], compare: 'subjects' },
  'rule-can-access-proxy-subresource': { checks: ['rbac-node-proxy'], compare: 'subjects' },
  'rule-can-approve-cert-signing-request': { checks: ['rbac-csr-approval'], compare: 'subjects' },
  'rule-can-modify-admission-webhooks': { checks: ['rbac-webhook-configuration'], compare: 'subjects' },
  'rule-can-create-service-account-token': { checks: ['rbac-create-service-account-tokens'], compare: 'subjects' },
  'anonymous-access-enabled': { checks: ['anonymous-access-binding'], compare: 'objects', paths: true },
  'ensure-default-service-accounts-has-only-default-roles': {
    checks: ['default-service-account-binding'],
    compare: 'objects',
    paths: true,
  },
  ...Object.fromEntries(DEFAULT_NAMESPACE_RULES.map((rule) => [rule, { checks: ['default-namespace'], compare: 'objects' } as Adapter])),
};

/** Cases (test_dir) where Aspis deliberately gives another result, with the reason. */
const EXPLAINED: Readonly<Record<string, string>> = {
  'rules/exec-into-container-v1/test/clusterrole':
    'the rule grants resources ["pods/*"], which the RBAC authorizer matches literally (only "*" and "*/<subresource>" ' +
    'are wildcards: ResourceMatches in kubernetes pkg/apis/rbac/v1/evaluation_helpers.go), so it does not grant pods/exec; ' +
    'test/rbac/api-server-agreement.test.ts confirms this against the API server',
  // Requests default to limits.
  'rules/resources-cpu-limit-and-request/test/pod-only-requests':
    'CPU limit without request: Kubernetes defaults the request to the limit, so Aspis reports nothing',
  'rules/resources-cpu-requests/test/pod-only-requests': 'same: the CPU request defaults to the limit',
  'rules/resources-memory-limit-and-request/test/pod-only-requests': 'same: the memory request defaults to the limit',
  'rules/resources-memory-requests/test/pod-only-requests': 'same: the memory request defaults to the limit',
  // Digest exemptions are waivers in Aspis.
  'rules/image-not-pinned-to-digest/test/pod-exempted-repo':
    'data.json exempts the repository from digest pinning; Aspis has no exemption setting (a waiver does that)',
  // Invalid references.
  'rules/container-image-repository/test/pod-passed':
    'the image "debian-azurecr.io/" has an empty repository path: not a valid reference, so Aspis cannot verify ' +
    'its registry and reports it',
  // Secret-looking literals: Kubescape matches substrings of names and values, Aspis whole words and token formats.
  'rules/rule-credentials-in-env-var/test/cronjob':
    'variable "pwd" = "Hpwd": Aspis does not treat PWD as a credential name (it is the shell working directory)',
  'rules/rule-credentials-in-env-var/test/deployment':
    'value "JWT" (the word, not a token): Aspis recognises JSON Web Tokens by their format (eyJ….eyJ….)',
  'rules/rule-credentials-in-env-var/test/pod':
    'value "my_key_value" under the name "some-name": Kubescape flags the substring "_key_" in any value; Aspis ' +
    'needs a credential name or a credential format',
  'rules/rule-credentials-in-env-var/test/pod-allowed-values-keys':
    'Kubescape flags "my_key_value" (substring "_key_") and, with data.json allow-lists, not "my_password"; Aspis ' +
    'reports my_password (a literal under a credential name) and DB_PASSWORD via secretKeyRef (secrets-in-env)',
  'rules/rule-credentials-in-env-var/test/workloads':
    'variable "azure_batch_key" = "Hello from the environment": Kubescape treats "key" in a name as sensitive; ' +
    'Aspis needs a credential word (KEY alone names too many non-secrets)',
  // Objects without metadata.namespace are not in the default namespace.
  'rules/pods-in-default-namespace/test/pod':
    'the Pod has no metadata.namespace: Kubescape assumes default; Aspis reports only an explicit namespace: default ' +
    '(the namespace is chosen at apply time)',
  'rules/role-in-default-namespace/test/role': 'same: the Role has no metadata.namespace',
  // RoleBindings to cluster-admin.
  'rules/cluster-admin-role/test/clusterrole-rolebinding':
    'a RoleBinding in kube-system to ClusterRole cluster-admin: Kubescape only reads ClusterRoleBindings; Aspis ' +
    'reports it (full control of the namespace, CIS 5.1.1)',
  // Roles naming cluster-scoped resources: the authorizer consults a Role only for requests in its namespace.
  'rules/rule-can-access-proxy-subresource/test/role-rolebinding':
    'a Role in kube-system lists nodes/proxy: nodes are cluster-scoped, so a Role grants nothing on them (only a ' +
    'ClusterRole bound by a ClusterRoleBinding does); Kubescape reports it, Aspis does not',
  'rules/rule-can-approve-cert-signing-request/test/role-rolebinding':
    'same: certificatesigningrequests/approval in a Role (CSRs are cluster-scoped)',
  'rules/rule-can-create-pv/test/role-rolebinding': 'same: persistentvolumes in a Role (cluster-scoped)',
  'rules/rule-can-modify-admission-webhooks/test/role-rolebinding':
    'same: webhook configurations in a Role (cluster-scoped)',
  // Built-in bindings.
  'rules/anonymous-access-enabled/test/fail':
    'the binding is the built-in system:public-info-viewer (/version, /healthz, /livez, /readyz); Aspis does not ' +
    'report system: bindings, which the API server recreates',
  'rules/ensure-default-service-accounts-has-only-default-roles/test/passed_rolebinding_one_subject':
    'the binding carries the label kubernetes.io/bootstrapping: rbac-defaults, which Kubescape trusts; anyone who ' +
    'can create a binding can set it and Kubernetes never binds a default service account, so Aspis reports it',
};

/** Cases (test_dir) that cannot be compared, with the reason; data.json-driven ones come from the adapters. */
const NOT_COMPARABLE: Readonly<Record<string, string>> = {
  'rules/resources-memory-limit-and-request/test/workload_passed':
    'upstream case has no input/ folder (its file sits next to expected.json): the rule receives no object',
  'rules/resources-memory-limits/test/workload_passed': 'same: no input/ folder upstream',
  'rules/resources-memory-requests/test/workload_passed': 'same: no input/ folder upstream',
  'rules/rule-credentials-in-env-var/test/pod-value-from-reference': 'same: no input/ folder upstream',
};

function loadObjects(dir: string, files: string[]): KubeObject[] {
  const objects: KubeObject[] = [];
  const add = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(add);
    else if (value !== null && typeof value === 'object') {
      const object = value as KubeObject;
      if (typeof object.kind === 'string' && object.kind.endsWith('List') && Array.isArray(object['items'])) object['items'].forEach(add);
      else objects.push(object);
    }
  };
  for (const file of files) jsyaml.loadAll(readFileSync(join(dir, file), 'utf8'), add, { schema: jsyaml.CORE_SCHEMA });
  return objects;
}

/** `…env[3].valueFrom.secretKeyRef` and `…env[3].name` both name env entry 3. */
function normalisePath(path: string): string {
  const match = /^(.*\.(?:env|envFrom)\[\d+\])/.exec(path);
  return match ? match[1]! : path;
}

function alertKey(alert: Alert): string {
  const object = alert.alertObject.k8sApiObjects?.[0];
  if (object) return `${object.kind}/${object.metadata?.name}`;
  const external = alert.alertObject.externalObjects;
  return `${external?.kind}/${external?.name}`;
}

function alertPaths(alert: Alert): string[] {
  return [
    ...(alert.failedPaths ?? []),
    ...(alert.fixPaths ?? []).map((p) => p.path),
    ...(alert.reviewPaths ?? []),
    ...(alert.deletePaths ?? []),
  ];
}

interface SubjectRecord {
  kind: string;
  name: string;
}

function subjectKeys(object: KubeObject): string[] {
  const subjects = Array.isArray(object['subjects']) ? (object['subjects'] as SubjectRecord[]) : [];
  return subjects.map((s) => `${s.kind}/${s.name}`);
}

/** Subjects a finding stands for: a binding's own, or those of every binding of the input referencing the role. */
function subjectsOfFinding(finding: RawFinding, objects: readonly KubeObject[]): string[] {
  const object = finding.resource?.object;
  if (!object) return [];
  if (object.kind === 'RoleBinding' || object.kind === 'ClusterRoleBinding') return subjectKeys(object);
  return objects
    .filter((b) => b.kind === 'RoleBinding' || b.kind === 'ClusterRoleBinding')
    .filter((b) => {
      const ref = b['roleRef'] as { kind?: string; name?: string } | undefined;
      if (ref?.kind !== object.kind || ref?.name !== object.metadata?.name) return false;
      return object.kind === 'ClusterRole' || b.metadata?.namespace === object.metadata?.namespace;
    })
    .flatMap(subjectKeys);
}

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();
const checksById = new Map(ALL_CHECKS.map((c) => [c.id, c]));

describe('kubescape regolibrary corpus', () => {
  const relevant = cases.filter((c) => ADAPTERS[c['rule_name']!] !== undefined);
  const figures = { cases: relevant.length, compared: 0, agree: 0, pathsCompared: 0, explained: 0, notComparable: 0 };
  const perRule: Record<string, { compared: number; agree: number }> = {};
  const seenExplained = new Set<string>();
  const seenNotComparable = new Set<string>();

  it('has test cases for every adapted rule, and every adapted check exists', () => {
    for (const rule of Object.keys(ADAPTERS)) assert.ok(relevant.some((c) => c['rule_name'] === rule), `no cases for ${rule}`);
    for (const adapter of Object.values(ADAPTERS)) for (const id of adapter.checks) assert.ok(checksById.has(id), `no check ${id}`);
  });

  for (const row of relevant) {
    const rule = row['rule_name']!;
    const testDir = row['test_dir']!;
    it(testDir, () => {
      const adapter = ADAPTERS[rule]!;
      const dir = join(root, testDir);
      const dataFile = join(dir, 'data.json');
      const data = existsSync(dataFile) ? (JSON.parse(readFileSync(dataFile, 'utf8')) as Record<string, unknown>) : {};
      const skip = NOT_COMPARABLE[testDir] ?? adapter.notComparable?.(data);
      if (skip) {
        if (NOT_COMPARABLE[testDir]) seenNotComparable.add(testDir);
        figures.notComparable++;
        return;
      }
      const files = row['input_files']!.split(';').filter((f) => f !== '');
      assert.ok(files.length > 0, `${testDir} has no input files: list it in NOT_COMPARABLE`);
      const objects = loadObjects(dir, files);
      const resources: Resource[] = objects.map((object, i) => ({
        object,
        ref: refOf(object),
        origin: { type: 'file', file: join(testDir, 'input'), documentIndex: i },
      }));
      const ctx = defaultCheckContext();
      if (adapter.settings) ctx.settings = { ...ctx.settings, ...adapter.settings(data) };
      const run = runChecks(resources, adapter.checks.map((id) => checksById.get(id)!), ctx);
      assert.deepEqual(run.failures, [], 'an Aspis check threw');
      const findings = run.findings.filter((f) => !adapter.only || adapter.only(f));
      const alerts = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Alert[];

      const theirs = sorted(alerts.map(alertKey));
      const ours =
        adapter.compare === 'subjects'
          ? sorted(findings.flatMap((f) => subjectsOfFinding(f, objects)))
          : sorted(findings.map((f) => `${f.ref.kind}/${f.ref.name}`));
      const differences: string[] = [];
      if (JSON.stringify(theirs) !== JSON.stringify(ours)) differences.push(`objects: Kubescape ${JSON.stringify(theirs)}, Aspis ${JSON.stringify(ours)}`);
      if (differences.length === 0 && adapter.paths && alerts.length > 0 && alerts.every((a) => alertPaths(a).length > 0)) {
        figures.pathsCompared++;
        const theirPaths = sorted(alerts.flatMap((a) => alertPaths(a).map((p) => `${alertKey(a)} ${normalisePath(p)}`)));
        const ourPaths = sorted(findings.map((f) => `${f.ref.kind}/${f.ref.name} ${normalisePath(formatFieldPath(f.violation.path))}`));
        if (JSON.stringify(theirPaths) !== JSON.stringify(ourPaths)) {
          differences.push(`paths: Kubescape ${JSON.stringify(theirPaths)}, Aspis ${JSON.stringify(ourPaths)}`);
        }
      }

      figures.compared++;
      perRule[rule] ??= { compared: 0, agree: 0 };
      perRule[rule]!.compared++;
      if (differences.length === 0) {
        assert.equal(EXPLAINED[testDir], undefined, `${testDir} agrees now: remove its explanation`);
        figures.agree++;
        perRule[rule]!.agree++;
        return;
      }
      assert.ok(EXPLAINED[testDir], `unexplained disagreement on ${testDir} (${adapter.checks.join(', ')}): ${differences.join('; ')}`);
      if (process.env.ASPIS_CORPUS_DEBUG) console.log(testDir, differences.join("; "));
      seenExplained.add(testDir);
      figures.explained++;
    });
  }

  it('lists no case that the corpus does not have or that no longer needs listing', () => {
    assert.deepEqual(Object.keys(EXPLAINED).filter((d) => !seenExplained.has(d)), []);
    assert.deepEqual(Object.keys(NOT_COMPARABLE).filter((d) => !seenNotComparable.has(d)), []);
    console.log(JSON.stringify({ corpus: 'kubescape-regolibrary', ...figures, perRule }));
  });
});

/**
 * Kubernetes Goat (madhuakula/kubernetes-goat, an intentionally vulnerable cluster; see the corpus PROVENANCE.md) as
 * an oracle of true positives. For every scenario whose risk can be seen in its manifests, VISIBLE lists the findings
 * (check id, object, and the field when it pins the risk) Aspis must report, and why; every scenario whose risk
 * lives elsewhere (in an image, in application code, in a tool run against the cluster) is in OUT_OF_SCOPE with the
 * reason. The manifests go through the real CLI (`aspis scan manifests … -o json`), as a user runs it: every scenario
 * folder except the ones NOT_SCANNED names, plus the Helm tiller chart of scenario 9 rendered with its values.
 *
 * Fails when an expected finding or Pod Security level is missing, when a scenario of PROVENANCE.md is in neither
 * list (or in both), when a scenario folder is neither scanned nor explained, or when the defensive Kyverno policy of
 * scenario 22 is reported. Extra findings (posture noise on manifests that rely on defaults) are not failures.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir } from './corpus-location.js';
import { renderValuesChart } from './render-values-chart.js';
import { runCli } from '../cli/run-cli.js';
import type { Report } from '../../src/core/model/report.js';
import type { ResourceRef } from '../../src/core/model/resource.js';

const root = corpusDir('kubernetes-goat');
const scenarioTitles = provenanceScenarios();

/** One finding Aspis must report: `Kind/namespace/name` (`Kind/name` without a namespace) and optionally its field. */
interface Expected {
  check: string;
  object: string;
  path?: string;
}

interface Scenario {
  /** Why these findings are the scenario's risk as its manifests show it. */
  why: string;
  findings: Expected[];
  /** Workloads that must not pass Pod Security baseline (the oracle in PROVENANCE.md). */
  privileged?: string[];
}

/** Scenario number (as in PROVENANCE.md; `setup` for the unnumbered insecure-rbac manifest) → what must be reported. */
const VISIBLE: Readonly<Record<string, Scenario>> = {
  '2': {
    why:
      'health-check is privileged and mounts the node\'s containerd socket (hostPath /run/containerd/containerd.sock, ' +
      'type Socket): from inside it, the runtime API starts containers on the host',
    findings: [
      { check: 'privileged-containers', object: 'Deployment/health-check-deployment', path: 'spec.template.spec.containers[0].securityContext.privileged' },
      { check: 'host-path-volumes', object: 'Deployment/health-check-deployment', path: 'spec.template.spec.volumes[0].hostPath' },
      { check: 'container-runtime-socket', object: 'Deployment/health-check-deployment', path: 'spec.template.spec.volumes[0].hostPath.path' },
    ],
    privileged: ['Deployment/health-check-deployment'],
  },
  '3': {
    why:
      'the SSRF itself is in the internal-proxy application; what lets it reach the metadata-db and the other ' +
      'internal services is the flat network: no NetworkPolicy in the default namespace',
    findings: [{ check: 'namespace-without-network-policy', object: 'Namespace/default' }],
  },
  '4': {
    why:
      'system-monitor is privileged, shares the host PID and IPC namespaces, allows privilege escalation and mounts ' +
      'the host root filesystem (hostPath /), which includes the runtime sockets under /run: a container escape by ' +
      'design',
    findings: [
      { check: 'privileged-containers', object: 'Deployment/default/system-monitor-deployment' },
      { check: 'host-namespaces', object: 'Deployment/default/system-monitor-deployment', path: 'spec.template.spec.hostPID' },
      { check: 'host-namespaces', object: 'Deployment/default/system-monitor-deployment', path: 'spec.template.spec.hostIPC' },
      { check: 'host-path-volumes', object: 'Deployment/default/system-monitor-deployment', path: 'spec.template.spec.volumes[0].hostPath' },
      { check: 'container-runtime-socket', object: 'Deployment/default/system-monitor-deployment', path: 'spec.template.spec.volumes[0].hostPath.path' },
      { check: 'allow-privilege-escalation', object: 'Deployment/default/system-monitor-deployment', path: 'spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation' },
    ],
    privileged: ['Deployment/default/system-monitor-deployment'],
  },
  '5': {
    why:
      'the docker-bench DaemonSet runs as root, privileged, in every host namespace, adds AUDIT_CONTROL, and mounts ' +
      '/etc, /var/lib, the runtime binaries and the Docker socket on every node',
    findings: [
      { check: 'privileged-containers', object: 'DaemonSet/docker-bench-security' },
      { check: 'host-namespaces', object: 'DaemonSet/docker-bench-security', path: 'spec.template.spec.hostPID' },
      { check: 'host-namespaces', object: 'DaemonSet/docker-bench-security', path: 'spec.template.spec.hostIPC' },
      { check: 'host-namespaces', object: 'DaemonSet/docker-bench-security', path: 'spec.template.spec.hostNetwork' },
      { check: 'added-capabilities', object: 'DaemonSet/docker-bench-security' },
      { check: 'run-as-user-root', object: 'DaemonSet/docker-bench-security', path: 'spec.template.spec.securityContext.runAsUser' },
      { check: 'host-path-volumes', object: 'DaemonSet/docker-bench-security', path: 'spec.template.spec.volumes[2].hostPath' },
      { check: 'container-runtime-socket', object: 'DaemonSet/docker-bench-security', path: 'spec.template.spec.volumes[6].hostPath.path' },
    ],
    privileged: ['DaemonSet/docker-bench-security'],
  },
  '6': {
    why:
      'the kube-bench Jobs share the host PID namespace and mount the node\'s Kubernetes, etcd and kubelet state ' +
      '(/etc/kubernetes, /var/lib/etcd, /var/lib/kubelet…) from an image tagged latest',
    findings: ['Job/kube-bench-master', 'Job/kube-bench-node'].flatMap((object) => [
      { check: 'host-namespaces', object, path: 'spec.template.spec.hostPID' },
      { check: 'host-path-volumes', object, path: 'spec.template.spec.volumes[0].hostPath' },
      { check: 'host-path-volumes', object, path: 'spec.template.spec.volumes[7].hostPath' },
      { check: 'image-tag-latest', object },
    ]),
    privileged: ['Job/kube-bench-master', 'Job/kube-bench-node'],
  },
  '8': {
    why: 'internal-proxy-info-app-service is of type NodePort (30003): the info app listens on every node, unauthenticated',
    findings: [{ check: 'node-port-services', object: 'Service/default/internal-proxy-info-app-service', path: 'spec.type' }],
  },
  '9': {
    why:
      'the chart tiller installs binds ClusterRole all-your-base (apiGroups, resources and verbs "*": cluster-admin ' +
      'under another name) to a service account, by default default/default',
    findings: [
      { check: 'rbac-wildcard', object: 'ClusterRole/all-your-base' },
      { check: 'rbac-secret-access', object: 'ClusterRole/all-your-base' },
      { check: 'rbac-create-pods', object: 'ClusterRole/all-your-base' },
      { check: 'rbac-escalation-verbs', object: 'ClusterRole/all-your-base' },
      { check: 'default-service-account-binding', object: 'ClusterRoleBinding/belong-to-us' },
    ],
  },
  '10': {
    why:
      'the miner itself is inside the image; what the Job shows is an image without a tag (whatever was pushed last ' +
      'runs) and no CPU or memory limit (a miner takes all the node gives it)',
    findings: [
      { check: 'image-tag-latest', object: 'Job/batch-check-job' },
      { check: 'resource-limits', object: 'Job/batch-check-job' },
    ],
  },
  '11': {
    why: 'the Redis cache in secure-middleware has no NetworkPolicy: pods of every namespace reach it',
    findings: [{ check: 'namespace-without-network-policy', object: 'Namespace/secure-middleware' }],
  },
  '12': {
    why: 'system-monitor puts Secret goatvault into its environment (K8S_GOAT_VAULT_KEY), where any process or crash dump sees it',
    findings: [
      {
        check: 'secrets-in-env',
        object: 'Deployment/default/system-monitor-deployment',
        path: 'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef',
      },
    ],
  },
  '13': {
    why:
      'hunger-check sets no resource requests or limits (they are commented out), so one pod can exhaust the node. ' +
      'The missing LimitRange/ResourceQuota of big-monolith is not checked yet (no check reads them)',
    findings: [{ check: 'resource-limits', object: 'Deployment/big-monolith/hunger-check-deployment' }],
  },
  '16': {
    why:
      'Role secret-reader grants get/list/watch on every core resource ("*"), Secrets included, to big-monolith-sa, ' +
      'whose token hunger-check mounts: anyone in the pod reads the namespace\'s Secrets',
    findings: [
      { check: 'rbac-secret-access', object: 'Role/big-monolith/secret-reader' },
      { check: 'rbac-wildcard', object: 'Role/big-monolith/secret-reader' },
      { check: 'service-account-token-automount', object: 'Deployment/big-monolith/hunger-check-deployment' },
      { check: 'service-account-object-automount', object: 'ServiceAccount/big-monolith/big-monolith-sa' },
    ],
  },
  setup: {
    why: 'insecure-rbac binds cluster-admin to ServiceAccount kube-system/superadmin, whose token mounts by default',
    findings: [
      { check: 'cluster-admin-binding', object: 'ClusterRoleBinding/superadmin' },
      { check: 'service-account-object-automount', object: 'ServiceAccount/kube-system/superadmin' },
    ],
  },
};

/** Scenarios whose risk no manifest shows, with the reason. */
const OUT_OF_SCOPE: Readonly<Record<string, string>> = {
  '1': 'the AWS keys and flag are committed in the application source and .git history inside the image; build-code.yaml is an ordinary Deployment',
  '7': 'the registry is unauthenticated at the application level and the secrets are baked into pushed images; the Deployment shows neither',
  '14': 'the scenario runs a hacker container with `kubectl run`: there is no manifest',
  '15': 'the secret is a file added then deleted in an image layer; the Job only names the image',
  '17–19': 'KubeAudit, Falco and Popeye are tools run against the cluster, not manifests',
  '20': 'the website and its NetworkPolicy exist only inline in the upstream guide, not as corpus manifests',
  '21': 'Cilium Tetragon is a runtime tool; there is no manifest',
  '22': 'the Kyverno ClusterPolicy is a guardrail, not a weakness: it must not be reported (checked below)',
};

/** Scenario folders not scanned, with the reason. */
const NOT_SCANNED: Readonly<Record<string, string>> = {
  'metadata-db':
    'a Helm chart with named templates (include, toYaml, with): it needs `helm template`, not installed here; it is ' +
    'the fake cloud metadata service of scenario 3, whose risk is the SSRF, not its manifests',
};

/** `Kind/namespace/name`, or `Kind/name` for objects without a namespace. */
function objectKey(ref: ResourceRef): string {
  return ref.namespace ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.name}`;
}

/** Scenario ids of the PROVENANCE.md table (`—` is the setup row). */
function provenanceScenarios(): Map<string, string> {
  const scenarios = new Map<string, string>();
  for (const line of readFileSync(join(root, 'PROVENANCE.md'), 'utf8').split('\n')) {
    const match = /^\| (\d+(?:–\d+)?|—) \| ([^|]+?) \|/.exec(line);
    if (match) scenarios.set(match[1] === '—' ? 'setup' : match[1]!, match[2]!);
  }
  return scenarios;
}

describe('Kubernetes Goat corpus', () => {
  const scenarioDirs = readdirSync(join(root, 'scenarios'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const scanned = scenarioDirs.filter((dir) => NOT_SCANNED[dir] === undefined).map((dir) => `scenarios/${dir}`);
  let report: Report;
  let exitCode: number;

  before(() => {
    const result = runCli(['scan', 'manifests', ...scanned, '-', '-o', 'json', '--fail-on', 'critical'], {
      cwd: root,
      input: renderValuesChart(join(root, 'infrastructure', 'helm-tiller', 'pwnchart')),
    });
    exitCode = result.code;
    assert.ok(result.stdout.startsWith('{'), `no JSON report; stderr: ${result.stderr}`);
    report = JSON.parse(result.stdout) as Report;
  });

  it('reads every manifest without an input error, and fails the run on the critical findings', () => {
    assert.deepEqual(report.errors, []);
    assert.equal(exitCode, 1);
  });

  it('lists every scenario of PROVENANCE.md exactly once, and every scenario folder', () => {
    const scenarios = scenarioTitles;
    assert.ok(scenarios.size >= 20, `only ${scenarios.size} scenarios parsed from PROVENANCE.md`);
    const listed = [...Object.keys(VISIBLE), ...Object.keys(OUT_OF_SCOPE)];
    assert.deepEqual(listed.filter((id, i) => listed.indexOf(id) !== i), [], 'a scenario is both visible and out of scope');
    assert.deepEqual([...scenarios.keys()].filter((id) => !listed.includes(id)), [], 'scenarios in neither list');
    assert.deepEqual(listed.filter((id) => !scenarios.has(id)), [], 'listed scenarios PROVENANCE.md does not have');
    assert.deepEqual(Object.keys(NOT_SCANNED).filter((dir) => !scenarioDirs.includes(dir)), []);
  });

  for (const [id, scenario] of Object.entries(VISIBLE)) {
    it(`scenario ${id}: ${scenarioTitles.get(id) ?? '(not in PROVENANCE.md)'}`, () => {
      const missing = scenario.findings.filter(
        (expected) =>
          !report.findings.some(
            (f) =>
              f.checkId === expected.check &&
              objectKey(f.resource) === expected.object &&
              (expected.path === undefined || f.path === expected.path),
          ),
      );
      const reportedOn = (object: string) =>
        [...new Set(report.findings.filter((f) => objectKey(f.resource) === object).map((f) => `${f.checkId} ${f.path}`))];
      assert.deepEqual(
        missing.map((m) => ({ ...m, reported: reportedOn(m.object) })),
        [],
        'expected findings not reported',
      );
      for (const object of scenario.privileged ?? []) {
        const summary = report.objects.find((o) => objectKey(o.resource) === object);
        assert.ok(summary, `${object} is not in the report`);
        assert.equal(summary.pssLevel, 'privileged', `${object} must fail Pod Security baseline`);
      }
    });
  }

  it('scenario 22: the Kyverno guardrail is read and not reported', () => {
    const policy = 'ClusterPolicy/deny-exec-in-vault-namespace';
    assert.ok(report.objects.some((o) => objectKey(o.resource) === policy), `${policy} was not read`);
    assert.deepEqual(report.findings.filter((f) => objectKey(f.resource) === policy), []);
  });

  it('names only checks that exist and ran', () => {
    const ran = new Set(report.checks.map((c) => c.id));
    const named = Object.values(VISIBLE).flatMap((s) => s.findings.map((f) => f.check));
    assert.deepEqual([...new Set(named)].filter((check) => !ran.has(check)), []);
    const expected = Object.values(VISIBLE).reduce((n, s) => n + s.findings.length, 0);
    console.log(
      JSON.stringify({
        corpus: 'kubernetes-goat',
        scenariosVisible: Object.keys(VISIBLE).length,
        scenariosOutOfScope: Object.keys(OUT_OF_SCOPE).length,
        expectedFindings: expected,
        reportedFindings: report.findings.length,
        objects: report.summary.objects,
      }),
    );
  });
});

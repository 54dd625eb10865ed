/**
 * `aspis scan cluster` end to end against a real kube-apiserver with kube-controller-manager (so a Deployment has
 * ReplicaSets and Pods), run as a user would run it (a child process), plus clusterBatches on the same server for
 * what the CLI does not show (paging, projection, progress events).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Report } from '../../src/core/model/report.js';
import { clusterBatches } from '../../src/sources/cluster/cluster-batches.js';
import type { ClusterBatch, ClusterBatchesOptions, ClusterProgress } from '../../src/sources/cluster/cluster-batches.js';
import { SCANNED_KINDS } from '../../src/sources/cluster/scanned-kinds.js';
import { formatRef } from '../../src/core/model/resource.js';
import { startControlPlane } from '../harness/control-plane.js';
import type { ControlPlane } from '../harness/control-plane.js';
import { REPO_ROOT, runCli } from '../cli/run-cli.js';
import { main } from '../../src/cli/main.js';
import { scannerRoleObjects } from '../../src/cli/commands/rbac-scanner-role.js';
import type { ApplyObject } from '../harness/control-plane.js';
import { temporaryDirectory } from '../harness/temporary-directory.js';

const WEB = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: registry.example.com/web:1.0
        securityContext: {privileged: true}
`;

const DEBUG_POD = `apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: shop}
spec:
  containers:
  - name: shell
    image: busybox:1.36
    securityContext: {privileged: true}
`;

function report(stdout: string): Report {
  return JSON.parse(stdout) as Report;
}

/**
 * Runs `aspis scan cluster ARGS` in this process (the same code as the binary, without a Node and tsx start-up of
 * seconds per run), the report written to a file and standard error captured.
 */
async function scanCluster(args: string[]): Promise<{ code: number; report: Report; stderr: string }> {
  const output = join(temporaryDirectory('aspis-report-'), 'report.json');
  let stderr = '';
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'aspis', 'scan', 'cluster', ...args, '-o', 'json', '--output-file', output]);
    return { code, report: JSON.parse(readFileSync(output, 'utf8')) as Report, stderr };
  } finally {
    process.stderr.write = write;
  }
}

async function collect(options: ClusterBatchesOptions): Promise<{ batches: ClusterBatch[]; events: ClusterProgress[] }> {
  const batches: ClusterBatch[] = [];
  const events: ClusterProgress[] = [];
  for await (const batch of clusterBatches({ ...options, onProgress: (event) => events.push(event) })) batches.push(batch);
  return { batches, events };
}

/** A kubeconfig like `from` with one line replaced (a token, a server address). */
function edited(from: string, find: RegExp, replace: string): string {
  const text = readFileSync(from, 'utf8');
  assert.match(text, find);
  const path = join(temporaryDirectory('aspis-kubeconfig-'), 'config');
  writeFileSync(path, text.replace(find, replace), { mode: 0o600 });
  return path;
}

describe('aspis scan cluster on a real API server', () => {
  let cp: ControlPlane;
  let deploymentUid: string;

  before(async () => {
    cp = await startControlPlane({ controllerManager: true });
    await cp.createNamespace('shop');
    const [deployment] = await cp.apply(WEB);
    deploymentUid = deployment!.metadata!.uid!;
    await cp.apply(DEBUG_POD);
    // Wait for the controllers: the Deployment's ReplicaSet and its two Pods.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const pods = await cp.request<{ items: { metadata: { ownerReferences?: { kind: string }[] } }[] }>('GET', '/api/v1/namespaces/shop/pods');
      if (pods.body.items.filter((p) => p.metadata.ownerReferences?.[0]?.kind === 'ReplicaSet').length === 2) break;
      assert.ok(Date.now() < deadline, 'the controller-manager did not create the Pods of the Deployment');
      await sleep(100);
    }
  });
  after(() => cp?.stop());

  it('-A: findings name the live object (kind/namespace/name, uid) and field path; Pods of the Deployment are reported through it', () => {
    const result = runCli(['scan', 'cluster', '--kubeconfig', cp.adminKubeconfig, '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const r = report(result.stdout);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.inputs, [`context aspis-admin@aspis-test (${cp.server}), all namespaces`]);
    const privileged = r.findings.filter((f) => f.checkId === 'privileged-containers');
    assert.deepEqual(
      privileged.map((f) => [formatRef(f.resource), f.path]),
      [
        ['Deployment/shop/web', 'spec.template.spec.containers[0].securityContext.privileged'],
        ['Pod/shop/debug', 'spec.containers[0].securityContext.privileged'],
      ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    );
    const deployment = privileged.find((f) => f.resource.kind === 'Deployment')!;
    assert.deepEqual(deployment.resource, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop', uid: deploymentUid });
    assert.equal(deployment.location, undefined);
    const scanned = r.objects.map((o) => formatRef(o.resource));
    assert.ok(scanned.includes('Namespace/shop') && scanned.includes('ClusterRole/cluster-admin'));
    assert.ok(!scanned.some((ref) => ref.startsWith('ReplicaSet/shop/') || ref.startsWith('Pod/shop/web-')), 'controlled objects scanned on their own');
    assert.equal(r.objects.find((o) => o.resource.name === 'web')?.pssLevel, 'privileged');
  });

  it('--fail-on decides the exit code; .aspis.yaml exceptions apply to live objects', async () => {
    assert.equal((await scanCluster(['--kubeconfig', cp.adminKubeconfig, '--fail-on', 'high'])).code, 1);
    const dir = temporaryDirectory('aspis-config-');
    writeFileSync(
      join(dir, '.aspis.yaml'),
      [
        'exceptions:',
        '  - checks: [privileged-containers]',
        '    resources: {kinds: [Deployment], namespaces: [shop], names: [web]}',
        '    reason: network appliance, reviewed',
        '    owner: team-net',
        '    expires: 2099-01-01',
      ].join('\n'),
    );
    const result = await scanCluster(['--kubeconfig', cp.adminKubeconfig, '-c', join(dir, '.aspis.yaml')]);
    assert.equal(result.code, 0, result.stderr);
    const r = result.report;
    assert.ok(!r.findings.some((f) => f.checkId === 'privileged-containers' && f.resource.name === 'web'));
    const waived = r.waived.find((f) => f.checkId === 'privileged-containers');
    assert.equal(waived?.resource.uid, deploymentUid);
    assert.equal(waived?.waiver?.reason, 'network appliance, reviewed');
  });

  it('-n scans the namespace and its Namespace object, not the cluster-scoped kinds, and says so', async () => {
    const result = await scanCluster(['--kubeconfig', cp.adminKubeconfig, '-n', 'shop']);
    assert.equal(result.code, 0, result.stderr);
    const r = result.report;
    const refs = r.objects.map((o) => formatRef(o.resource));
    assert.ok(refs.includes('Namespace/shop') && refs.includes('Deployment/shop/web') && refs.includes('ServiceAccount/shop/default'));
    assert.ok(refs.every((ref) => ref === 'Namespace/shop' || ref.split('/')[1] === 'shop'), refs.join(', '));
    assert.match(result.stderr, /not reading ClusterRole, ClusterRoleBinding, CiliumClusterwideNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy/);
    assert.deepEqual(r.inputs, [`context aspis-admin@aspis-test (${cp.server}), namespace shop`]);
  });

  it('-l selects by label; a selector or namespace matching nothing is an error (exit 2)', async () => {
    const selected = await scanCluster(['--kubeconfig', cp.adminKubeconfig, '-l', 'app=web']);
    assert.equal(selected.code, 0, selected.stderr);
    const refs = selected.report.objects.map((o) => formatRef(o.resource));
    // The Deployment; its ReplicaSet and Pods carry the label too and are reported through it.
    assert.deepEqual(refs, ['Deployment/shop/web']);

    const nothing = await scanCluster(['--kubeconfig', cp.adminKubeconfig, '-l', 'app=nothing']);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /label selector "app=nothing" matches no object in any namespace/);

    const missing = await scanCluster(['--kubeconfig', cp.adminKubeconfig, '-n', 'shop,nope']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /namespace "nope" does not exist/);
    assert.ok(missing.report.findings.some((f) => f.resource.name === 'web'), 'the existing namespace was not scanned');

    const invalid = await scanCluster(['--kubeconfig', cp.adminKubeconfig, '-l', 'app==(']);
    assert.equal(invalid.code, 2);
    assert.match(invalid.stderr, /label selector "app==\(" is invalid: /);
  });

  it('kinds the user may not list (403) are errors naming the permission, exit 2; what it may list is scanned', async () => {
    // alice may read the namespace, Pods and Deployments in shop: nothing else.
    await cp.apply(`apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: partial-reader, namespace: shop}
rules: [{apiGroups: ['', apps], resources: [pods, deployments], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: alice-partial-reader, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: partial-reader}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: namespace-shop-getter}
rules: [{apiGroups: [''], resources: [namespaces], resourceNames: [shop], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: alice-namespace-shop-getter}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: namespace-shop-getter}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
`);
    await cp.waitForRbacPropagation();
    const result = await scanCluster(['--kubeconfig', cp.kubeconfigFor('alice'), '-n', 'shop']);
    assert.equal(result.code, 2, result.stderr);
    const r = result.report;
    const missing = r.errors.map((e) => /missing permission: (.*); they were not scanned/.exec(e.message)?.[1]).filter(Boolean);
    assert.deepEqual(missing.sort(), [
      'list cronjobs.batch in namespace shop',
      'list daemonsets.apps in namespace shop',
      'list ingresses.networking.k8s.io in namespace shop',
      'list jobs.batch in namespace shop',
      'list networkpolicies.networking.k8s.io in namespace shop',
      'list podtemplates in namespace shop',
      'list replicasets.apps in namespace shop',
      'list replicationcontrollers in namespace shop',
      'list rolebindings.rbac.authorization.k8s.io in namespace shop',
      'list roles.rbac.authorization.k8s.io in namespace shop',
      'list serviceaccounts in namespace shop',
      'list services in namespace shop',
      'list statefulsets.apps in namespace shop',
    ]);
    assert.equal(r.errors.length, missing.length, r.errors.map((e) => e.message).join('\n'));
    assert.match(result.stderr, /cannot list ReplicaSet objects \(apps\/v1 replicasets\) in namespace shop: forbidden, missing permission: list replicasets\.apps in namespace shop/);
    const refs = r.objects.map((o) => formatRef(o.resource));
    assert.ok(refs.includes('Namespace/shop') && refs.includes('Deployment/shop/web') && refs.includes('Pod/shop/debug'));
    // The Deployment's Pods are scanned on their own: their controller, a ReplicaSet, could not be read.
    assert.equal(refs.filter((ref) => ref.startsWith('Pod/shop/web-')).length, 2);

    const everywhere = await scanCluster(['--kubeconfig', cp.kubeconfigFor('alice')]);
    assert.equal(everywhere.code, 2);
    assert.match(everywhere.stderr, /missing permission: list pods in all namespaces/);
    assert.match(everywhere.stderr, /missing permission: list clusterroles\.rbac\.authorization\.k8s\.io at cluster scope/);
  });

  it('with the read-only ClusterRole of `aspis rbac scanner-role` nothing is forbidden: exit 0, no error', async () => {
    const [, clusterRole] = scannerRoleObjects({ name: 'aspis-scanner', namespace: 'aspis' });
    await cp.apply([
      clusterRole as ApplyObject,
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'aspis-scanner-dave' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'aspis-scanner' },
        subjects: [{ kind: 'User', name: 'dave', apiGroup: 'rbac.authorization.k8s.io' }],
      } as ApplyObject,
    ]);
    await cp.waitForRbacPropagation();
    for (const scope of [[], ['-n', 'shop']]) {
      const result = await scanCluster(['--kubeconfig', cp.kubeconfigFor('dave'), ...scope]);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(result.report.errors, []);
      assert.ok(result.report.findings.some((f) => f.resource.uid === deploymentUid));
    }
  });

  it('rejected credentials (401), an unreachable server, an unknown context: one clear error each, exit 2', async () => {
    const token = cp.identity('alice').token!;
    const expired = edited(cp.kubeconfigFor('alice'), new RegExp(token), 'expired-or-revoked-token');
    const rejected = await scanCluster(['--kubeconfig', expired]);
    assert.equal(rejected.code, 2);
    assert.equal(
      rejected.stderr.trim(),
      `aspis: cluster: context alice@aspis-test (${cp.server}) rejected the credentials of user "alice" (401 Unauthorized): they are invalid or expired`,
    );
    assert.deepEqual(rejected.report.objects, []);

    const probe = createServer();
    await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((done) => probe.close(() => done()));
    const unreachable = edited(cp.adminKubeconfig, /https:\/\/127\.0\.0\.1:\d+/, `https://127.0.0.1:${port}`);
    const refused = await scanCluster(['--kubeconfig', unreachable]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, new RegExp(`cannot reach the API server of context aspis-admin@aspis-test \\(https://127\\.0\\.0\\.1:${port}\\): connection refused`));

    const context = await scanCluster(['--kubeconfig', cp.adminKubeconfig, '--context', 'prod']);
    assert.equal(context.code, 2);
    assert.match(context.stderr, /context "prod" is not in the kubeconfig .* \(its contexts: aspis-admin@aspis-test\)/);

    // A usage error: the binary, as main() throws it to its caller.
    const both = runCli(['scan', 'cluster', '--kubeconfig', cp.adminKubeconfig, '-A', '-n', 'shop']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /use either -n\/--namespace or -A\/--all-namespaces/);
  });

  it('a kind the server does not serve is an error; an optional one (a CRD not installed) is not', async () => {
    const widgets = { group: 'example.com', version: 'v1', resource: 'widgets', kind: 'Widget', namespaced: true };
    const { batches, events } = await collect({ kubeconfig: cp.adminKubeconfig, kinds: [...SCANNED_KINDS, widgets] });
    assert.deepEqual(
      batches.flatMap((b) => b.errors.map((e) => e.message)),
      ['the API server does not serve example.com/v1 widgets, so no Widget objects were read (is the API group example.com installed, at version v1?)'],
    );
    assert.deepEqual(
      events.filter((e) => e.type === 'not-served').map((e) => (e.type === 'not-served' ? e.kind : '')),
      ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'NetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy'],
    );
  });

  it('pages with limit and continue on the real server: every object once, as in one big page', async () => {
    const kinds = SCANNED_KINDS.filter((k) => k.kind === 'ClusterRole');
    const small = await collect({ kubeconfig: cp.adminKubeconfig, kinds, pageSize: 7 });
    const whole = await collect({ kubeconfig: cp.adminKubeconfig, kinds, pageSize: 5000 });
    const names = (batches: ClusterBatch[]) => batches.flatMap((b) => b.resources.map((r) => r.ref.name));
    assert.equal(whole.batches.length, 1);
    assert.ok(names(whole.batches).length > 50, 'the bootstrap ClusterRoles are missing');
    assert.equal(small.batches.length, Math.ceil(names(whole.batches).length / 7));
    assert.deepEqual(names(small.batches), names(whole.batches));
  });

  it('projects live objects: kind and apiVersion set; managedFields, status and the last-applied annotation dropped', async () => {
    const applied = await cp.kubectl(['apply', '-f', '-'], {
      input: 'apiVersion: v1\nkind: Service\nmetadata: {name: shop-api, namespace: shop, annotations: {team: shop}}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n',
    });
    assert.equal(applied.code, 0, applied.stderr);
    const raw = await cp.request<{ metadata: { managedFields?: unknown[]; annotations: Record<string, string> }; status?: unknown }>(
      'GET',
      '/api/v1/namespaces/shop/services/shop-api',
    );
    assert.ok(raw.body.metadata.managedFields && raw.body.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] && raw.body.status);
    const { batches, events } = await collect({ kubeconfig: cp.adminKubeconfig, namespaces: ['shop'], kinds: SCANNED_KINDS.filter((k) => k.kind === 'Service' || k.kind === 'Pod' || k.kind === 'ReplicaSet' || k.kind === 'Deployment') });
    const service = batches.flatMap((b) => b.resources).find((r) => r.ref.name === 'shop-api')!;
    assert.equal(service.object.kind, 'Service');
    assert.equal(service.object.apiVersion, 'v1');
    assert.equal(service.object['status'], undefined);
    assert.equal(service.object.metadata?.['managedFields'], undefined);
    assert.deepEqual(service.object.metadata?.annotations, { team: 'shop' });
    const done = events.find((e) => e.type === 'done');
    assert.deepEqual(done?.type === 'done' ? done.skippedByKind : undefined, { ReplicaSet: 1, Pod: 2 });
  });

  it('shows progress on a terminal: what it lists, then what it read and left out', () => {
    const command = [process.execPath, '--import', import.meta.resolve('tsx'), resolve(REPO_ROOT, 'src/cli/bin.ts'), 'scan', 'cluster', '--kubeconfig', cp.adminKubeconfig, '-o', 'json', '--output-file', '/dev/null']
      .map((arg) => `'${arg.replace(/'/g, "'\\''")}'`)
      .join(' ');
    // script(1) runs the command on a pseudo-terminal, as a user's shell would.
    const result = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(result.status, 0, result.stdout);
    assert.match(result.stdout, /aspis: read \d+ objects in [\d.]+ s; scanned \d+; left out 3 controlled by a scanned workload \(1 ReplicaSet, 2 Pod\), reported through their controller/);
  });
});

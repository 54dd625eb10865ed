/** The test control plane is real: version, authentication, RBAC, SubjectAccessReview, audit, controllers, cleanup. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startControlPlane, type ControlPlane } from './control-plane.js';

interface AuditEvent {
  level: string;
  verb: string;
  user: { username: string; groups?: string[] };
  objectRef?: { resource?: string; namespace?: string; name?: string; apiGroup?: string };
  responseStatus?: { code?: number };
  requestObject?: unknown;
  responseObject?: unknown;
}

function auditEvents(controlPlane: ControlPlane): AuditEvent[] {
  return readFileSync(controlPlane.auditLogPath, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as AuditEvent);
}

/** Running, that is: present and not a zombie (a killed orphan can wait a while for init to reap it). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function jwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

const podsReader = (namespace: string, name: string) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'Role',
  metadata: { namespace, name },
  rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
});

describe('control plane: etcd + kube-apiserver', () => {
  let cp: ControlPlane;
  before(async () => {
    cp = await startControlPlane();
  });
  after(() => cp?.stop());

  it('reports the pinned version to raw HTTPS, client-node and kubectl clients', async () => {
    const version = await cp.request<{ gitVersion: string; major: string; minor: string }>('GET', '/version');
    assert.equal(version.status, 200);
    assert.equal(version.body.gitVersion, 'v1.34.3');
    assert.equal(version.body.major, '1');
    assert.equal(version.body.minor, '34');
    assert.equal(cp.version, 'v1.34.3');
    const kubectl = await cp.kubectl(['version', '-o', 'json']);
    assert.equal((JSON.parse(kubectl.stdout) as { serverVersion: { gitVersion: string } }).serverVersion.gitVersion, 'v1.34.3');
    assert.match(cp.server, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(readFileSync(cp.adminKubeconfig, 'utf8'), new RegExp(`server: ${cp.server}`));
  });

  it('lets admin create a namespace and a privileged pod, which stays Pending', async () => {
    await cp.createNamespace('harness-pods', { labels: { team: 'a' } });
    const [pod] = await cp.apply(`
apiVersion: v1
kind: Pod
metadata: { name: root-shell, namespace: harness-pods }
spec:
  containers:
  - name: shell
    image: busybox:1.36
    securityContext: { privileged: true }
`);
    assert.equal(pod?.metadata?.name, 'root-shell');
    const read = await cp.request<{ spec: { serviceAccountName: string }; status: { phase: string } }>(
      'GET',
      '/api/v1/namespaces/harness-pods/pods/root-shell',
    );
    assert.equal(read.status, 200);
    assert.equal(read.body.spec.serviceAccountName, 'default', 'ServiceAccount admission ran');
    assert.equal(read.body.status.phase, 'Pending');
    const namespace = await cp.request<{ metadata: { labels: Record<string, string> } }>('GET', '/api/v1/namespaces/harness-pods');
    assert.equal(namespace.body.metadata.labels.team, 'a');
  });

  it('authenticates token and certificate identities with their groups', async () => {
    for (const name of ['alice', 'carol']) {
      const identity = cp.identity(name);
      const review = await cp.request<{ status: { userInfo: { username: string; groups: string[] } } }>(
        'POST',
        '/apis/authentication.k8s.io/v1/selfsubjectreviews',
        { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
        { identity: name },
      );
      assert.equal(review.status, 201, `${name}: ${JSON.stringify(review.body)}`);
      assert.equal(review.body.status.userInfo.username, identity.user);
      assert.deepEqual(review.body.status.userInfo.groups.sort(), [...identity.groups, 'system:authenticated'].sort());
    }
    assert.deepEqual(
      cp.identities.map((i) => [i.name, i.kind]),
      [['admin', 'cert'], ['alice', 'token'], ['bob', 'token'], ['carol', 'cert'], ['dave', 'cert'], ['nobody', 'token']],
    );
  });

  it('forbids an identity without grants (403) until a RoleBinding grants it', async () => {
    await cp.createNamespace('harness-rbac');
    const list = (identity: string) => cp.request('GET', '/api/v1/namespaces/harness-rbac/pods', undefined, { identity });
    assert.equal((await list('alice')).status, 403);
    assert.equal((await list('carol')).status, 403);
    const canI = await cp.kubectl(['auth', 'can-i', 'list', 'pods', '-n', 'harness-rbac'], { identity: 'alice' });
    assert.equal(canI.stdout.trim(), 'no');

    await cp.apply([
      podsReader('harness-rbac', 'pods-reader'),
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { namespace: 'harness-rbac', name: 'alice-and-ops-read-pods' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pods-reader' },
        subjects: [
          { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
          { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'ops' },
        ],
      },
    ]);
    await cp.waitForRbacPropagation();
    assert.equal((await list('alice')).status, 200);
    assert.equal((await list('carol')).status, 200, 'carol is in group ops through her certificate');
    assert.equal((await list('bob')).status, 403);
    assert.equal((await cp.kubectl(['auth', 'can-i', 'list', 'pods', '-n', 'harness-rbac'], { identity: 'alice' })).stdout.trim(), 'yes');
    const elsewhere = await cp.request('GET', '/api/v1/namespaces/default/pods', undefined, { identity: 'alice' });
    assert.equal(elsewhere.status, 403, 'a RoleBinding grants only in its namespace');
  });

  it('answers SubjectAccessReviews for users, groups and non-resource URLs', async () => {
    await cp.createNamespace('harness-sar');
    await cp.apply([
      podsReader('harness-sar', 'pods-reader'),
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { namespace: 'harness-sar', name: 'auditors-read-pods' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pods-reader' },
        subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'auditors' }],
      },
    ]);
    await cp.waitForRbacPropagation();
    const pods = (verb: string, namespace: string) => ({ resource: 'pods', verb, namespace });
    const cases: [string, Parameters<ControlPlane['subjectAccessReview']>[0], boolean][] = [
      ['group grant', { user: 'someone', groups: ['auditors'], resourceAttributes: pods('list', 'harness-sar') }, true],
      ['verb not granted', { user: 'someone', groups: ['auditors'], resourceAttributes: pods('delete', 'harness-sar') }, false],
      ['other namespace', { user: 'someone', groups: ['auditors'], resourceAttributes: pods('list', 'default') }, false],
      ['no group', { user: 'someone', resourceAttributes: pods('list', 'harness-sar') }, false],
      ['system:masters', { user: 'root', groups: ['system:masters'], resourceAttributes: { verb: 'delete', resource: 'nodes' } }, true],
      ['public info', { user: 'someone', groups: ['system:authenticated'], nonResourceAttributes: { path: '/version', verb: 'get' } }, true],
      ['metrics', { user: 'someone', groups: ['system:authenticated'], nonResourceAttributes: { path: '/metrics', verb: 'get' } }, false],
    ];
    for (const [label, spec, allowed] of cases) {
      const status = await cp.subjectAccessReview(spec);
      assert.equal(status.allowed, allowed, `${label}: ${JSON.stringify(status)}`);
    }
    const many = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        cp.subjectAccessReview({ user: `u${i}`, groups: i % 2 ? ['auditors'] : [], resourceAttributes: pods('get', 'harness-sar') }),
      ),
    );
    assert.deepEqual(
      many.map((s) => s.allowed),
      Array.from({ length: 200 }, (_, i) => i % 2 === 1),
    );
  });

  it('writes audit events: Metadata for most requests, RequestResponse for RBAC objects, none for SARs', async () => {
    await cp.createNamespace('harness-audit');
    await cp.apply(podsReader('harness-audit', 'audited-role'));
    const denied = await cp.request('GET', '/api/v1/namespaces/harness-audit/secrets', undefined, { identity: 'nobody' });
    assert.equal(denied.status, 403);
    const events = auditEvents(cp);
    const namespaceCreate = events.find(
      (e) => e.verb === 'create' && e.objectRef?.resource === 'namespaces' && e.objectRef.name === 'harness-audit',
    );
    assert.ok(namespaceCreate, 'namespace creation audited');
    assert.equal(namespaceCreate.level, 'Metadata');
    assert.equal(namespaceCreate.user.username, 'aspis-admin');
    assert.equal(namespaceCreate.requestObject, undefined);
    const roleApply = events.find((e) => e.objectRef?.resource === 'roles' && e.objectRef.name === 'audited-role');
    assert.ok(roleApply, 'role write audited');
    assert.equal(roleApply.level, 'RequestResponse');
    assert.ok(roleApply.responseObject, 'RBAC response body recorded');
    const forbidden = events.find((e) => e.user.username === 'nobody' && e.objectRef?.resource === 'secrets');
    assert.equal(forbidden?.responseStatus?.code, 403);
    assert.ok(!events.some((e) => e.objectRef === undefined && /readyz/.test(JSON.stringify(e))), 'health probes are not audited');
    await cp.subjectAccessReview({ user: 'nobody', resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'harness-audit' } });
    const selfReview = await cp.kubectl(['auth', 'can-i', 'get', 'pods', '-n', 'harness-audit'], { identity: 'nobody' });
    assert.equal(selfReview.stdout.trim(), 'no');
    const reviews = auditEvents(cp).filter((e) => e.objectRef?.apiGroup === 'authorization.k8s.io');
    assert.ok(reviews.some((e) => e.objectRef?.resource === 'selfsubjectaccessreviews' && e.user.username === 'nobody'));
    assert.equal(
      reviews.filter((e) => e.objectRef?.resource === 'subjectaccessreviews').length,
      0,
      'SubjectAccessReviews (the bulk query path) are not audited',
    );
  });

  it('issues service-account tokens with its issuer, which the apiserver accepts', async () => {
    await cp.createNamespace('harness-sa');
    const tokenRequest = await cp.request<{ status: { token: string } }>(
      'POST',
      '/api/v1/namespaces/harness-sa/serviceaccounts/default/token',
      { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 600 } },
    );
    assert.equal(tokenRequest.status, 201, JSON.stringify(tokenRequest.body));
    const token = tokenRequest.body.status.token;
    assert.equal(jwtPayload(token).iss, cp.serviceAccountIssuer);
    const review = await cp.request<{ status: { authenticated: boolean; user: { username: string } } }>(
      'POST',
      '/apis/authentication.k8s.io/v1/tokenreviews',
      { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
    );
    assert.equal(review.body.status.authenticated, true);
    assert.equal(review.body.status.user.username, 'system:serviceaccount:harness-sa:default');

    const kubeconfig = await cp.kubeconfigForServiceAccount('harness-sa', 'default');
    const denied = await cp.kubectl(['--kubeconfig', kubeconfig, 'get', 'secrets', '-n', 'harness-sa']);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /system:serviceaccount:harness-sa:default.*cannot list resource "secrets"/);
  });
  it('stop() kills every process and removes the work dir', async () => {
    await cp.stop();
    for (const pid of Object.values(cp.pids)) assert.equal(alive(pid), false, `pid ${pid} still alive`);
    assert.equal(existsSync(cp.workDir), false);
    await cp.stop(); // idempotent
  });
});

describe('control plane with kube-controller-manager', () => {
  let cp: ControlPlane;
  before(async () => {
    cp = await startControlPlane({ controllerManager: true });
  });
  after(() => cp?.stop());

  it('turns a Deployment into a ReplicaSet and Pending Pods owned by it', async () => {
    await cp.createNamespace('harness-deploy');
    const serviceAccount = await cp.request('GET', '/api/v1/namespaces/harness-deploy/serviceaccounts/default');
    assert.equal(serviceAccount.status, 200, 'the serviceaccount controller created the default ServiceAccount');
    await cp.apply(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: harness-deploy }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers: [{ name: web, image: nginx:1.27 }]
`);
    type Owned = { metadata: { name: string; ownerReferences?: { kind: string; name: string }[] }; status?: { phase?: string } };
    const pods = await eventually('2 pods', async () => {
      const list = await cp.request<{ items: Owned[] }>('GET', '/api/v1/namespaces/harness-deploy/pods?labelSelector=app%3Dweb');
      return list.body.items.length === 2 ? list.body.items : undefined;
    });
    const replicaSets = await cp.request<{ items: Owned[] }>('GET', '/apis/apps/v1/namespaces/harness-deploy/replicasets');
    assert.equal(replicaSets.body.items.length, 1);
    const replicaSet = replicaSets.body.items[0]!;
    assert.deepEqual(replicaSet.metadata.ownerReferences?.map((o) => [o.kind, o.name]), [['Deployment', 'web']]);
    for (const pod of pods) {
      assert.deepEqual(pod.metadata.ownerReferences?.map((o) => [o.kind, o.name]), [['ReplicaSet', replicaSet.metadata.name]]);
      assert.equal(pod.status?.phase, 'Pending');
    }
  });

  it('publishes kube-root-ca.crt and fills aggregated ClusterRoles', async () => {
    await cp.createNamespace('harness-ca');
    const configMap = await eventually('kube-root-ca.crt', async () => {
      const read = await cp.request<{ data: Record<string, string> }>('GET', '/api/v1/namespaces/harness-ca/configmaps/kube-root-ca.crt');
      return read.status === 200 ? read.body : undefined;
    });
    assert.equal(configMap.data['ca.crt']?.trim(), cp.caCert.trim());
    const view = await eventually('the view ClusterRole to aggregate rules', async () => {
      const read = await cp.request<{ rules?: { resources?: string[] }[] }>('GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles/view');
      return (read.body.rules?.length ?? 0) > 0 ? read.body : undefined;
    });
    assert.ok(view.rules?.some((r) => r.resources?.includes('pods')));
  });
});

describe('control plane processes', () => {
  it('leaves no process or directory behind when a test process is killed or ends without stop()', async () => {
    const script = fileURLToPath(new URL('./abandoned-control-plane.ts', import.meta.url));
    type Started = { server: string; pids: Record<string, number>; workDir: string; child: ChildProcess; exited: Promise<void> };
    const run = (mode: string) =>
      new Promise<Started>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script, mode], { stdio: ['pipe', 'pipe', 'inherit'] });
        const exited = new Promise<void>((done) => child.once('exit', () => done()));
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          if (out.includes('\n')) resolve({ ...(JSON.parse(out) as Omit<Started, 'child' | 'exited'>), child, exited });
        });
        child.once('exit', (code) => reject(new Error(`child (${mode}) exited with ${code} before its control plane was ready`)));
      });
    const [killed, forgotten] = await Promise.all([run('hang'), run('forget')]);
    assert.notEqual(killed.server, forgotten.server, 'concurrent control planes use different ports');
    for (const pid of [...Object.values(killed.pids), ...Object.values(forgotten.pids)]) assert.equal(alive(pid), true);
    killed.child.kill('SIGKILL'); // no exit handler runs: the watchdog must clean up
    forgotten.child.stdin?.end(); // the process ends normally without stop(): the exit handler must clean up
    await Promise.all([killed.exited, forgotten.exited]);
    for (const started of [killed, forgotten]) {
      await eventually(
        'processes and work dir to be gone',
        async () => (Object.values(started.pids).every((pid) => !alive(pid)) && !existsSync(started.workDir) ? true : undefined),
        10_000,
      );
    }
  });
});

/**
 * A real Kubernetes control plane for tests: etcd (Debian's etcd-server) + kube-apiserver, optionally
 * kube-controller-manager, at the release pinned in tools/k8s-control-plane/go.mod (v1.34.3), on loopback.
 *
 *   import { startControlPlane } from '../harness/control-plane.js';
 *   const cp = await startControlPlane();                          // or { controllerManager: true }
 *   after(() => cp.stop());
 *
 * What a ControlPlane gives a test (these names are stable; other suites build on them):
 *   server                 https://127.0.0.1:<port>; its certificate is signed by caCert (PEM) / caCertPath
 *   version                'v1.34.3' (what /version reports as gitVersion)
 *   adminKubeconfig        kubeconfig path of `admin` (client cert, group system:masters): may do anything
 *   identities             TestIdentity[]: { name, kind: 'token' | 'cert', user, groups, token? }. Defaults:
 *                          admin (cert, aspis-admin, [system:masters]), alice (token, [developers]),
 *                          bob (token, [developers, auditors]), carol (cert, [ops]), dave (cert, []),
 *                          nobody (token, []) — all but admin start with no grant. Add more with
 *                          startControlPlane({ identities: [...] }).
 *   kubeconfigFor(name)    kubeconfig path of one identity (certificates embedded: hand it to any client/subprocess)
 *   kubeConfig(name?)      the same loaded as a @kubernetes/client-node KubeConfig (admin by default)
 *   request(method, path, body?, { identity?, contentType?, timeoutMs? })
 *                          raw HTTPS over a keep-alive agent → { status, body } (never throws on HTTP status)
 *   subjectAccessReview(spec)  POST /apis/authorization.k8s.io/v1/subjectaccessreviews as admin → status
 *                          ({ allowed, denied?, reason?, evaluationError? }). This is the fast path for many SARs:
 *                          one keep-alive agent, no client library, not audited; issue them with bounded
 *                          concurrency (4–8 in flight is best on 2 cores: ~900–1,000 SARs/s, p50 3–6 ms; more in
 *                          flight only adds latency). admin is in system:masters, which API Priority and
 *                          Fairness exempts, so SARs are not throttled. Figures: npx tsx
 *                          test/harness/measure-control-plane.ts
 *   waitForRbacPropagation()  resolves once every RBAC object written before the call is visible to the
 *                          authorizer (the RBAC authorizer reads informer caches, so a write is not instantly
 *                          effective). Call it between loading RBAC objects and comparing SAR answers.
 *   apply(objects | yaml, { identity? })  server-side apply (field manager aspis-test, force) of objects or a
 *                          multi-document YAML/JSON string; resolves to the applied objects as the server returns them
 *   kubectl(args, { identity?, input? })  runs the installed kubectl with that identity's kubeconfig
 *                          → { code, stdout, stderr }
 *   serviceAccountToken(namespace, name, { expirationSeconds? })  a bound token from the TokenRequest API (1 h)
 *   kubeconfigForServiceAccount(namespace, name)  path of a kubeconfig authenticating as that ServiceAccount
 *   createNamespace(name, { labels? })  creates it and makes sure its `default` ServiceAccount exists (created here
 *                          when no controller-manager runs, awaited when one does), so Pods can be created in it
 *   auditLogPath           JSON-lines audit log, written before each response is sent: RequestResponse for
 *                          rbac.authorization.k8s.io, Metadata otherwise; SubjectAccessReviews and health probes
 *                          are not audited (test/harness/audit-policy.ts)
 *   serviceAccountIssuer   the issuer (iss claim) of service-account tokens; TokenRequest works without the
 *                          controller-manager
 *   controllerManager      whether kube-controller-manager runs: Deployments → ReplicaSets → Pods (they stay Pending:
 *                          no scheduler, no kubelet), ServiceAccounts and kube-root-ca.crt per namespace, namespace
 *                          deletion, garbage collection, ClusterRole aggregation. WITHOUT it: aggregated
 *                          ClusterRoles (admin, edit, view and your own aggregationRule roles) keep no rules, and a
 *                          deleted namespace stays Terminating.
 *   logs, pids, workDir    component logs and process ids (for debugging; ASPIS_KEEP_CONTROL_PLANE=1 keeps workDir)
 *   startupMs              wall time from the call to ready
 *   stop()                 kills every process of this control plane and removes its temp dir (also done on process
 *                          exit or signal, and by a watchdog if the test process is SIGKILLed)
 *
 * Authorization is Node,RBAC (users named system:node:* in group system:nodes are answered by the Node authorizer
 * first). Each startControlPlane() uses its own free loopback ports and temp dir, so test files running in
 * parallel never share or collide. Missing Kubernetes binaries are built once by tools/k8s-control-plane/build.sh
 * (minutes; .ci/run does it up front); missing etcd is an error that says to install etcd-server.
 * Start to ready takes ~3 s (etcd + kube-apiserver; +0.5–1 s with the controller-manager), measured on 2 busy cores
 * by test/harness/measure-control-plane.ts; RSS once ready: etcd ~45 MB, kube-apiserver ~275 MB, controller-manager
 * ~85 MB.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  KubeConfig,
  KubernetesObjectApi,
  type KubernetesObject,
  type V1SubjectAccessReviewSpec,
  type V1SubjectAccessReviewStatus,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { ApiConnection, type ApiResponse, type RequestOptions } from './api-connection.js';
import { AUDIT_POLICY } from './audit-policy.js';
import { ensureControlPlaneBinaries, KUBERNETES_VERSION, type ControlPlaneBinaries } from './control-plane-binaries.js';
import { freeLoopbackPorts } from './free-port.js';
import { renderKubeconfig } from './kubeconfig-file.js';
import { ProcessGroup, type SupervisedProcess } from './supervised-processes.js';
import { createTestPki, type TestPki } from './test-pki.js';
import { DEFAULT_IDENTITIES, tokenAuthFile, withTokens, type IdentitySpec, type TestIdentity } from './test-identities.js';

export type { IdentitySpec, TestIdentity } from './test-identities.js';
export type { ApiResponse } from './api-connection.js';
export { KUBERNETES_VERSION } from './control-plane-binaries.js';

export interface ControlPlaneOptions {
  /** Also run kube-controller-manager (adds ~0.5–1 s to startup and ~85 MB RSS). */
  controllerManager?: boolean;
  /** Extra identities besides the defaults (names must be unique). */
  identities?: IdentitySpec[];
  /** Authorization modes, default 'Node,RBAC'. */
  authorizationMode?: string;
  /** Give up starting after this long (default 120 s: a loaded 2-core host can be slow). */
  startTimeoutMs?: number;
}

export interface ControlPlane {
  readonly server: string;
  readonly version: string;
  readonly caCert: string;
  readonly caCertPath: string;
  readonly adminKubeconfig: string;
  readonly identities: readonly TestIdentity[];
  readonly auditLogPath: string;
  readonly serviceAccountIssuer: string;
  readonly controllerManager: boolean;
  readonly workDir: string;
  readonly logs: { etcd: string; apiserver: string; controllerManager?: string };
  readonly pids: { etcd: number; apiserver: number; controllerManager?: number };
  readonly startupMs: number;
  identity(name: string): TestIdentity;
  kubeconfigFor(identity: string): string;
  kubeConfig(identity?: string): KubeConfig;
  request<T = unknown>(method: string, path: string, body?: unknown, options?: RequestOptions & { identity?: string }): Promise<ApiResponse<T>>;
  subjectAccessReview(spec: V1SubjectAccessReviewSpec): Promise<V1SubjectAccessReviewStatus>;
  waitForRbacPropagation(): Promise<void>;
  apply(objects: string | ApplyObject | ApplyObject[], options?: { identity?: string }): Promise<KubernetesObject[]>;
  kubectl(args: string[], options?: { identity?: string; input?: string }): Promise<{ code: number; stdout: string; stderr: string }>;
  createNamespace(name: string, options?: { labels?: Record<string, string> }): Promise<void>;
  serviceAccountToken(namespace: string, name: string, options?: { expirationSeconds?: number }): Promise<string>;
  kubeconfigForServiceAccount(namespace: string, name: string): Promise<string>;
  stop(): Promise<void>;
}

/** Any Kubernetes object literal (rules, spec, data… beside apiVersion, kind and metadata). */
export type ApplyObject = KubernetesObject & Record<string, unknown>;

const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
const FIELD_MANAGER = 'aspis-test';
/** What kube-controller-manager runs: workloads down to Pods, per-namespace service accounts, cleanup, aggregation. */
const CONTROLLERS = [
  'deployment-controller',
  'replicaset-controller',
  'replicationcontroller-controller',
  'statefulset-controller',
  'daemonset-controller',
  'job-controller',
  'cronjob-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'root-ca-certificate-publisher-controller',
  'namespace-controller',
  'garbage-collector-controller',
  'clusterrole-aggregation-controller',
];

/** Thrown when a component could not bind its port (another process took it between our probe and its bind). */
class PortTaken extends Error {}

/** etcd fsyncs every write: on tmpfs that costs nothing, so the work dir goes to /dev/shm when there is one. */
function workDirBase(): string {
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

async function waitUntil(
  what: string,
  ready: () => Promise<boolean>,
  watched: SupervisedProcess[],
  deadline: number,
): Promise<void> {
  let lastError = '';
  for (;;) {
    for (const p of watched) {
      if (!p.running()) {
        const tail = p.logTail();
        if (/address already in use/.test(tail)) throw new PortTaken(`${p.name}: port taken`);
        throw new Error(`${p.name} exited while waiting for ${what}; last log lines (${p.logPath}):\n${tail}`);
      }
    }
    try {
      if (await ready()) return;
    } catch (error) {
      lastError = (error as Error).message;
    }
    if (Date.now() > deadline) {
      const tails = watched.map((p) => `--- ${p.name} (${p.logPath}):\n${p.logTail(15)}`).join('\n');
      throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}\n${tails}`);
    }
    await sleep(50);
  }
}

function etcdArgs(dataDir: string, clientPort: number, peerPort: number): string[] {
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return [
    '--name=aspis-test',
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=aspis-test=${peer}`,
    // One member on loopback: nobody to lose an election to, so elect within ~100 ms instead of ~1 s.
    '--heartbeat-interval=10',
    '--election-timeout=100',
    '--logger=zap',
    '--log-outputs=stderr',
    '--log-level=warn',
  ];
}

function apiserverArgs(dir: string, pki: TestPki, etcdPort: number, port: number, authorizationMode: string): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${port}`,
    `--cert-dir=${join(dir, 'apiserver-certs')}`,
    `--tls-cert-file=${pki.serving.cert}`,
    `--tls-private-key-file=${pki.serving.key}`,
    `--client-ca-file=${pki.caCert}`,
    `--authorization-mode=${authorizationMode}`,
    `--token-auth-file=${join(dir, 'tokens.csv')}`,
    `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
    `--service-account-key-file=${pki.serviceAccountPublicKey}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    '--service-cluster-ip-range=10.0.0.0/24',
    `--audit-policy-file=${join(dir, 'audit-policy.yaml')}`,
    `--audit-log-path=${join(dir, 'audit.log')}`,
    // Blocking: an event is in the file before the response is sent, so a test can read it right away.
    '--audit-log-mode=blocking',
    '--allow-privileged=true',
    // No kubelets or other apiservers on a loopback test host: nothing to reconcile the kubernetes Service against.
    '--endpoint-reconciler-type=none',
    '--profiling=false',
  ];
}

function controllerManagerArgs(dir: string, pki: TestPki): string[] {
  return [
    `--kubeconfig=${join(dir, 'kubeconfig-kube-controller-manager.yaml')}`,
    // Each controller acts as its own service account, with the RBAC bootstrap grants a real cluster gives it.
    '--use-service-account-credentials=true',
    `--service-account-private-key-file=${pki.serviceAccountKey}`,
    `--root-ca-file=${pki.caCert}`,
    `--controllers=${CONTROLLERS.join(',')}`,
    '--leader-elect=false',
    // No HTTPS endpoint: nothing scrapes it, and a fixed default port would collide between test files.
    '--secure-port=0',
    '--profiling=false',
  ];
}

function parseObjects(input: string | ApplyObject | ApplyObject[]): KubernetesObject[] {
  if (typeof input !== 'string') return Array.isArray(input) ? input : [input];
  const objects: KubernetesObject[] = [];
  for (const doc of parseAllDocuments(input)) {
    if (doc.errors.length > 0) throw new Error(`apply: invalid YAML: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as KubernetesObject | KubernetesObject[] | null;
    if (value === null) continue;
    if (Array.isArray(value)) objects.push(...value);
    else if ((value as { kind?: string }).kind === 'List') objects.push(...((value as { items: KubernetesObject[] }).items ?? []));
    else objects.push(value);
  }
  return objects;
}

function describeObject(o: KubernetesObject): string {
  return `${o.kind}/${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name ?? '?'}`;
}

/** The REST path of an object, from the server's discovery (cached per client) and the kubeconfig's namespace. */
class ResourcePaths extends KubernetesObjectApi {
  static of(kubeConfig: KubeConfig): ResourcePaths {
    const api = kubeConfig.makeApiClient(ResourcePaths);
    api.setDefaultNamespace(kubeConfig);
    return api;
  }

  pathOf(object: KubernetesObject): Promise<string> {
    return this.specUriPath({ ...object, metadata: { ...object.metadata } }, 'patch');
  }
}

class RunningControlPlane implements ControlPlane {
  readonly version = KUBERNETES_VERSION;
  readonly serviceAccountIssuer = SERVICE_ACCOUNT_ISSUER;
  readonly adminKubeconfig: string;
  readonly auditLogPath: string;
  readonly caCert: string;
  readonly caCertPath: string;
  readonly workDir: string;
  startupMs = 0;
  private readonly connections = new Map<string, ApiConnection>();
  private readonly kubeConfigs = new Map<string, KubeConfig>();
  private readonly objectApis = new Map<string, ResourcePaths>();

  constructor(
    readonly server: string,
    readonly identities: readonly TestIdentity[],
    private readonly pki: TestPki,
    private readonly group: ProcessGroup,
    readonly controllerManager: boolean,
    readonly logs: ControlPlane['logs'],
    readonly pids: ControlPlane['pids'],
  ) {
    this.workDir = group.workDir;
    this.caCertPath = pki.caCert;
    this.caCert = readFileSync(pki.caCert, 'utf8');
    this.adminKubeconfig = this.kubeconfigFor('admin');
    this.auditLogPath = join(this.workDir, 'audit.log');
  }

  identity(name: string): TestIdentity {
    const found = this.identities.find((i) => i.name === name);
    if (!found) throw new Error(`no test identity "${name}" (known: ${this.identities.map((i) => i.name).join(', ')})`);
    return found;
  }

  kubeconfigFor(identity: string): string {
    this.identity(identity);
    return join(this.workDir, `kubeconfig-${identity}.yaml`);
  }

  kubeConfig(identity = 'admin'): KubeConfig {
    let config = this.kubeConfigs.get(identity);
    if (!config) {
      config = new KubeConfig();
      config.loadFromFile(this.kubeconfigFor(identity));
      this.kubeConfigs.set(identity, config);
    }
    return config;
  }

  connection(identity = 'admin'): ApiConnection {
    let connection = this.connections.get(identity);
    if (!connection) {
      const id = this.identity(identity);
      const files = this.pki.clients.get(`user-${id.name}`);
      connection = new ApiConnection(this.server, this.caCert, {
        cert: files ? readFileSync(files.cert, 'utf8') : undefined,
        key: files ? readFileSync(files.key, 'utf8') : undefined,
        token: id.token,
      });
      this.connections.set(identity, connection);
    }
    return connection;
  }

  request<T = unknown>(method: string, path: string, body?: unknown, options: RequestOptions & { identity?: string } = {}) {
    return this.connection(options.identity).request<T>(method, path, body, options);
  }

  async subjectAccessReview(spec: V1SubjectAccessReviewSpec): Promise<V1SubjectAccessReviewStatus> {
    const response = await this.request<{ status?: V1SubjectAccessReviewStatus; message?: string }>(
      'POST',
      '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec },
    );
    if (response.status !== 201 || !response.body.status) {
      throw new Error(`SubjectAccessReview ${JSON.stringify(spec)}: HTTP ${response.status} ${JSON.stringify(response.body)}`);
    }
    return response.body.status;
  }

  async waitForRbacPropagation(): Promise<void> {
    // Informers deliver each kind's events in order, so once a fresh Role+RoleBinding and ClusterRole+
    // ClusterRoleBinding written now take effect, every earlier write of those four kinds has too.
    const id = randomBytes(6).toString('hex');
    const name = `aspis-rbac-sync-${id}`;
    const user = `aspis:rbac-sync:${id}`;
    const rule = (verb: string) => [{ apiGroups: ['sync.aspis.dev'], resources: ['probes'], verbs: [verb] }];
    const subjects = [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: user }];
    const rbac = '/apis/rbac.authorization.k8s.io/v1';
    const writes: [string, object][] = [
      [`${rbac}/clusterroles`, { metadata: { name }, rules: rule(`cluster-${id}`) }],
      [`${rbac}/clusterrolebindings`, { metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects }],
      [`${rbac}/namespaces/default/roles`, { metadata: { name }, rules: rule(`role-${id}`) }],
      [`${rbac}/namespaces/default/rolebindings`, { metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects }],
    ];
    for (const [path, body] of writes) {
      const response = await this.request('POST', path, body);
      if (response.status !== 201) throw new Error(`waitForRbacPropagation: POST ${path}: HTTP ${response.status}`);
    }
    const attributes = (verb: string, namespace?: string) => ({
      user,
      resourceAttributes: { group: 'sync.aspis.dev', resource: 'probes', verb, ...(namespace ? { namespace } : {}) },
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [cluster, namespaced] = await Promise.all([
        this.subjectAccessReview(attributes(`cluster-${id}`)),
        this.subjectAccessReview(attributes(`role-${id}`, 'default')),
      ]);
      if (cluster.allowed && namespaced.allowed) break;
      if (Date.now() > deadline) throw new Error('waitForRbacPropagation: RBAC writes not effective after 30 s');
      await sleep(10);
    }
    // Leave no sentinel behind: who-can style comparisons list every binding.
    await Promise.all(writes.map(([path]) => this.request('DELETE', `${path}/${name}`)));
  }

  private objectApi(identity: string): ResourcePaths {
    let api = this.objectApis.get(identity);
    if (!api) {
      api = ResourcePaths.of(this.kubeConfig(identity));
      this.objectApis.set(identity, api);
    }
    return api;
  }

  async apply(input: string | ApplyObject | ApplyObject[], options: { identity?: string } = {}): Promise<KubernetesObject[]> {
    const identity = options.identity ?? 'admin';
    const api = this.objectApi(identity);
    const applied: KubernetesObject[] = [];
    for (const object of parseObjects(input)) {
      // The object goes out as written: client-node's typed serializer would drop fields whose JSON name differs from
      // its TypeScript name (a NetworkPolicy rule's `from` is `_from` there, a schema's `default` is `_default`).
      const path = await api.pathOf(object).catch((error: Error) => {
        throw new Error(`apply ${describeObject(object)} as ${identity}: ${error.message}`);
      });
      const response = await this.request<KubernetesObject>('PATCH', `${path}?fieldManager=${FIELD_MANAGER}&force=true`, object, {
        identity,
        contentType: 'application/apply-patch+yaml',
      });
      if (response.status >= 300) {
        throw Object.assign(new Error(`apply ${describeObject(object)} as ${identity}: ${response.status} ${JSON.stringify(response.body)}`), {
          statusCode: response.status,
        });
      }
      applied.push(response.body);
    }
    return applied;
  }

  kubectl(args: string[], options: { identity?: string; input?: string } = {}) {
    const kubeconfig = this.kubeconfigFor(options.identity ?? 'admin');
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig }, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', (error) => reject(new Error(`kubectl: ${error.message} (apt-get install kubernetes-client)`)));
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(options.input ?? '');
    });
  }

  async createNamespace(name: string, options: { labels?: Record<string, string> } = {}): Promise<void> {
    const created = await this.request('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, ...(options.labels ? { labels: options.labels } : {}) },
    });
    if (created.status !== 201) throw new Error(`createNamespace ${name}: HTTP ${created.status} ${JSON.stringify(created.body)}`);
    await this.ensureDefaultServiceAccount(name);
  }

  /** Pods need their namespace's `default` ServiceAccount (ServiceAccount admission); the controller-manager makes it. */
  private async ensureDefaultServiceAccount(namespace: string, timeoutMs = 30_000): Promise<void> {
    const path = `/api/v1/namespaces/${namespace}/serviceaccounts`;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.controllerManager) {
        if ((await this.request('GET', `${path}/default`)).status === 200) return;
      } else {
        const response = await this.request('POST', path, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
        if (response.status === 201 || response.status === 409) return;
        // 404: the apiserver has not created this system namespace yet.
        if (response.status !== 404) throw new Error(`ServiceAccount ${namespace}/default: HTTP ${response.status} ${JSON.stringify(response.body)}`);
      }
      if (Date.now() > deadline) throw new Error(`ServiceAccount ${namespace}/default did not appear within ${timeoutMs} ms`);
      await sleep(25);
    }
  }

  async awaitSystemServiceAccounts(): Promise<void> {
    await Promise.all(['default', 'kube-system', 'kube-public'].map((ns) => this.ensureDefaultServiceAccount(ns)));
  }

  async serviceAccountToken(namespace: string, name: string, options: { expirationSeconds?: number } = {}): Promise<string> {
    const response = await this.request<{ status?: { token?: string } }>(
      'POST',
      `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
      { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: options.expirationSeconds ?? 3600 } },
    );
    const token = response.body.status?.token;
    if (response.status !== 201 || !token) {
      throw new Error(`TokenRequest for ServiceAccount ${namespace}/${name}: HTTP ${response.status} ${JSON.stringify(response.body)}`);
    }
    return token;
  }

  async kubeconfigForServiceAccount(namespace: string, name: string): Promise<string> {
    const token = await this.serviceAccountToken(namespace, name);
    const user = `system:serviceaccount:${namespace}:${name}`;
    const path = join(this.workDir, `kubeconfig-sa-${namespace}-${name}.yaml`);
    writeFileSync(path, renderKubeconfig(this.server, this.caCert, user, { token }), { mode: 0o600 });
    return path;
  }

  async stop(): Promise<void> {
    for (const connection of this.connections.values()) connection.close();
    this.connections.clear();
    await this.group.stop();
  }
}

function writeKubeconfig(dir: string, server: string, pki: TestPki, identity: TestIdentity | { name: string; user: string }, token?: string) {
  const ca = readFileSync(pki.caCert, 'utf8');
  const files = pki.clients.get(`user-${identity.name}`);
  const credentials = files
    ? { clientCertificate: readFileSync(files.cert, 'utf8'), clientKey: readFileSync(files.key, 'utf8') }
    : { token };
  writeFileSync(join(dir, `kubeconfig-${identity.name}.yaml`), renderKubeconfig(server, ca, identity.user, credentials), { mode: 0o600 });
}

function adminConnection(server: string, pki: TestPki): ApiConnection {
  const files = pki.clients.get('user-admin')!;
  return new ApiConnection(server, readFileSync(pki.caCert, 'utf8'), {
    cert: readFileSync(files.cert, 'utf8'),
    key: readFileSync(files.key, 'utf8'),
  });
}

/** Starts etcd, then kube-apiserver once the certificates exist; new ports and a fresh start if one was taken. */
async function startEtcdAndApiserver(
  group: ProcessGroup,
  binaries: ControlPlaneBinaries,
  pkiReady: Promise<TestPki>,
  authorizationMode: string,
  deadline: number,
): Promise<{ etcd: SupervisedProcess; apiserver: SupervisedProcess; server: string; pki: TestPki }> {
  const dir = group.workDir;
  for (let attempt = 1; ; attempt++) {
    const [etcdClient, etcdPeer, apiserverPort] = (await freeLoopbackPorts(3)) as [number, number, number];
    const etcd = group.spawn(`etcd-${attempt}`, binaries.etcd, etcdArgs(join(dir, `etcd-data-${attempt}`), etcdClient, etcdPeer));
    let apiserver: SupervisedProcess | undefined;
    let admin: ApiConnection | undefined;
    try {
      const [pki] = await Promise.all([
        pkiReady,
        waitUntil(
          'etcd to be healthy',
          async () => {
            const response = await fetch(`http://127.0.0.1:${etcdClient}/health`);
            return response.ok && ((await response.json()) as { health?: string }).health === 'true';
          },
          [etcd],
          deadline,
        ),
      ]);
      apiserver = group.spawn(`kube-apiserver-${attempt}`, binaries.apiserver, apiserverArgs(dir, pki, etcdClient, apiserverPort, authorizationMode));
      const server = `https://127.0.0.1:${apiserverPort}`;
      const probe = (admin = adminConnection(server, pki));
      await waitUntil('kube-apiserver /readyz', async () => (await probe.request('GET', '/readyz')).status === 200, [etcd, apiserver], deadline);
      return { etcd, apiserver, server, pki };
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt >= 5) throw error;
      await Promise.all([etcd.kill(), apiserver?.kill()]);
    } finally {
      admin?.close();
    }
  }
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const started = Date.now();
  const deadline = started + (options.startTimeoutMs ?? 120_000);
  const withControllerManager = options.controllerManager ?? false;
  const binaries = await ensureControlPlaneBinaries();
  const group = new ProcessGroup(mkdtempSync(join(workDirBase(), 'aspis-k8s-')));
  const dir = group.workDir;
  try {
    const identities = withTokens([...DEFAULT_IDENTITIES, ...(options.identities ?? [])]);
    const controllerManagerUser = { name: 'kube-controller-manager', user: 'system:kube-controller-manager', groups: [] };
    const pkiDir = join(dir, 'pki');
    mkdirSync(pkiDir);
    // etcd starts while openssl works: it needs no certificate.
    const pkiReady = createTestPki(pkiDir, [
      ...identities.filter((i) => i.kind === 'cert').map((i) => ({ name: `user-${i.name}`, user: i.user, groups: i.groups })),
      { ...controllerManagerUser, name: `user-${controllerManagerUser.name}` },
    ]);
    pkiReady.catch(() => undefined); // awaited below; this only stops an early failure from being "unhandled"
    writeFileSync(join(dir, 'tokens.csv'), tokenAuthFile(identities), { mode: 0o600 });
    writeFileSync(join(dir, 'audit-policy.yaml'), AUDIT_POLICY);

    const { etcd, apiserver, server, pki } = await startEtcdAndApiserver(
      group,
      binaries,
      pkiReady,
      options.authorizationMode ?? 'Node,RBAC',
      deadline,
    );

    for (const identity of identities) writeKubeconfig(dir, server, pki, identity, identity.token);
    writeKubeconfig(dir, server, pki, controllerManagerUser);

    let controllerManager: SupervisedProcess | undefined;
    if (withControllerManager) {
      controllerManager = group.spawn('kube-controller-manager', binaries.controllerManager, controllerManagerArgs(dir, pki));
    }
    const controlPlane = new RunningControlPlane(
      server,
      identities,
      pki,
      group,
      withControllerManager,
      { etcd: etcd.logPath, apiserver: apiserver.logPath, ...(controllerManager ? { controllerManager: controllerManager.logPath } : {}) },
      { etcd: etcd.pid, apiserver: apiserver.pid, ...(controllerManager ? { controllerManager: controllerManager.pid } : {}) },
    );
    // /readyz covers the RBAC bootstrap post-start hook; check its result too, so a test never races it.
    await waitUntil(
      'the RBAC bootstrap roles',
      async () => (await controlPlane.request('GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles/system:kube-controller-manager')).status === 200,
      [etcd, apiserver],
      deadline,
    );
    await waitUntil(
      withControllerManager ? 'kube-controller-manager to create the default ServiceAccounts' : 'the default ServiceAccounts',
      async () => {
        await controlPlane.awaitSystemServiceAccounts();
        return true;
      },
      [etcd, apiserver, ...(controllerManager ? [controllerManager] : [])],
      deadline,
    );
    controlPlane.startupMs = Date.now() - started;
    return controlPlane;
  } catch (error) {
    await group.stop();
    throw error;
  }
}

/**
 * The objects of a large synthetic cluster, as the API server returns them in LIST responses (no kind/apiVersion on
 * items; uid, resourceVersion, managedFields, defaulted specs, status), generated on demand from their position so
 * that a fixture server can serve the upstream scalability envelope without holding it in memory.
 *
 * Layout: `namespaces` namespaces `tenant-NNNNN`; in each one Service, one Deployment owning one ReplicaSet owning
 * `podsPerNamespace` Pods, whose pod spec comes from bench/workload-generator.ts (realistic mix of hardened and
 * careless containers). Names are zero-padded so that listing order (namespace, then name, as etcd keys) is the order
 * of the indices.
 */
import { workloadOf } from '../src/core/k8s/workload.js';
import { generateWorkload } from './workload-generator.js';

export type Item = Record<string, unknown>;

/** One collection of the fixture: `perNamespace` items in each namespace, or `clusterScoped` items in total. */
export interface FixtureCollection {
  /** `group/version/resource`, core group empty: `/v1/pods`, `apps/v1/deployments`. */
  key: string;
  listKind: string;
  apiVersion: string;
  namespaced: boolean;
  /** Items per namespace (namespaced), or in total (cluster-scoped). */
  count: number;
  /** JSON text of item `index` of namespace `namespace` (cluster-scoped: namespace is 0, index runs over all items). */
  json(namespace: number, index: number): string;
}

export interface FixtureClusterSize {
  namespaces: number;
  podsPerNamespace: number;
}

/** The upstream scalability envelope (kubernetes/community sig-scalability thresholds): 150,000 Pods, 10,000 namespaces. */
export const SCALABILITY_ENVELOPE: FixtureClusterSize = { namespaces: 10_000, podsPerNamespace: 15 };

const CREATED = '2026-01-05T09:12:44Z';
const STARTED = '2026-01-05T09:13:02Z';
/** The alphabet of Kubernetes' random name suffixes, sorted so that encoded numbers sort like the numbers. */
const SUFFIX_ALPHABET = '2456789bcdfghjklmnpqrstvwxz';

export function namespaceName(n: number): string {
  return `tenant-${String(n).padStart(5, '0')}`;
}

function appName(n: number): string {
  return `app-${String(n).padStart(5, '0')}`;
}

function suffix(value: number, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) {
    text = SUFFIX_ALPHABET[value % SUFFIX_ALPHABET.length] + text;
    value = Math.floor(value / SUFFIX_ALPHABET.length);
  }
  return text;
}

function uid(kind: number, n: number, j = 0): string {
  const hex = (value: number, width: number) => value.toString(16).padStart(width, '0');
  return `${hex(kind, 8)}-${hex(n >>> 16, 4)}-4${hex(n & 0xfff, 3)}-8${hex(j & 0xfff, 3)}-${hex(n * 131 + j, 12)}`;
}

function templateHash(n: number): string {
  return suffix((n * 2654435761) % 27 ** 10, 10);
}

/** managedFields' fieldsV1 for a value: the field set a manager owns, as the API server records it. */
function fieldsV1(value: unknown): Item {
  if (Array.isArray(value)) {
    const set: Item = {};
    value.forEach((element, i) => {
      const name = (element as Item | null)?.['name'];
      if (typeof name === 'string') set[`k:{"name":${JSON.stringify(name)}}`] = { '.': {}, ...fieldsV1(element) };
      else if (element !== null && typeof element === 'object') set[`k:${JSON.stringify(element)}`] = {};
      else set[`v:${JSON.stringify(element ?? i)}`] = {};
    });
    return set;
  }
  if (value === null || typeof value !== 'object') return {};
  const set: Item = {};
  for (const [key, field] of Object.entries(value as Item)) {
    const nested = fieldsV1(field);
    set[`f:${key}`] = field !== null && typeof field === 'object' && !Array.isArray(field) ? { '.': {}, ...nested } : nested;
  }
  return set;
}

function managedFields(manager: string, apiVersion: string, fields: Item, subresource?: string): Item {
  return {
    manager,
    operation: subresource ? 'Update' : 'Apply',
    apiVersion,
    time: CREATED,
    fieldsType: 'FieldsV1',
    fieldsV1: fieldsV1(fields),
    ...(subresource ? { subresource } : {}),
  };
}

/** A container with the defaults the API server fills in. */
function defaultContainer(container: Item): Item {
  const image = String(container['image'] ?? '');
  const probe = (value: unknown) => {
    if (value === null || typeof value !== 'object') return value;
    const p = value as Item;
    const http = p['httpGet'] ? { httpGet: { scheme: 'HTTP', ...(p['httpGet'] as Item) } } : {};
    return { timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3, ...p, ...http };
  };
  return {
    ...container,
    ports: ((container['ports'] as Item[] | undefined) ?? []).map((port) => ({ protocol: 'TCP', ...port })),
    resources: container['resources'] ?? {},
    ...(container['readinessProbe'] ? { readinessProbe: probe(container['readinessProbe']) } : {}),
    volumeMounts: [
      ...((container['volumeMounts'] as Item[] | undefined) ?? []),
      { name: 'kube-api-access', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
    ],
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: image.endsWith(':latest') ? 'Always' : 'IfNotPresent',
  };
}

/** A pod spec with the defaults the API server fills in; with a node name for a scheduled pod. */
function defaultPodSpec(spec: Item, node?: string): Item {
  const volumes = ((spec['volumes'] as Item[] | undefined) ?? []).map((volume) =>
    volume['configMap'] ? { ...volume, configMap: { defaultMode: 420, ...(volume['configMap'] as Item) } } : volume,
  );
  volumes.push({
    name: 'kube-api-access',
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  });
  const containers = (list: unknown) => (Array.isArray(list) ? list.map((c) => defaultContainer(c as Item)) : undefined);
  const initContainers = containers(spec['initContainers']);
  return {
    ...spec,
    volumes,
    ...(initContainers ? { initContainers } : {}),
    containers: containers(spec['containers']) ?? [],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    serviceAccount: spec['serviceAccountName'] ?? 'default',
    serviceAccountName: spec['serviceAccountName'] ?? 'default',
    ...(node ? { nodeName: node } : {}),
    securityContext: spec['securityContext'] ?? {},
    schedulerName: 'default-scheduler',
    tolerations: [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ],
    priority: 0,
    enableServiceLinks: true,
    preemptionPolicy: 'PreemptLowerPriority',
  };
}

/** A collection whose items are built as objects and serialised one by one. */
function objectCollection(collection: Omit<FixtureCollection, 'json'> & { item(namespace: number, index: number): Item }): FixtureCollection {
  return { ...collection, json: (namespace, index) => JSON.stringify(collection.item(namespace, index)) };
}

/** What every object of namespace n shares: the app's pod template, computed once per namespace and reused. */
interface NamespaceApp {
  n: number;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  podSpec: Item;
  hash: string;
  replicaSet: string;
  deploymentUid: string;
  replicaSetUid: string;
}

function appOf(n: number): NamespaceApp {
  const generated = generateWorkload(n);
  const workload = workloadOf(generated as never);
  if (!workload) throw new Error(`generated workload ${n} has no pod spec`);
  const name = appName(n);
  const hash = templateHash(n);
  const labels = { app: name, 'app.kubernetes.io/part-of': `shop-${n % 37}` };
  return {
    n,
    name,
    namespace: namespaceName(n),
    labels,
    podSpec: workload.podSpec,
    hash,
    replicaSet: `${name}-${hash}`,
    deploymentUid: uid(1, n),
    replicaSetUid: uid(2, n),
  };
}

/** The fixture's collections. `controllers`: also serve the Deployments and ReplicaSets that own the Pods. */
export function fixtureCollections(size: FixtureClusterSize, options: { controllers: boolean }): FixtureCollection[] {
  // The pod template of the last namespace asked for: pages walk a namespace's pods in a row.
  let cached: NamespaceApp | undefined;
  const app = (n: number): NamespaceApp => {
    if (cached?.n !== n) {
      cached = appOf(n);
    }
    return cached;
  };

  const rv = (n: number, j: number) => String(100_000 + n * (size.podsPerNamespace + 4) + j);

  const namespaces = objectCollection({
    key: '/v1/namespaces',
    listKind: 'NamespaceList',
    apiVersion: 'v1',
    namespaced: false,
    count: size.namespaces,
    item(_ns, n) {
      const name = namespaceName(n);
      const labels = { 'kubernetes.io/metadata.name': name, team: `team-${n % 50}` };
      return {
        metadata: {
          name,
          uid: uid(0, n),
          resourceVersion: rv(n, 0),
          creationTimestamp: CREATED,
          labels,
          managedFields: [managedFields('kubectl', 'v1', { metadata: { labels } })],
        },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      };
    },
  });

  const services = objectCollection({
    key: '/v1/services',
    listKind: 'ServiceList',
    apiVersion: 'v1',
    namespaced: true,
    count: 1,
    item(n) {
      const a = app(n);
      const clusterIP = `10.96.${(n >> 8) & 255}.${n & 255}`;
      const spec = {
        ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' }],
        selector: { app: a.name },
      };
      return {
        metadata: {
          name: a.name,
          namespace: a.namespace,
          uid: uid(3, n),
          resourceVersion: rv(n, 1),
          creationTimestamp: CREATED,
          labels: a.labels,
          managedFields: [managedFields('kubectl', 'v1', { metadata: { labels: a.labels }, spec })],
        },
        spec: {
          ...spec,
          clusterIP,
          clusterIPs: [clusterIP],
          type: 'ClusterIP',
          sessionAffinity: 'None',
          ipFamilies: ['IPv4'],
          ipFamilyPolicy: 'SingleStack',
          internalTrafficPolicy: 'Cluster',
        },
        status: { loadBalancer: {} },
      };
    },
  });

  const deployments = objectCollection({
    key: 'apps/v1/deployments',
    listKind: 'DeploymentList',
    apiVersion: 'apps/v1',
    namespaced: true,
    count: 1,
    item(n) {
      const a = app(n);
      const declared = {
        replicas: size.podsPerNamespace,
        selector: { matchLabels: { app: a.name } },
        template: { metadata: { labels: a.labels }, spec: a.podSpec },
      };
      const lastApplied = JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: a.name, namespace: a.namespace, labels: a.labels },
        spec: declared,
      });
      return {
        metadata: {
          name: a.name,
          namespace: a.namespace,
          uid: a.deploymentUid,
          resourceVersion: rv(n, 2),
          generation: 1,
          creationTimestamp: CREATED,
          labels: a.labels,
          annotations: { 'deployment.kubernetes.io/revision': '1', 'kubectl.kubernetes.io/last-applied-configuration': lastApplied },
          managedFields: [
            managedFields('kubectl', 'apps/v1', { metadata: { labels: a.labels }, spec: declared }),
            managedFields('kube-controller-manager', 'apps/v1', { status: { replicas: 1 } }, 'status'),
          ],
        },
        spec: {
          ...declared,
          template: { metadata: { creationTimestamp: null, labels: a.labels }, spec: defaultPodSpec(a.podSpec) },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
          revisionHistoryLimit: 10,
          progressDeadlineSeconds: 600,
        },
        status: {
          observedGeneration: 1,
          replicas: size.podsPerNamespace,
          updatedReplicas: size.podsPerNamespace,
          readyReplicas: size.podsPerNamespace,
          availableReplicas: size.podsPerNamespace,
          conditions: [
            { type: 'Available', status: 'True', lastUpdateTime: STARTED, lastTransitionTime: STARTED, reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' },
            { type: 'Progressing', status: 'True', lastUpdateTime: STARTED, lastTransitionTime: CREATED, reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${a.replicaSet}" has successfully progressed.` },
          ],
        },
      };
    },
  });

  const replicaSets = objectCollection({
    key: 'apps/v1/replicasets',
    listKind: 'ReplicaSetList',
    apiVersion: 'apps/v1',
    namespaced: true,
    count: 1,
    item(n) {
      const a = app(n);
      const labels = { ...a.labels, 'pod-template-hash': a.hash };
      const spec = {
        replicas: size.podsPerNamespace,
        selector: { matchLabels: { app: a.name, 'pod-template-hash': a.hash } },
        template: { metadata: { creationTimestamp: null, labels }, spec: defaultPodSpec(a.podSpec) },
      };
      return {
        metadata: {
          name: a.replicaSet,
          namespace: a.namespace,
          uid: a.replicaSetUid,
          resourceVersion: rv(n, 3),
          generation: 1,
          creationTimestamp: CREATED,
          labels,
          annotations: {
            'deployment.kubernetes.io/desired-replicas': String(size.podsPerNamespace),
            'deployment.kubernetes.io/max-replicas': String(Math.ceil(size.podsPerNamespace * 1.25)),
            'deployment.kubernetes.io/revision': '1',
          },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: a.name, uid: a.deploymentUid, controller: true, blockOwnerDeletion: true }],
          managedFields: [managedFields('kube-controller-manager', 'apps/v1', { metadata: { labels }, spec })],
        },
        spec,
        status: {
          replicas: size.podsPerNamespace,
          fullyLabeledReplicas: size.podsPerNamespace,
          readyReplicas: size.podsPerNamespace,
          availableReplicas: size.podsPerNamespace,
          observedGeneration: 1,
        },
      };
    },
  });

  /**
   * Pods are 90 % of the envelope: each namespace's pods are rendered once to a JSON text with @@placeholders@@ for
   * what differs between them (name, uid, node, IP, container ids), then filled in per pod.
   */
  let podTemplate: { n: number; json: string } | undefined;
  const podJsonTemplate = (n: number): string => {
    if (podTemplate?.n === n) return podTemplate.json;
    const a = app(n);
    const labels = { ...a.labels, 'pod-template-hash': a.hash };
    const spec: Item = { ...defaultPodSpec(a.podSpec), nodeName: '@@node@@' };
    const hostIP = `172.20.${(n >> 8) & 15}.${n & 255}`;
    const containers = spec['containers'] as Item[];
    const object = {
      metadata: {
        name: '@@name@@',
        generateName: `${a.replicaSet}-`,
        namespace: a.namespace,
        uid: '@@uid@@',
        resourceVersion: '@@rv@@',
        creationTimestamp: CREATED,
        labels,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: a.replicaSet, uid: a.replicaSetUid, controller: true, blockOwnerDeletion: true }],
        managedFields: [
          managedFields('kube-controller-manager', 'v1', { metadata: { generateName: '', labels, ownerReferences: [] }, spec: a.podSpec }),
          managedFields('kubelet', 'v1', { status: { conditions: [], containerStatuses: [], podIP: '', podIPs: [] } }, 'status'),
        ],
      },
      spec,
      status: {
        phase: 'Running',
        conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
          type,
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: STARTED,
        })),
        hostIP,
        hostIPs: [{ ip: hostIP }],
        podIP: '@@ip@@',
        podIPs: [{ ip: '@@ip@@' }],
        startTime: CREATED,
        containerStatuses: containers.map((c) => ({
          name: c['name'],
          state: { running: { startedAt: STARTED } },
          lastState: {},
          ready: true,
          restartCount: 0,
          image: c['image'],
          imageID: `${String(c['image']).replace(/:[^:/]*$/, '')}@sha256:@@digest@@`,
          containerID: 'containerd://@@container@@',
          started: true,
        })),
        qosClass: containers.every((c) => (c['resources'] as Item)['limits']) ? 'Burstable' : 'BestEffort',
      },
    };
    podTemplate = { n, json: JSON.stringify(object) };
    return podTemplate.json;
  };

  const pods: FixtureCollection = {
    key: '/v1/pods',
    listKind: 'PodList',
    apiVersion: 'v1',
    namespaced: true,
    count: size.podsPerNamespace,
    json(n, j) {
      const a = app(n);
      const id = uid(4, n, j);
      const values: Record<string, string> = {
        name: `${a.replicaSet}-${suffix(j * 4099 + ((n * 31) % 4099), 5)}`,
        uid: id,
        rv: rv(n, 4 + j),
        node: `node-${String((n * size.podsPerNamespace + j) % 5000).padStart(4, '0')}`,
        ip: `10.${64 + ((n >> 12) & 63)}.${(n >> 4) & 255}.${((n & 15) << 4) + (j & 15)}`,
        digest: id.replace(/-/g, '').padEnd(64, 'a'),
        container: id.replace(/-/g, '').padEnd(64, '0'),
      };
      return podJsonTemplate(n).replace(/@@(\w+)@@/g, (_, key: string) => values[key]!);
    },
  };

  return [namespaces, services, ...(options.controllers ? [deployments, replicaSets] : []), pods];
}

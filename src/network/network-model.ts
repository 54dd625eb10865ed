/**
 * Everything NetworkPolicy analysis reads from a set of Kubernetes objects: pod groups (workloads), namespaces and
 * their labels, NetworkPolicies (validated as the API server would), Services and Ingresses. Objects the API server
 * would reject are reported in `issues` (object, field, message) and left out; the rest is still analysed.
 */
import type { FieldPath } from '../core/model/field-path.js';
import type { KubeObject } from '../core/model/resource.js';
import { groupOf } from '../core/model/resource.js';
import type { NetworkPolicy } from '../core/k8s/network-policy.js';
import { isNetworkPolicy, parseNetworkPolicy } from '../core/k8s/network-policy.js';
import type { PolicyLookup } from '../core/k8s/network-verdict.js';
import { namespaceLabelsOf, stringLabels } from '../core/k8s/pod-network.js';
import type { ServiceInfo } from '../core/k8s/service.js';
import { isService, serviceOf } from '../core/k8s/service.js';
import type { PodGroup, PodsFrom } from './pod-groups.js';
import { podGroups } from './pod-groups.js';

export interface NamespaceInfo {
  name: string;
  /** The namespace's labels, `kubernetes.io/metadata.name` included (the API server always sets it). */
  labels: Readonly<Record<string, string>>;
  /** The Namespace object, when the input has one. */
  object?: KubeObject;
}

/** An Ingress rule's backend Service (for exposure). */
export interface IngressBackend {
  object: KubeObject;
  namespace: string;
  service: string;
  /** The Service port, by number or name; undefined when not given. */
  port: number | string | undefined;
}

export interface ModelIssue {
  object: KubeObject;
  path: FieldPath;
  field: string;
  message: string;
}

export interface NetworkModel {
  /** Pod groups, sorted by id. */
  groups: PodGroup[];
  /** Namespaces named by any object, or declared. */
  namespaces: Map<string, NamespaceInfo>;
  /** Valid NetworkPolicies, in input order. */
  policies: NetworkPolicy[];
  services: ServiceInfo[];
  ingressBackends: IngressBackend[];
  issues: ModelIssue[];
  /** Namespace of objects without metadata.namespace. */
  defaultNamespace: string;
  /** Policies by namespace and namespace labels, for the per-connection evaluation of src/core/k8s/network-verdict. */
  lookup: PolicyLookup;
}

export interface NetworkModelOptions {
  /** Namespace of objects without metadata.namespace (where `kubectl apply` would put them). Default `default`. */
  defaultNamespace?: string;
  /** Where pods come from: workload templates (manifests, the default) or Pod objects (a live cluster). */
  podsFrom?: PodsFrom;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function ingressBackendsOf(object: KubeObject, namespace: string): IngressBackend[] {
  const spec = isRecord(object['spec']) ? object['spec'] : {};
  const backends: IngressBackend[] = [];
  const add = (backend: unknown) => {
    if (!isRecord(backend)) return;
    // networking.k8s.io/v1: backend.service.{name, port.{number|name}}; v1beta1: backend.{serviceName, servicePort}.
    const service = backend['service'];
    if (isRecord(service) && typeof service['name'] === 'string') {
      const port = isRecord(service['port']) ? (service['port']['number'] ?? service['port']['name']) : undefined;
      backends.push({ object, namespace, service: service['name'], port: typeof port === 'number' || typeof port === 'string' ? port : undefined });
    } else if (typeof backend['serviceName'] === 'string') {
      const port = backend['servicePort'];
      backends.push({ object, namespace, service: backend['serviceName'], port: typeof port === 'number' || typeof port === 'string' ? port : undefined });
    }
  };
  add(spec['defaultBackend'] ?? spec['backend']);
  for (const rule of Array.isArray(spec['rules']) ? spec['rules'] : []) {
    const http = isRecord(rule) ? rule['http'] : undefined;
    for (const path of isRecord(http) && Array.isArray(http['paths']) ? http['paths'] : []) if (isRecord(path)) add(path['backend']);
  }
  return backends;
}

export function buildNetworkModel(input: Iterable<KubeObject>, options: NetworkModelOptions = {}): NetworkModel {
  const defaultNamespace = options.defaultNamespace ?? 'default';
  const objects = [...input];
  const issues: ModelIssue[] = [];
  const namespaces = new Map<string, NamespaceInfo>();
  const noteNamespace = (name: string, object?: KubeObject, labels?: Record<string, string>) => {
    const existing = namespaces.get(name);
    if (existing && (existing.object || !object)) return;
    namespaces.set(name, { name, labels: namespaceLabelsOf(name, labels), ...(object ? { object } : {}) });
  };
  const policies: NetworkPolicy[] = [];
  const services: ServiceInfo[] = [];
  const ingressBackends: IngressBackend[] = [];
  for (const object of objects) {
    const ns = object.metadata?.namespace;
    const namespace = typeof ns === 'string' && ns !== '' ? ns : defaultNamespace;
    if (object.kind === 'Namespace' && typeof object.apiVersion === 'string' && groupOf(object.apiVersion) === '') {
      const name = object.metadata?.name;
      if (typeof name === 'string' && name !== '') noteNamespace(name, object, stringLabels(object.metadata?.labels));
      continue;
    }
    if (isNetworkPolicy(object)) {
      const { policy, issues: problems } = parseNetworkPolicy(object, defaultNamespace);
      for (const problem of problems) issues.push({ object, ...problem });
      if (policy) policies.push(policy);
    } else if (isService(object)) {
      const service = serviceOf(object, defaultNamespace);
      if (service) services.push(service);
    } else if (object.kind === 'Ingress' && typeof object.apiVersion === 'string' && ['networking.k8s.io', 'extensions'].includes(groupOf(object.apiVersion))) {
      ingressBackends.push(...ingressBackendsOf(object, namespace));
    }
  }
  const groups = podGroups(objects, options.podsFrom ?? 'templates', defaultNamespace);
  for (const group of groups) noteNamespace(group.namespace);
  for (const policy of policies) noteNamespace(policy.namespace);
  for (const service of services) noteNamespace(service.namespace);

  const byNamespace = new Map<string, NetworkPolicy[]>();
  for (const policy of policies) {
    let list = byNamespace.get(policy.namespace);
    if (!list) byNamespace.set(policy.namespace, (list = []));
    list.push(policy);
  }
  const lookup: PolicyLookup = {
    policiesIn: (namespace) => byNamespace.get(namespace) ?? [],
    // A namespace no object names still has its name label (a namespaceSelector can only select existing ones).
    namespaceLabels: (namespace) => namespaces.get(namespace)?.labels ?? namespaceLabelsOf(namespace),
  };
  return { groups, namespaces, policies, services, ingressBackends, issues, defaultNamespace, lookup };
}

/**
 * Everything NetworkPolicy analysis reads from a set of Kubernetes objects: pod groups (workloads), namespaces and
 * their labels, NetworkPolicies (validated as the API server would), AdminNetworkPolicies and the
 * BaselineAdminNetworkPolicy, Services and Ingresses. Objects the API server
 * would reject are reported in `issues` (object, field, message) and left out; the rest is still analysed.
 */
import type { FieldPath } from '../core/model/field-path.js';
import type { KubeObject } from '../core/model/resource.js';
import { groupOf } from '../core/model/resource.js';
import type { AdminPolicy } from '../core/k8s/admin-network-policy.js';
import { adminEvaluationOrder, isAdminNetworkPolicy, parseAdminNetworkPolicy } from '../core/k8s/admin-network-policy.js';
import type { IngressBackend } from '../core/k8s/ingress-backend.js';
import { ingressBackendsOf, isIngress } from '../core/k8s/ingress-backend.js';
import type { NetworkPolicy } from '../core/k8s/network-policy.js';
import { isNetworkPolicy, parseNetworkPolicy } from '../core/k8s/network-policy.js';
import type { PolicyLookup } from '../core/k8s/network-verdict.js';
import { namespaceLabelsOf, stringLabels } from '../core/k8s/pod-network.js';
import type { ServiceInfo } from '../core/k8s/service.js';
import { isService, serviceOf } from '../core/k8s/service.js';
import type { PodGroup, PodsFrom } from './pod-groups.js';
import { podGroups } from './pod-groups.js';
import { AddressClasses } from './address-classes.js';

export interface NamespaceInfo {
  name: string;
  /** The namespace's labels, `kubernetes.io/metadata.name` included (the API server always sets it). */
  labels: Readonly<Record<string, string>>;
  /** The Namespace object, when the input has one. */
  object?: KubeObject;
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
  /** Valid AdminNetworkPolicies, in evaluation order (priority, then name). */
  adminPolicies: AdminPolicy[];
  /** The BaselineAdminNetworkPolicy (`default`), when the input has a valid one. */
  baselinePolicy: AdminPolicy | undefined;
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
  const admin: AdminPolicy[] = [];
  let baselinePolicy: AdminPolicy | undefined;
  const services: ServiceInfo[] = [];
  const ingressBackends: IngressBackend[] = [];
  for (const object of objects) {
    if (object.kind === 'Namespace' && typeof object.apiVersion === 'string' && groupOf(object.apiVersion) === '') {
      const name = object.metadata?.name;
      if (typeof name === 'string' && name !== '') noteNamespace(name, object, stringLabels(object.metadata?.labels));
      continue;
    }
    if (isAdminNetworkPolicy(object)) {
      const { policy, issues: problems } = parseAdminNetworkPolicy(object);
      for (const problem of problems) issues.push({ object, ...problem });
      if (policy?.kind === 'AdminNetworkPolicy') admin.push(policy);
      else if (policy) {
        if (baselinePolicy) issues.push({ object, path: ['metadata', 'name'], field: 'metadata.name', message: 'a second BaselineAdminNetworkPolicy "default": only one exists in a cluster (left out)' });
        else baselinePolicy = policy;
      }
    } else if (isNetworkPolicy(object)) {
      const { policy, issues: problems } = parseNetworkPolicy(object, defaultNamespace);
      for (const problem of problems) issues.push({ object, ...problem });
      if (policy) policies.push(policy);
    } else if (isService(object)) {
      const service = serviceOf(object, defaultNamespace);
      if (service) services.push(service);
    } else if (isIngress(object)) {
      ingressBackends.push(...ingressBackendsOf(object, defaultNamespace));
    }
  }
  const adminPolicies = adminEvaluationOrder(admin);
  // Pods the policies' ipBlocks tell apart by address go to separate groups (see pod-groups.ts).
  const classes = AddressClasses.of(policies, [...adminPolicies, ...(baselinePolicy ? [baselinePolicy] : [])]);
  const groups = podGroups(objects, options.podsFrom ?? 'templates', defaultNamespace, classes);
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
    ...(adminPolicies.length > 0 ? { adminPolicies } : {}),
    ...(baselinePolicy ? { baselinePolicy } : {}),
  };
  return { groups, namespaces, policies, adminPolicies, baselinePolicy, services, ingressBackends, issues, defaultNamespace, lookup };
}

/**
 * The kinds `aspis scan cluster` and `aspis inventory` read from a live cluster, one LIST at a time, in this order.
 * The scanner's read-only ClusterRole (`aspis rbac scanner-role`) is generated from this list, so adding a kind here
 * is the one change needed to scan it.
 */
export interface ScannedKind {
  group: string;
  version: string;
  /** Plural resource name, as in RBAC rules and URLs. */
  resource: string;
  kind: string;
  namespaced: boolean;
  /**
   * A kind only some clusters serve (installed with a CRD, e.g. by a CNI plugin): where the API server does not
   * serve it, there are none to read, which is not an error. Required kinds that are not served are errors.
   */
  optional?: boolean;
}

export const SCANNED_KINDS: readonly ScannedKind[] = [
  { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false },
  { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true },
  { group: '', version: 'v1', resource: 'podtemplates', kind: 'PodTemplate', namespaced: true },
  { group: '', version: 'v1', resource: 'replicationcontrollers', kind: 'ReplicationController', namespaced: true },
  { group: 'apps', version: 'v1', resource: 'replicasets', kind: 'ReplicaSet', namespaced: true },
  { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true },
  { group: 'apps', version: 'v1', resource: 'statefulsets', kind: 'StatefulSet', namespaced: true },
  { group: 'apps', version: 'v1', resource: 'daemonsets', kind: 'DaemonSet', namespaced: true },
  { group: 'batch', version: 'v1', resource: 'jobs', kind: 'Job', namespaced: true },
  { group: 'batch', version: 'v1', resource: 'cronjobs', kind: 'CronJob', namespaced: true },
  { group: '', version: 'v1', resource: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true },
  { group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true },
  { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', kind: 'Ingress', namespaced: true },
  { group: 'networking.k8s.io', version: 'v1', resource: 'networkpolicies', kind: 'NetworkPolicy', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles', kind: 'Role', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings', kind: 'RoleBinding', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', kind: 'ClusterRole', namespaced: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false },
  // Network policies of CNI plugins, which namespace-without-network-policy counts: without them a cluster running
  // Cilium or Calico would have every namespace reported as unprotected.
  { group: 'cilium.io', version: 'v2', resource: 'ciliumnetworkpolicies', kind: 'CiliumNetworkPolicy', namespaced: true, optional: true },
  { group: 'cilium.io', version: 'v2', resource: 'ciliumclusterwidenetworkpolicies', kind: 'CiliumClusterwideNetworkPolicy', namespaced: false, optional: true },
  { group: 'crd.projectcalico.org', version: 'v1', resource: 'networkpolicies', kind: 'NetworkPolicy', namespaced: true, optional: true },
  // Cluster-wide policies of sig-network's network-policy-api (CRDs), evaluated around NetworkPolicy by aspis netpol.
  { group: 'policy.networking.k8s.io', version: 'v1alpha1', resource: 'adminnetworkpolicies', kind: 'AdminNetworkPolicy', namespaced: false, optional: true },
  { group: 'policy.networking.k8s.io', version: 'v1alpha1', resource: 'baselineadminnetworkpolicies', kind: 'BaselineAdminNetworkPolicy', namespaced: false, optional: true },
];

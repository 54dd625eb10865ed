/**
 * CIS Kubernetes Benchmark v1.10.0, section 5 (Policies): every recommendation with its number and title as
 * published, and the checks that evidence it. Recommendations that objects cannot decide (cluster configuration,
 * admission plugins, external secret stores) list no check. Sections 1-4 concern control plane and node
 * configuration files and flags, which manifests and the API do not show. The one place this mapping lives.
 */
import type { Framework } from './framework.js';

export const cisKubernetesFramework: Framework = {
  id: 'cis-kubernetes-1.10',
  name: 'CIS Kubernetes Benchmark',
  version: '1.10.0',
  url: 'https://www.cisecurity.org/benchmark/kubernetes',
  controls: [
    // 5.1 RBAC and Service Accounts
    { id: '5.1.1', title: 'Ensure that the cluster-admin role is only used where required', checks: ['cluster-admin-binding'] },
    { id: '5.1.2', title: 'Minimize access to secrets', checks: ['rbac-secret-access'] },
    { id: '5.1.3', title: 'Minimize wildcard use in Roles and ClusterRoles', checks: ['rbac-wildcard'] },
    { id: '5.1.4', title: 'Minimize access to create pods', checks: ['rbac-create-pods'] },
    {
      id: '5.1.5',
      title: 'Ensure that default service accounts are not actively used',
      checks: ['default-service-account-automount', 'default-service-account-binding', 'default-service-account-used'],
    },
    {
      id: '5.1.6',
      title: 'Ensure that Service Account Tokens are only mounted where necessary',
      checks: ['service-account-token-automount', 'service-account-object-automount', 'default-service-account-automount'],
    },
    { id: '5.1.7', title: 'Avoid use of system:masters group', checks: ['system-masters-binding'] },
    {
      id: '5.1.8',
      title: 'Limit use of the Bind, Impersonate and Escalate permissions in the Kubernetes cluster',
      checks: ['rbac-escalation-verbs'],
    },
    { id: '5.1.9', title: 'Minimize access to create persistent volumes', checks: ['rbac-create-persistent-volumes'] },
    { id: '5.1.10', title: 'Minimize access to the proxy sub-resource of nodes', checks: ['rbac-node-proxy'] },
    {
      id: '5.1.11',
      title: 'Minimize access to the approval sub-resource of certificatesigningrequests objects',
      checks: ['rbac-csr-approval'],
    },
    { id: '5.1.12', title: 'Minimize access to webhook configuration objects', checks: ['rbac-webhook-configuration'] },
    { id: '5.1.13', title: 'Minimize access to the service account token creation', checks: ['rbac-create-service-account-tokens'] },
    // 5.2 Pod Security Standards
    { id: '5.2.1', title: 'Ensure that the cluster has at least one active policy control mechanism in place', checks: [] },
    { id: '5.2.2', title: 'Minimize the admission of privileged containers', checks: ['privileged-containers'] },
    {
      id: '5.2.3',
      title: 'Minimize the admission of containers wishing to share the host process ID namespace',
      checks: ['host-namespaces'],
    },
    { id: '5.2.4', title: 'Minimize the admission of containers wishing to share the host IPC namespace', checks: ['host-namespaces'] },
    {
      id: '5.2.5',
      title: 'Minimize the admission of containers wishing to share the host network namespace',
      checks: ['host-namespaces'],
    },
    { id: '5.2.6', title: 'Minimize the admission of containers with allowPrivilegeEscalation', checks: ['allow-privilege-escalation'] },
    { id: '5.2.7', title: 'Minimize the admission of root containers', checks: ['run-as-non-root', 'run-as-user-root'] },
    {
      id: '5.2.8',
      title: 'Minimize the admission of containers with the NET_RAW capability',
      checks: ['added-capabilities', 'capabilities-drop-all'],
    },
    {
      id: '5.2.9',
      title: 'Minimize the admission of containers with added capabilities',
      checks: ['added-capabilities', 'capabilities-drop-all'],
    },
    { id: '5.2.10', title: 'Minimize the admission of containers with capabilities assigned', checks: ['capabilities-drop-all'] },
    { id: '5.2.11', title: 'Minimize the admission of Windows HostProcess Containers', checks: ['windows-host-process'] },
    { id: '5.2.12', title: 'Minimize the admission of HostPath volumes', checks: ['host-path-volumes'] },
    { id: '5.2.13', title: 'Minimize the admission of containers which use HostPorts', checks: ['host-ports'] },
    // 5.3 Network Policies and CNI
    { id: '5.3.1', title: 'Ensure that the CNI in use supports Network Policies', checks: [] },
    { id: '5.3.2', title: 'Ensure that all Namespaces have Network Policies defined', checks: ['namespace-without-network-policy', 'namespace-without-default-deny'] },
    // 5.4 Secrets Management
    { id: '5.4.1', title: 'Prefer using secrets as files over secrets as environment variables', checks: ['secrets-in-env'] },
    { id: '5.4.2', title: 'Consider external secret storage', checks: [] },
    // 5.5 Extensible Admission Control
    { id: '5.5.1', title: 'Configure Image Provenance using ImagePolicyWebhook admission controller', checks: [] },
    // 5.7 General Policies
    { id: '5.7.1', title: 'Create administrative boundaries between resources using namespaces', checks: [] },
    {
      id: '5.7.2',
      title: 'Ensure that the seccomp profile is set to docker/default in your pod definitions',
      checks: ['seccomp-profile-restricted'],
    },
    {
      id: '5.7.3',
      title: 'Apply Security Context to Your Pods and Containers',
      checks: ['readonly-root-filesystem', 'run-as-non-root', 'allow-privilege-escalation', 'capabilities-drop-all'],
    },
    { id: '5.7.4', title: 'The default namespace should not be used', checks: ['default-namespace'] },
  ],
};

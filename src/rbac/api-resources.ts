/**
 * A built-in discovery table of the Kubernetes v1.34 API (resource names, groups, scope, short names, subresources),
 * so `aspis rbac` understands `pods`, `po`, `deployments.apps`, `deploy`, `pods/exec` or `csr/approval` without a
 * cluster, and knows which requests carry a namespace. Custom resources (and any resource not listed) must be written
 * `resource.group` (`widgets.example.com`); they are taken as namespaced, and `-A` asks without a namespace, which is
 * what the authorizer sees for a cluster-scoped resource.
 *
 * Which requests carry a namespace (requestinfo.go of k8s.io/apiserver, and the RBAC bind check):
 * - namespaced resources: the namespace of the request (none for lists and watches across all namespaces);
 * - cluster-scoped resources: none, except a request on one Namespace object (`/api/v1/namespaces/<name>[/sub]`),
 *   which carries that name as its namespace, and `bind` on roles/clusterroles, checked in the namespace of the
 *   RoleBinding being written.
 * Authorization-only resources (impersonation of users, groups, uids, userextras; certificate signers) are listed too.
 */

export interface ApiResource {
  group: string;
  resource: string;
  /** Empty for resources that exist only for authorization (impersonation targets, signers). */
  kind: string;
  namespaced: boolean;
  shortNames?: readonly string[];
  subresources?: readonly string[];
}

const R = (group: string, resource: string, kind: string, namespaced: boolean, shortNames: string[] = [], subresources: string[] = []): ApiResource => ({
  group,
  resource,
  kind,
  namespaced,
  ...(shortNames.length ? { shortNames } : {}),
  ...(subresources.length ? { subresources } : {}),
});

/** Built-in resources of Kubernetes v1.34 (beta and alpha APIs included, as RBAC rules may name them). Core first. */
export const API_RESOURCES: readonly ApiResource[] = [
  R('', 'bindings', 'Binding', true),
  R('', 'componentstatuses', 'ComponentStatus', false, ['cs']),
  R('', 'configmaps', 'ConfigMap', true, ['cm']),
  R('', 'endpoints', 'Endpoints', true, ['ep']),
  R('', 'events', 'Event', true, ['ev']),
  R('', 'limitranges', 'LimitRange', true, ['limits']),
  R('', 'namespaces', 'Namespace', false, ['ns'], ['finalize', 'status']),
  R('', 'nodes', 'Node', false, ['no'], ['proxy', 'status']),
  R('', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, ['pvc'], ['status']),
  R('', 'persistentvolumes', 'PersistentVolume', false, ['pv'], ['status']),
  R('', 'pods', 'Pod', true, ['po'], ['attach', 'binding', 'ephemeralcontainers', 'eviction', 'exec', 'log', 'portforward', 'proxy', 'resize', 'status']),
  R('', 'podtemplates', 'PodTemplate', true),
  R('', 'replicationcontrollers', 'ReplicationController', true, ['rc'], ['scale', 'status']),
  R('', 'resourcequotas', 'ResourceQuota', true, ['quota'], ['status']),
  R('', 'secrets', 'Secret', true),
  R('', 'serviceaccounts', 'ServiceAccount', true, ['sa'], ['token']),
  R('', 'services', 'Service', true, ['svc'], ['proxy', 'status']),
  R('', 'users', '', false),
  R('', 'groups', '', false),
  R('admissionregistration.k8s.io', 'mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', false),
  R('admissionregistration.k8s.io', 'validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', false),
  R('admissionregistration.k8s.io', 'validatingadmissionpolicies', 'ValidatingAdmissionPolicy', false, [], ['status']),
  R('admissionregistration.k8s.io', 'validatingadmissionpolicybindings', 'ValidatingAdmissionPolicyBinding', false),
  R('admissionregistration.k8s.io', 'mutatingadmissionpolicies', 'MutatingAdmissionPolicy', false),
  R('admissionregistration.k8s.io', 'mutatingadmissionpolicybindings', 'MutatingAdmissionPolicyBinding', false),
  R('apiextensions.k8s.io', 'customresourcedefinitions', 'CustomResourceDefinition', false, ['crd', 'crds'], ['status']),
  R('apiregistration.k8s.io', 'apiservices', 'APIService', false, [], ['status']),
  R('apps', 'controllerrevisions', 'ControllerRevision', true),
  R('apps', 'daemonsets', 'DaemonSet', true, ['ds'], ['status']),
  R('apps', 'deployments', 'Deployment', true, ['deploy'], ['scale', 'status']),
  R('apps', 'replicasets', 'ReplicaSet', true, ['rs'], ['scale', 'status']),
  R('apps', 'statefulsets', 'StatefulSet', true, ['sts'], ['scale', 'status']),
  R('authentication.k8s.io', 'selfsubjectreviews', 'SelfSubjectReview', false),
  R('authentication.k8s.io', 'tokenreviews', 'TokenReview', false),
  R('authentication.k8s.io', 'uids', '', false),
  R('authentication.k8s.io', 'userextras', '', false),
  R('authorization.k8s.io', 'localsubjectaccessreviews', 'LocalSubjectAccessReview', true),
  R('authorization.k8s.io', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', false),
  R('authorization.k8s.io', 'selfsubjectrulesreviews', 'SelfSubjectRulesReview', false),
  R('authorization.k8s.io', 'subjectaccessreviews', 'SubjectAccessReview', false),
  R('autoscaling', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, ['hpa'], ['status']),
  R('batch', 'cronjobs', 'CronJob', true, ['cj'], ['status']),
  R('batch', 'jobs', 'Job', true, [], ['status']),
  R('certificates.k8s.io', 'certificatesigningrequests', 'CertificateSigningRequest', false, ['csr'], ['approval', 'status']),
  R('certificates.k8s.io', 'clustertrustbundles', 'ClusterTrustBundle', false),
  R('certificates.k8s.io', 'signers', '', false),
  R('coordination.k8s.io', 'leases', 'Lease', true),
  R('coordination.k8s.io', 'leasecandidates', 'LeaseCandidate', true),
  R('discovery.k8s.io', 'endpointslices', 'EndpointSlice', true),
  R('events.k8s.io', 'events', 'Event', true, ['ev']),
  R('flowcontrol.apiserver.k8s.io', 'flowschemas', 'FlowSchema', false, [], ['status']),
  R('flowcontrol.apiserver.k8s.io', 'prioritylevelconfigurations', 'PriorityLevelConfiguration', false, [], ['status']),
  R('internal.apiserver.k8s.io', 'storageversions', 'StorageVersion', false, [], ['status']),
  R('networking.k8s.io', 'ingressclasses', 'IngressClass', false),
  R('networking.k8s.io', 'ingresses', 'Ingress', true, ['ing'], ['status']),
  R('networking.k8s.io', 'ipaddresses', 'IPAddress', false, ['ip']),
  R('networking.k8s.io', 'networkpolicies', 'NetworkPolicy', true, ['netpol']),
  R('networking.k8s.io', 'servicecidrs', 'ServiceCIDR', false, [], ['status']),
  R('node.k8s.io', 'runtimeclasses', 'RuntimeClass', false),
  R('policy', 'poddisruptionbudgets', 'PodDisruptionBudget', true, ['pdb'], ['status']),
  R('rbac.authorization.k8s.io', 'clusterrolebindings', 'ClusterRoleBinding', false),
  R('rbac.authorization.k8s.io', 'clusterroles', 'ClusterRole', false),
  R('rbac.authorization.k8s.io', 'rolebindings', 'RoleBinding', true),
  R('rbac.authorization.k8s.io', 'roles', 'Role', true),
  R('resource.k8s.io', 'deviceclasses', 'DeviceClass', false),
  R('resource.k8s.io', 'devicetaintrules', 'DeviceTaintRule', false),
  R('resource.k8s.io', 'resourceclaims', 'ResourceClaim', true, [], ['status']),
  R('resource.k8s.io', 'resourceclaimtemplates', 'ResourceClaimTemplate', true),
  R('resource.k8s.io', 'resourceslices', 'ResourceSlice', false),
  R('scheduling.k8s.io', 'priorityclasses', 'PriorityClass', false, ['pc']),
  R('storage.k8s.io', 'csidrivers', 'CSIDriver', false),
  R('storage.k8s.io', 'csinodes', 'CSINode', false),
  R('storage.k8s.io', 'csistoragecapacities', 'CSIStorageCapacity', true),
  R('storage.k8s.io', 'storageclasses', 'StorageClass', false, ['sc']),
  R('storage.k8s.io', 'volumeattachments', 'VolumeAttachment', false, [], ['status']),
  R('storage.k8s.io', 'volumeattributesclasses', 'VolumeAttributesClass', false, ['vac']),
  R('storagemigration.k8s.io', 'storageversionmigrations', 'StorageVersionMigration', false, [], ['status']),
];

export interface ResolvedResource {
  group: string;
  resource: string;
  subresource?: string;
  namespaced: boolean;
  /** False for a `resource.group` not in the table (a custom resource), taken as namespaced. */
  builtIn: boolean;
}

export class UnknownResourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownResourceError';
  }
}

function lookup(name: string, group?: string): ApiResource | undefined {
  const candidates = group === undefined ? API_RESOURCES : API_RESOURCES.filter((r) => r.group === group);
  return (
    candidates.find((r) => r.resource === name) ??
    candidates.find((r) => r.kind !== '' && r.kind.toLowerCase() === name) ??
    candidates.find((r) => r.shortNames?.includes(name))
  );
}

/**
 * Resolves what a user types, as kubectl does: `pods`, `pod`, `po`, `deployments.apps`, `deploy`,
 * `csr/approval`, `widgets.example.com`, `*`. Throws UnknownResourceError for a name without a group that is not
 * built in, and for a subresource a built-in resource does not have.
 */
export function resolveResource(input: string): ResolvedResource {
  const slash = input.indexOf('/');
  const base = slash < 0 ? input : input.slice(0, slash);
  const subresource = slash < 0 ? undefined : input.slice(slash + 1);
  if (base === '' || subresource === '') throw new UnknownResourceError(`"${input}" is not a resource: expected RESOURCE[.GROUP][/SUBRESOURCE], e.g. pods, deployments.apps, pods/exec`);
  const withSub = (resolved: ResolvedResource): ResolvedResource => (subresource === undefined ? resolved : { ...resolved, subresource });

  if (base === '*') return withSub({ group: '', resource: '*', namespaced: true, builtIn: true });
  const dot = base.indexOf('.');
  const name = (dot < 0 ? base : base.slice(0, dot)).toLowerCase();
  const group = dot < 0 ? undefined : base.slice(dot + 1);
  if (name === '*') return withSub({ group: group ?? '', resource: '*', namespaced: true, builtIn: true });
  const known = lookup(name, group);
  if (known) {
    if (subresource !== undefined && subresource !== '*' && !(known.subresources ?? []).includes(subresource)) {
      const list = known.subresources?.length ? `its subresources are ${known.subresources.join(', ')}` : 'it has no subresources';
      throw new UnknownResourceError(`${known.resource}${known.group ? `.${known.group}` : ''} has no subresource "${subresource}": ${list}`);
    }
    return withSub({ group: known.group, resource: known.resource, namespaced: known.namespaced, builtIn: true });
  }
  if (group === undefined) {
    throw new UnknownResourceError(
      `unknown resource "${base}": not a built-in Kubernetes resource; write a custom resource as RESOURCE.GROUP (plural name and API group, e.g. widgets.example.com)`,
    );
  }
  if (group !== '' && API_RESOURCES.some((r) => r.group === group)) {
    throw new UnknownResourceError(`unknown resource "${name}" in built-in API group "${group}": resources of ${group} are ${API_RESOURCES.filter((r) => r.group === group).map((r) => r.resource).join(', ')}`);
  }
  return withSub({ group, resource: name, namespaced: true, builtIn: false });
}

/**
 * The namespace a request carries (see header): `namespace` for namespaced resources ('' = all namespaces), none for
 * cluster-scoped ones, except a Namespace object's own name and `bind` on roles/clusterroles.
 */
export function requestNamespace(resolved: ResolvedResource, verb: string, name: string, namespace: string): string {
  if (resolved.namespaced) return namespace;
  if (resolved.group === '' && resolved.resource === 'namespaces' && name !== '') return name;
  if (resolved.group === 'rbac.authorization.k8s.io' && resolved.resource === 'clusterroles' && verb === 'bind') return namespace;
  return '';
}

/**
 * Which permissions a namespaced Role can grant. The RBAC authorizer consults RoleBindings (and so Roles) only for
 * requests that carry a namespace: requests on cluster-scoped resources carry none, so a Role rule naming them (or
 * matching them through `*`) grants nothing. This is the set of cluster-scoped resources of the built-in API groups,
 * per group (a CRD of another group may reuse a name such as `nodes` for a namespaced resource), plus the
 * impersonation pseudo-resources that the API server authorizes without a namespace. Pure data.
 *
 * Two exceptions where a request on a cluster-scoped resource does carry a namespace:
 * - `bind` on clusterroles is checked in the namespace of the RoleBinding being written, so a Role granting it lets
 *   the holder bind any ClusterRole (cluster-admin included) within that namespace. `escalate` on clusterroles is
 *   checked without a namespace and a Role never grants it.
 * - Requests on one Namespace object (get, update, patch, delete, and watch by name) carry that namespace, so a Role
 *   acts on its own Namespace object; only create, list and deletecollection of namespaces are cluster-wide.
 *
 * Impersonation: users, groups, uids and userextras are authorized without a namespace (only ClusterRoles bound by
 * ClusterRoleBindings grant them); serviceaccounts is authorized in the service account's namespace, like any
 * namespaced resource.
 */

const CLUSTER_SCOPED: Readonly<Record<string, readonly string[]>> = {
  '': ['componentstatuses', 'namespaces', 'nodes', 'persistentvolumes', 'users', 'groups'],
  'admissionregistration.k8s.io': [
    'mutatingwebhookconfigurations',
    'validatingwebhookconfigurations',
    'validatingadmissionpolicies',
    'validatingadmissionpolicybindings',
    'mutatingadmissionpolicies',
    'mutatingadmissionpolicybindings',
  ],
  'apiextensions.k8s.io': ['customresourcedefinitions'],
  'apiregistration.k8s.io': ['apiservices'],
  'authentication.k8s.io': ['tokenreviews', 'selfsubjectreviews', 'uids', 'userextras'],
  'authorization.k8s.io': ['subjectaccessreviews', 'selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
  'certificates.k8s.io': ['certificatesigningrequests', 'clustertrustbundles', 'signers'],
  'flowcontrol.apiserver.k8s.io': ['flowschemas', 'prioritylevelconfigurations'],
  'internal.apiserver.k8s.io': ['storageversions'],
  'metrics.k8s.io': ['nodes'],
  'networking.k8s.io': ['ingressclasses', 'ipaddresses', 'servicecidrs'],
  'node.k8s.io': ['runtimeclasses'],
  policy: ['podsecuritypolicies'],
  'rbac.authorization.k8s.io': ['clusterroles', 'clusterrolebindings'],
  'resource.k8s.io': ['deviceclasses', 'resourceslices', 'devicetaintrules'],
  'scheduling.k8s.io': ['priorityclasses'],
  'storage.k8s.io': ['storageclasses', 'csidrivers', 'csinodes', 'volumeattachments', 'volumeattributesclasses'],
  'storagemigration.k8s.io': ['storageversionmigrations'],
};

/** Verbs on a cluster-scoped resource that are nevertheless authorized with a namespace (see above). */
const NAMESPACED_VERBS: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  '': { namespaces: ['get', 'update', 'patch', 'delete', 'watch'] },
  'rbac.authorization.k8s.io': { clusterroles: ['bind'] },
};

function baseResource(resource: string): string {
  const slash = resource.indexOf('/');
  return slash < 0 ? resource : resource.slice(0, slash);
}

/** True when `resource` (`name` or `name/subresource`) of `group` is a cluster-scoped resource of a built-in group. */
export function isClusterScoped(group: string, resource: string): boolean {
  return CLUSTER_SCOPED[group]?.includes(baseResource(resource)) ?? false;
}

/**
 * True when a rule of a namespaced Role can grant `verb` on `resource` of `group`: always for namespaced resources,
 * and for cluster-scoped ones only where the request carries a namespace (bind on clusterroles, one's own Namespace).
 */
export function grantableByRole(group: string, resource: string, verb: string): boolean {
  if (!isClusterScoped(group, resource)) return true;
  const base = baseResource(resource);
  if (base !== resource && !(group === '' && base === 'namespaces')) return false;
  return NAMESPACED_VERBS[group]?.[base]?.includes(verb) ?? false;
}

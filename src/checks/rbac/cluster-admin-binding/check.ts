import type { ObjectCheck } from '../../../core/model/check.js';
import { formatSubject, isRbacObject, isSystemBinding, roleRefOf, subjectsOf } from '../policy-rules.js';

export const check: ObjectCheck = {
  id: 'cluster-admin-binding',
  title: 'Bindings to the cluster-admin role',
  severity: 'high',
  category: 'rbac',
  target: { kinds: ['ClusterRoleBinding', 'RoleBinding'] },
  rationale:
    'cluster-admin allows every action on every resource. Bound by a ClusterRoleBinding it gives full control of the ' +
    'cluster, bound by a RoleBinding full control of the namespace (secrets, workloads, RBAC in it). Bindings named ' +
    '`system:…` belong to Kubernetes components and are not reported; nor is a binding whose only subject is the ' +
    'system:masters group (such as the bootstrap `cluster-admin` binding), since members of that group bypass ' +
    'authorization and the binding grants them nothing.',
  remediation:
    'Bind the subjects to a role that grants only what they need (for example the built-in `admin`, `edit` or `view` ' +
    'ClusterRoles through a RoleBinding in one namespace), then delete the binding to cluster-admin.',
  references: [
    'https://www.cisecurity.org/benchmark/kubernetes',
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege',
    'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles',
  ],
  evaluate(object) {
    if (!isRbacObject(object) || isSystemBinding(object)) return [];
    const roleRef = roleRefOf(object);
    if (!roleRef || roleRef.kind !== 'ClusterRole' || roleRef.name !== 'cluster-admin') return [];
    const subjects = subjectsOf(object);
    if (subjects.length === 0) return [];
    if (subjects.every((s) => s.kind === 'Group' && s.name === 'system:masters')) return [];
    const namespace = typeof object.metadata?.namespace === 'string' ? object.metadata.namespace : undefined;
    const names = subjects.map((s) => formatSubject(s, namespace));
    const scope =
      object.kind === 'RoleBinding'
        ? `full control of namespace ${namespace ? `"${namespace}"` : '(its namespace)'}`
        : 'full control of the cluster';
    return [
      {
        path: ['roleRef', 'name'],
        message: `binds ClusterRole cluster-admin to ${names.join(', ')}: ${scope}`,
        evidence: { roleRef: 'ClusterRole/cluster-admin', subjects: names },
      },
    ];
  },
};

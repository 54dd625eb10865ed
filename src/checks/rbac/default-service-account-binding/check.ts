import type { ObjectCheck } from '../../../core/model/check.js';
import { formatSubject, isRbacObject, isSystemBinding, roleRefOf, subjectsOf } from '../policy-rules.js';

export const check: ObjectCheck = {
  id: 'default-service-account-binding',
  title: 'Roles bound to a default service account',
  severity: 'medium',
  category: 'rbac',
  target: { kinds: ['ClusterRoleBinding', 'RoleBinding'] },
  rationale:
    'The default service account of a namespace is used by every pod there that names no other account. A role bound ' +
    'to it is granted to all of those pods, including ones deployed later for unrelated purposes. Kubernetes binds no ' +
    'role to default service accounts itself; bindings named `system:…` are not reported.',
  remediation:
    'Create a dedicated service account for the workload that needs the permissions, bind the role to it, set ' +
    'serviceAccountName in that workload, and remove the default account from the binding.',
  references: [
    'https://www.cisecurity.org/benchmark/kubernetes',
    'https://kubernetes.io/docs/concepts/security/service-accounts/#default-service-accounts',
  ],
  evaluate(object) {
    if (!isRbacObject(object) || isSystemBinding(object)) return [];
    const roleRef = roleRefOf(object);
    const namespace = typeof object.metadata?.namespace === 'string' ? object.metadata.namespace : undefined;
    return subjectsOf(object)
      .filter((s) => s.kind === 'ServiceAccount' && s.name === 'default')
      .map((s) => ({
        path: ['subjects', s.index],
        message: `binds ${roleRef ? `${roleRef.kind} ${roleRef.name}` : 'its role'} to ${formatSubject(s, namespace)}, which every pod of that namespace uses by default`,
        evidence: { subject: formatSubject(s, namespace), roleRef: roleRef ? `${roleRef.kind}/${roleRef.name}` : undefined },
      }));
  },
};

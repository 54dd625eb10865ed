import type { ObjectCheck } from '../../../core/model/check.js';
import { isRbacObject, isSystemBinding, roleRefOf, subjectsOf } from '../policy-rules.js';

export const check: ObjectCheck = {
  id: 'anonymous-access-binding',
  title: 'Bindings that grant access to anonymous requests',
  severity: 'high',
  category: 'rbac',
  target: { kinds: ['ClusterRoleBinding', 'RoleBinding'] },
  rationale:
    'Requests without credentials are authenticated as the user system:anonymous in the group system:unauthenticated ' +
    '(when anonymous authentication is enabled, the default). A binding to either subject gives its role to anyone ' +
    'who can reach the API server. Bindings named `system:…` (such as system:public-info-viewer, which exposes ' +
    '/version and /healthz) are created by Kubernetes and not reported.',
  remediation:
    'Remove system:anonymous and system:unauthenticated from the binding; bind the role to authenticated identities ' +
    'that need it, and disable anonymous authentication (--anonymous-auth=false) where possible.',
  references: [
    'https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests',
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/',
  ],
  evaluate(object) {
    if (!isRbacObject(object) || isSystemBinding(object)) return [];
    const roleRef = roleRefOf(object);
    const role = roleRef ? `${roleRef.kind} ${roleRef.name}` : 'its role';
    return subjectsOf(object)
      .filter(
        (s) => (s.kind === 'User' && s.name === 'system:anonymous') || (s.kind === 'Group' && s.name === 'system:unauthenticated'),
      )
      .map((s) => ({
        path: ['subjects', s.index],
        message: `grants ${role} to unauthenticated requests (${s.kind} ${s.name})`,
        evidence: { kind: s.kind, name: s.name, roleRef: roleRef ? `${roleRef.kind}/${roleRef.name}` : undefined },
      }));
  },
};

import type { ObjectCheck } from '../../../core/model/check.js';
import { isRbacObject, isSystemBinding, roleRefOf, subjectsOf } from '../policy-rules.js';

export const check: ObjectCheck = {
  id: 'system-masters-binding',
  title: 'Bindings that name the system:masters group',
  severity: 'low',
  category: 'rbac',
  target: { kinds: ['ClusterRoleBinding', 'RoleBinding'] },
  rationale:
    'Members of system:masters have unrestricted access hard-coded in the API server: no binding, removal or ' +
    'admission webhook limits them, and their credentials (usually client certificates) cannot be revoked short of ' +
    'rotating the cluster CA. A binding naming the group grants nothing more, but shows that the cluster relies on ' +
    'the group for access. Group membership itself lives in credentials, which manifests do not show. The bootstrap ' +
    '`cluster-admin` binding and `system:…` bindings are not reported.',
  remediation:
    'Issue credentials with ordinary groups bound to least-privilege roles, keep system:masters for break-glass ' +
    'access only, and delete bindings that name it.',
  references: [
    'https://www.cisecurity.org/benchmark/kubernetes',
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege',
  ],
  evaluate(object) {
    if (!isRbacObject(object) || isSystemBinding(object)) return [];
    const roleRef = roleRefOf(object);
    const bootstrap =
      object.kind === 'ClusterRoleBinding' &&
      object.metadata?.name === 'cluster-admin' &&
      roleRef?.kind === 'ClusterRole' &&
      roleRef.name === 'cluster-admin' &&
      object.metadata?.labels?.['kubernetes.io/bootstrapping'] === 'rbac-defaults';
    if (bootstrap) return [];
    return subjectsOf(object)
      .filter((s) => s.kind === 'Group' && s.name === 'system:masters')
      .map((s) => ({
        path: ['subjects', s.index, 'name'],
        message: `subjects[${s.index}] names the system:masters group, whose members bypass RBAC`,
        evidence: 'system:masters',
      }));
  },
};

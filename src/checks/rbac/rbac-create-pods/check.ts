import type { ObjectCheck, Violation } from '../../../core/model/check.js';
import { grantedVerbs, isBuiltInRole, isRbacObject, policyRules, roleScope, ruleEvidence } from '../policy-rules.js';

export const check: ObjectCheck = {
  id: 'rbac-create-pods',
  title: 'Roles that can create pods',
  severity: 'medium',
  category: 'rbac',
  target: { kinds: ['Role', 'ClusterRole'] },
  rationale:
    'Whoever can create a pod can run it as any service account of the namespace (and read the secrets, config maps ' +
    'and volumes that account can use), and, unless admission control forbids it, run it privileged or with host ' +
    'namespaces to take over the node. Built-in roles (`system:…`, and cluster-admin/admin/edit/view as bootstrapped) ' +
    'are not reported.',
  remediation:
    'Remove create on pods from the role. Let people and CI deploy through workload controllers in namespaces where ' +
    'Pod Security admission enforces at least the baseline level.',
  references: [
    'https://www.cisecurity.org/benchmark/kubernetes',
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation',
  ],
  evaluate(object) {
    if (!isRbacObject(object) || isBuiltInRole(object)) return [];
    const violations: Violation[] = [];
    for (const rule of policyRules(object)) {
      if (grantedVerbs(rule, '', 'pods', ['create']).length === 0) continue;
      violations.push({
        path: ['rules', rule.index],
        message: `rule ${rule.index} grants create on pods ${roleScope(object)}`,
        evidence: ruleEvidence(rule),
      });
    }
    return violations;
  },
};

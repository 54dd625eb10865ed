import type { ObjectCheck, Violation } from '../../../core/model/check.js';
import { grantedVerbs, isBuiltInRole, isRbacObject, policyRules, roleScope, ruleEvidence } from '../policy-rules.js';

const READ_VERBS = ['get', 'list', 'watch'] as const;

export const check: ObjectCheck = {
  id: 'rbac-secret-access',
  title: 'Roles that can read Secrets',
  severity: 'medium',
  category: 'rbac',
  target: { kinds: ['Role', 'ClusterRole'] },
  rationale:
    'get, list or watch on secrets reveals their contents, including service account tokens of more privileged ' +
    'identities, so reading secrets is often a step to escalation. list and watch return every secret in scope ' +
    'even when the caller did not know their names. Built-in roles (`system:…`, and cluster-admin/admin/edit/view ' +
    'as bootstrapped) are not reported.',
  remediation:
    'Remove get, list and watch on secrets from the role, or restrict get to the named secrets the workload needs with ' +
    'resourceNames; mount secrets into the pods that need them instead of reading them through the API.',
  references: [
    'https://www.cisecurity.org/benchmark/kubernetes',
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#listing-secrets',
  ],
  evaluate(object) {
    if (!isRbacObject(object) || isBuiltInRole(object)) return [];
    const violations: Violation[] = [];
    for (const rule of policyRules(object)) {
      const verbs = grantedVerbs(rule, '', 'secrets', READ_VERBS);
      if (verbs.length === 0) continue;
      const named = rule.resourceNames.length > 0 ? ` (limited to ${rule.resourceNames.length} named secret(s))` : '';
      violations.push({
        path: ['rules', rule.index],
        message: `rule ${rule.index} grants ${verbs.join(', ')} on secrets ${roleScope(object)}${named}`,
        evidence: ruleEvidence(rule),
      });
    }
    return violations;
  },
};

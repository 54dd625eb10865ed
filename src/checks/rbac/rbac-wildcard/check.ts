import type { ObjectCheck, Violation } from '../../../core/model/check.js';
import { isBuiltInRole, isRbacObject, policyRules, roleScope } from '../policy-rules.js';

const FIELDS = ['apiGroups', 'resources', 'verbs', 'nonResourceURLs'] as const;

const MEANING: Record<(typeof FIELDS)[number], string> = {
  apiGroups: 'every API group, including ones installed later',
  resources: 'every resource, including ones added later',
  verbs: 'every verb, including escalate, bind and impersonate',
  nonResourceURLs: 'every non-resource URL',
};

export const check: ObjectCheck = {
  id: 'rbac-wildcard',
  title: 'Wildcards in Roles and ClusterRoles',
  severity: 'medium',
  category: 'rbac',
  target: { kinds: ['Role', 'ClusterRole'] },
  rationale:
    'A `*` in apiGroups, resources, verbs or nonResourceURLs grants everything of that kind, now and in the future: a ' +
    'new CRD, subresource or verb is granted without anyone reviewing it. `*/<subresource>` in resources likewise ' +
    'grants that subresource of every resource. Built-in roles (`system:…`, and cluster-admin/admin/edit/view as ' +
    'bootstrapped) are reconciled by the API server and not reported.',
  remediation: 'Replace each wildcard with the explicit API groups, resources and verbs the role needs.',
  references: [
    'https://www.cisecurity.org/benchmark/kubernetes',
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#minimize-wildcard-use',
  ],
  evaluate(object) {
    if (!isRbacObject(object) || isBuiltInRole(object)) return [];
    const violations: Violation[] = [];
    for (const rule of policyRules(object)) {
      for (const field of FIELDS) {
        rule[field].forEach((value, j) => {
          const wildcard = value === '*' || (field === 'resources' && value.startsWith('*/'));
          if (!wildcard) return;
          const meaning = value === '*' ? MEANING[field] : `the ${value.slice(2)} subresource of every resource`;
          violations.push({
            path: ['rules', rule.index, field, j],
            message: `rule ${rule.index} uses "${value}" in ${field}, granting ${meaning} ${roleScope(object)}`,
            evidence: value,
          });
        });
      }
    }
    return violations;
  },
};

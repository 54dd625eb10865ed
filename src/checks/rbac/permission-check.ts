/**
 * Builds the checks of this category that flag Roles/ClusterRoles granting one sensitive permission (verbs on a
 * resource of an API group), so each such check is its metadata plus the permission it looks for.
 */
import type { CheckMeta, ObjectCheck, Violation } from '../../core/model/check.js';
import { grantedVerbs, isBuiltInRole, isRbacObject, policyRules, roleScope, ruleEvidence } from './policy-rules.js';

export interface Permission {
  group: string;
  /** `resource` or `resource/subresource`. */
  resource: string;
  verbs: readonly string[];
}

export function permissionCheck(meta: Omit<CheckMeta, 'category'>, permissions: readonly Permission[]): ObjectCheck {
  return {
    ...meta,
    category: 'rbac',
    target: { kinds: ['Role', 'ClusterRole'] },
    evaluate(object) {
      if (!isRbacObject(object) || isBuiltInRole(object)) return [];
      const violations: Violation[] = [];
      for (const rule of policyRules(object)) {
        const grants = permissions.flatMap((p) => {
          const verbs = grantedVerbs(rule, p.group, p.resource, p.verbs);
          return verbs.length > 0 ? [`${verbs.join(', ')} on ${p.resource}`] : [];
        });
        if (grants.length === 0) continue;
        violations.push({
          path: ['rules', rule.index],
          message: `rule ${rule.index} grants ${grants.join('; ')} ${roleScope(object)}`,
          evidence: ruleEvidence(rule),
        });
      }
      return violations;
    },
  };
}

import type { ObjectCheck, Violation } from '../../../core/model/check.js';
import type { PolicyRuleView } from '../policy-rules.js';
import { RBAC_GROUP, grantedVerbs, isBuiltInRole, isRbacObject, matchesGroup, policyRules, roleScope, ruleEvidence, scopeAllows } from '../policy-rules.js';

/** What a rule lets its holder escalate through: verb on group/resource. */
interface Grant {
  verb: string;
  target: string;
}

const BIND_ESCALATE: readonly [string, string][] = [
  [RBAC_GROUP, 'roles'],
  [RBAC_GROUP, 'clusterroles'],
];
const IMPERSONATE: readonly [string, string][] = [
  ['', 'users'],
  ['', 'groups'],
  ['', 'serviceaccounts'],
  ['authentication.k8s.io', 'uids'],
];

function grantsOf(rule: PolicyRuleView): Grant[] {
  const grants: Grant[] = [];
  for (const [group, resource] of BIND_ESCALATE) {
    for (const verb of grantedVerbs(rule, group, resource, ['bind', 'escalate'])) grants.push({ verb, target: resource });
  }
  for (const [group, resource] of IMPERSONATE) {
    for (const verb of grantedVerbs(rule, group, resource, ['impersonate'])) grants.push({ verb, target: resource });
  }
  // userextras/<key>: impersonating extra user attributes (scopes…), any key.
  if (
    scopeAllows(rule, 'authentication.k8s.io', 'userextras', 'impersonate') &&
    matchesGroup(rule, 'authentication.k8s.io') &&
    (rule.verbs.includes('*') || rule.verbs.includes('impersonate')) &&
    rule.resources.some((r) => r === '*' || r.startsWith('userextras/') || r.startsWith('*/'))
  ) {
    grants.push({ verb: 'impersonate', target: 'userextras' });
  }
  return grants;
}

export const check: ObjectCheck = {
  id: 'rbac-escalation-verbs',
  title: 'Roles with bind, escalate or impersonate',
  severity: 'high',
  category: 'rbac',
  target: { kinds: ['Role', 'ClusterRole'] },
  rationale:
    'RBAC prevents granting permissions one does not hold, except through three verbs: `bind` on roles/clusterroles ' +
    'lets the holder bind any role (up to cluster-admin) to anyone, `escalate` lets the holder edit a role to grant ' +
    'anything, and `impersonate` on users, groups, service accounts, uids or userextras lets the holder act as another ' +
    'identity, including system:masters members. A `*` verb includes all three. A namespaced Role grants only what ' +
    'is authorized in its namespace: bind/escalate on roles, bind on clusterroles (binding them within the namespace) ' +
    'and impersonate on its service accounts; escalate on clusterroles and impersonating users, groups, uids or ' +
    'userextras need a ClusterRole. Built-in roles (`system:…`, and cluster-admin/admin/edit/view as bootstrapped) ' +
    'are not reported.',
  remediation:
    'Remove bind, escalate and impersonate (and `*` verbs) on these resources; where a controller really needs bind, ' +
    'restrict it with resourceNames to the roles it may bind.',
  references: [
    'https://www.cisecurity.org/benchmark/kubernetes',
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#bind-verb',
    'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping',
    'https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation',
  ],
  evaluate(object) {
    if (!isRbacObject(object) || isBuiltInRole(object)) return [];
    const violations: Violation[] = [];
    for (const rule of policyRules(object)) {
      const grants = grantsOf(rule);
      if (grants.length === 0) continue;
      const byVerb = new Map<string, string[]>();
      for (const grant of grants) byVerb.set(grant.verb, [...(byVerb.get(grant.verb) ?? []), grant.target]);
      const words = [...byVerb].map(([verb, targets]) => `${verb} on ${targets.join(', ')}`);
      violations.push({
        path: ['rules', rule.index],
        message: `rule ${rule.index} grants ${words.join('; ')} ${roleScope(object)}`,
        evidence: { ...ruleEvidence(rule), escalation: [...byVerb.keys()] },
      });
    }
    return violations;
  },
};

/**
 * ClusterRole aggregation as the clusterrole-aggregation controller of kube-controller-manager performs it
 * (pkg/controller/clusterroleaggregation): an aggregated ClusterRole's rules are replaced by the rules of every other
 * ClusterRole matching any of its `clusterRoleSelectors`, selector by selector, matched roles in name order, each rule
 * once (duplicates dropped). The controller reads the matched roles' current rules, so aggregated roles selecting other
 * aggregated roles settle on the nested result; this computes that settled state directly.
 *
 * A cycle (A selects B and B selects A, directly or not) has no single settled state: what the controller stores
 * depends on the order it processes the roles. The cycle is reported, and the roles on it contribute their rules as
 * written at the point the cycle closes.
 */
import { labelSelectorMatcher } from '../core/k8s/label-selector.js';
import type { PolicyRule } from './policy-rule.js';
import type { RoleView, RuleSource } from './rbac-objects.js';

export interface AggregationResult {
  /** Effective rules of each aggregated ClusterRole, by name; each rule names the ClusterRole it was written in. */
  rules: Map<string, RuleSource[]>;
  /** ClusterRoles whose aggregation selectors form a cycle, each cycle once, in the order found. */
  cycles: string[][];
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** equality.Semantic.DeepEqual on two PolicyRules (nil and empty lists are equal). */
export function samePolicyRule(a: PolicyRule, b: PolicyRule): boolean {
  return (
    sameList(a.verbs, b.verbs) &&
    sameList(a.apiGroups, b.apiGroups) &&
    sameList(a.resources, b.resources) &&
    sameList(a.resourceNames, b.resourceNames) &&
    sameList(a.nonResourceURLs, b.nonResourceURLs)
  );
}

export function aggregateClusterRoles(clusterRoles: ReadonlyMap<string, RoleView>): AggregationResult {
  const byName = [...clusterRoles.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const rules = new Map<string, RuleSource[]>();
  const cycles: string[][] = [];
  const visiting: string[] = [];

  const effective = (role: RoleView): RuleSource[] => {
    if (!role.aggregationSelectors) return role.rules;
    const done = rules.get(role.name);
    if (done) return done;
    const at = visiting.indexOf(role.name);
    if (at >= 0) {
      const cycle = visiting.slice(at);
      if (!cycles.some((c) => c.length === cycle.length && c.every((n) => cycle.includes(n)))) cycles.push(cycle);
      return role.rules;
    }
    visiting.push(role.name);
    const result: RuleSource[] = [];
    for (const selector of role.aggregationSelectors) {
      const matches = labelSelectorMatcher(selector);
      for (const other of byName) {
        if (other.name === role.name || !matches(other.labels)) continue;
        for (const source of effective(other)) {
          if (!result.some((r) => samePolicyRule(r.rule, source.rule))) result.push(source);
        }
      }
    }
    visiting.pop();
    rules.set(role.name, result);
    return result;
  };

  for (const role of byName) effective(role);
  return { rules, cycles };
}

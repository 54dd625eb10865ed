import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { KubeObject } from '../../src/core/model/resource.js';
import { buildRbacGraph } from '../../src/rbac/rbac-graph.js';
import { rbacGraph } from './rbac-arbitraries.js';

const role = (name: string, labels: Record<string, string> | undefined, rules: object[], selectors?: object[]): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name, ...(labels ? { labels } : {}) },
  rules,
  ...(selectors ? { aggregationRule: { clusterRoleSelectors: selectors } } : {}),
});
const rule = (resource: string) => ({ apiGroups: [''], resources: [resource], verbs: ['get'] });

describe('ClusterRole aggregation (clusterrole-aggregation controller)', () => {
  it('selector by selector, matched roles by name, each rule once; stored rules of the aggregated role are replaced', () => {
    const graph = buildRbacGraph([
      role('b', { tier: 'x' }, [rule('pods'), rule('secrets')]),
      role('a', { tier: 'x', extra: 'y' }, [rule('secrets'), rule('nodes')]),
      role('c', { extra: 'y' }, [rule('services')]),
      role('agg', undefined, [rule('stale')], [{ matchLabels: { extra: 'y' } }, { matchLabels: { tier: 'x' } }]),
    ]);
    const rules = graph.aggregatedRules.get('agg')!;
    assert.deepEqual(
      rules.map((r) => `${r.role.name}#${r.index}:${r.rule.resources[0]}`),
      ['a#0:secrets', 'a#1:nodes', 'c#0:services', 'b#0:pods'],
    );
  });

  it('nested aggregation settles on the nested result; an aggregated role never aggregates itself', () => {
    const graph = buildRbacGraph([
      role('leaf', { agg: 'inner' }, [rule('pods')]),
      role('inner', { agg: 'outer' }, [], [{ matchLabels: { agg: 'inner' } }]),
      role('outer', { agg: 'outer' }, [], [{ matchLabels: { agg: 'outer' } }]),
    ]);
    assert.deepEqual(graph.aggregatedRules.get('outer')!.map((r) => r.rule.resources[0]), ['pods']);
    assert.deepEqual(graph.issues, []);
  });

  it('a cycle is reported', () => {
    const graph = buildRbacGraph([
      role('p', { l: 'p' }, [rule('pods')], [{ matchLabels: { l: 'q' } }]),
      role('q', { l: 'q' }, [rule('nodes')], [{ matchLabels: { l: 'p' } }]),
    ]);
    assert.equal(graph.issues.length, 1);
    assert.match(graph.issues[0]!.message, /aggregation cycle p → q → p/);
  });

  it("'stored' mode uses the rules as read", () => {
    const objects = [role('leaf', { a: 'b' }, [rule('pods')]), role('agg', undefined, [rule('nodes')], [{ matchLabels: { a: 'b' } }])];
    assert.equal(buildRbacGraph(objects, { aggregation: 'stored' }).aggregatedRules.size, 0);
    assert.deepEqual(buildRbacGraph(objects).aggregatedRules.get('agg')!.map((r) => r.rule.resources[0]), ['pods']);
  });

  it('property: the result does not depend on the order of the input objects', () => {
    fc.assert(
      fc.property(rbacGraph.chain((g) => fc.tuple(fc.constant(g), fc.shuffledSubarray(g.objects, { minLength: g.objects.length }))), ([g, shuffled]) => {
        const summary = (objects: KubeObject[]) =>
          [...buildRbacGraph(objects).aggregatedRules].map(([name, rules]) => [name, rules.map((r) => `${r.role.name}#${r.index}`)]).sort();
        assert.deepEqual(summary(shuffled), summary(g.objects));
      }),
      { numRuns: 200 },
    );
  });
});

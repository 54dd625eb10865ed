/**
 * The harden engine (src/network/harden) on small inventories, for what Online Boutique does not show: a
 * namespace-wide allow policy changed to exclude the hardened workload (the others keep everything it allowed), ipBlock
 * peers of current rules not carried over without flows, a default deny left alone, a workload no label tells apart,
 * and hostNetwork pods. Verdicts come from the engine's matrix on the inventory with the output applied.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import type { KubeObject } from '../../../src/core/model/resource.js';
import { buildNetworkModel, matrixPorts, PortSet, reachMatrix } from '../../../src/network/index.js';
import type { HardenTarget } from '../../../src/network/harden/harden-plan.js';
import { modelWorkloads } from '../../../src/network/generate/policy-plan.js';
import { hardenWorkloads } from '../../../src/network/harden/harden-workloads.js';

function deployment(name: string, labels: Record<string, string>, options: { hostNetwork?: boolean } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop' },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { ...(options.hostNetwork ? { hostNetwork: true } : {}), containers: [{ name: 'main', image: `${name}:1`, ports: [{ containerPort: 8080 }] }] } },
    },
  };
}

const policies = parse(`
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: default-deny, namespace: shop}
  spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: allow-team, namespace: shop, resourceVersion: "42", uid: abc}
  spec:
    podSelector: {matchLabels: {team: shop}}
    ingress:
    - from: [{podSelector: {}}, {ipBlock: {cidr: 0.0.0.0/0}}]
    egress:
    - {}
`) as KubeObject[];

const reason = { vulnerability: { id: 'CVE-2023-39631', aliases: [], severity: 'critical' as const, package: { ecosystem: 'PyPI', name: 'numexpr', version: '2.8.4' }, fixedVersions: [] }, image: 'x:1', container: 'main', report: 'r.json' };

function targetOf(objects: KubeObject[], name: string): { model: ReturnType<typeof buildNetworkModel>; target: HardenTarget } {
  const model = buildNetworkModel(objects);
  return { model, target: { workload: modelWorkloads(model).get(`shop/Deployment/${name}`)!, reasons: [reason] } };
}

describe('harden engine', () => {
  const inventory = [deployment('web', { app: 'web', team: 'shop' }), deployment('api', { app: 'api', team: 'shop' }), deployment('db', { app: 'db', team: 'shop' }), ...policies];

  it('without flows: a team-wide policy is changed to exclude the workload; its ipBlock peer is not carried over; the default deny stays', () => {
    const { model, target } = targetOf(inventory, 'api');
    const result = hardenWorkloads(model, inventory, [target], { severity: 'critical' });
    const hardening = result.plan.workloads[0]!;
    assert.deepEqual(hardening.exclusions, [{ policy: 'shop/allow-team', key: 'app', value: 'api' }]);
    assert.deepEqual(hardening.dropped, ['shop/allow-team spec.ingress[0]: 0.0.0.0/0']);
    assert.deepEqual(result.plan.output.map((p) => p.name), ['allow-team', 'harden-api']);
    const changed = result.plan.output[0]!.object as { metadata: Record<string, unknown>; spec: { podSelector: unknown } };
    assert.deepEqual(changed.spec.podSelector, { matchLabels: { team: 'shop' }, matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['api'] }] });
    assert.deepEqual([changed.metadata['resourceVersion'], changed.metadata['uid'], changed.metadata['namespace']], [undefined, undefined, 'shop']);

    const before = reachMatrix(model);
    const after = reachMatrix(buildNetworkModel(result.plan.afterObjects));
    const at = (matrix: typeof before, name: string) => matrix.groups.findIndex((g) => g.owner.name === name);
    for (const from of ['web', 'api', 'db']) {
      for (const to of ['web', 'api', 'db']) {
        const [was, now] = [matrixPorts(before, at(before, from), at(before, to)), matrixPorts(after, at(after, from), at(after, to))];
        assert.ok(was.isAll(), `${from} → ${to} open before`);
        assert.ok(now.equals(was), `${from} → ${to}: in-cluster traffic the current rules allow stays (${now})`);
      }
    }
    const api = at(after, 'api');
    assert.deepEqual([after.fromExternal[api], after.toExternal[api]], [[], []]);
    const web = at(after, 'web');
    assert.ok(after.toExternal[web]!.length > 0 && after.fromExternal[web]!.length > 0, 'the other team workloads keep their outside access');
    assert.deepEqual([result.otherEdges, result.otherExternal], [[], []]);
    assert.ok(result.workloads[0]!.external.every((e) => e.opened.length === 0 && e.closed.length > 0));
  });

  it('a workload no label tells apart from the others its policy selects is reported, and the report says what still applies', () => {
    const twins = [deployment('a', { tier: 'x' }), deployment('b', { tier: 'x', extra: 'b' }), ...policies.slice(0, 1), { ...policies[1]!, spec: { podSelector: { matchLabels: { tier: 'x' } }, egress: [{}], policyTypes: ['Egress'] } } as KubeObject];
    const { model, target } = targetOf(twins, 'a');
    const result = hardenWorkloads(model, twins, [target], { severity: 'critical' });
    const hardening = result.plan.workloads[0]!;
    assert.equal(hardening.policy, undefined);
    assert.match(hardening.problems[0] ?? '', /shop\/Deployment\/a cannot be hardened alone: its labels also select the pods of shop\/Deployment\/b/);
    assert.deepEqual(result.plan.output, []);
  });

  it('hostNetwork pods are not subject to NetworkPolicy: said, no policy written', () => {
    const host = [deployment('agent', { app: 'agent' }, { hostNetwork: true })];
    const { model, target } = targetOf(host, 'agent');
    const result = hardenWorkloads(model, host, [target], { severity: 'critical' });
    assert.deepEqual(result.plan.workloads[0]!.problems, ['shop/Deployment/agent runs in the host\'s network namespace (hostNetwork): NetworkPolicy does not apply to its pods']);
    assert.deepEqual(result.plan.output, []);
  });

  it('--allow-egress adds exactly the blocks named, on every port', () => {
    const { model, target } = targetOf(inventory, 'api');
    const result = hardenWorkloads(model, inventory, [target], { severity: 'critical', allowEgress: ['10.20.0.0/16'] });
    const api = result.afterModel.groups.findIndex((g) => g.owner.name === 'api');
    const after = reachMatrix(result.afterModel);
    assert.deepEqual(after.toExternal[api]!.map((a) => [a.addresses.toString(), a.ports.equals(PortSet.ALL)]), [['10.20.0.0/16', true]]);
  });
});

/**
 * `aspis netpol generate` without the I/O: observed edges + inventory → plan → NetworkPolicies (and optionally
 * CiliumNetworkPolicies from the same plan) → replay of every observed edge under the generated NetworkPolicies
 * (plus the inventory's existing ones when asked). The caller fails when the replay denies any observed flow.
 */
import type { NetworkPolicy } from '../../core/k8s/network-policy.js';
import { parseNetworkPolicy } from '../../core/k8s/network-policy.js';
import type { PolicyLookup } from '../../core/k8s/network-verdict.js';
import { policyList } from '../../core/k8s/network-verdict.js';
import { namespaceLabelsOf } from '../../core/k8s/pod-network.js';
import type { KubeObject } from '../../core/model/resource.js';
import type { NetworkModel } from '../network-model.js';
import type { ReplayResult } from '../flows/replay.js';
import { replayEdges } from '../flows/replay.js';
import type { FlowObservation, FlowWorkload } from '../flows/workload-edge.js';
import { workloadId } from '../flows/workload-edge.js';
import { isNamespaceName, isObjectName } from '../flows/kubernetes-names.js';
import { renderCiliumPolicies } from './cilium-policy-render.js';
import type { RenderedPolicy } from './network-policy-render.js';
import { renderNetworkPolicies } from './network-policy-render.js';
import type { GenerationPlan, PlanOptions } from './policy-plan.js';
import { planPolicies } from './policy-plan.js';

export type PolicyDialect = 'networkpolicy' | 'cilium';

export interface GenerateOptions extends PlanOptions {
  /** What to write (default NetworkPolicy). The replay always runs on the NetworkPolicy rendering of the plan. */
  dialect?: PolicyDialect;
  /** Replay with the inventory's existing NetworkPolicies too (what applying the output to that cluster gives). */
  withExisting?: boolean;
}

export interface GenerateResult {
  plan: GenerationPlan;
  /** The policies to write, in the asked dialect. */
  output: RenderedPolicy[];
  /** The NetworkPolicy rendering the replay ran on (the same as `output` for the default dialect). */
  networkPolicies: RenderedPolicy[];
  replay: ReplayResult;
}

/** The top-most owner object of a workload, from the objects read (for its `spec.selector`). */
export function ownerIndex(objects: readonly KubeObject[], defaultNamespace: string): (workload: FlowWorkload) => KubeObject | undefined {
  const index = new Map<string, KubeObject>();
  for (const object of objects) {
    const name = object.metadata?.name;
    if (typeof name !== 'string' || typeof object.kind !== 'string') continue;
    const ns = object.metadata?.namespace;
    index.set(workloadId(typeof ns === 'string' && ns !== '' ? ns : defaultNamespace, object.kind, name), object);
  }
  return (workload) => index.get(workload.id);
}

/** A policy lookup over the given policies, with the model's namespace labels. */
export function lookupOf(policies: readonly NetworkPolicy[], model: NetworkModel): PolicyLookup {
  return policyList(policies, (namespace) => model.namespaces.get(namespace)?.labels ?? namespaceLabelsOf(namespace));
}

export function generatePolicies(observation: FlowObservation, model: NetworkModel, objects: readonly KubeObject[], options: GenerateOptions = {}): GenerateResult {
  const plan = planPolicies(observation, model, ownerIndex(objects, model.defaultNamespace), options);
  // A policy the API server would reject (an inventory object with a name no policy may carry) is left out and said so:
  // the replay then shows which flows that breaks.
  const rendered = renderNetworkPolicies(plan);
  const invalid = new Set<string>();
  const generated: NetworkPolicy[] = [];
  for (const policy of rendered) {
    const parsed = parseNetworkPolicy(policy.object, model.defaultNamespace);
    const problems = parsed.issues.map((i) => `${i.field}: ${i.message}`);
    if (!isNamespaceName(policy.namespace)) problems.push(`metadata.namespace: "${policy.namespace}" is not a namespace name`);
    if (!isObjectName(policy.name)) problems.push(`metadata.name: "${policy.name}" is not an object name`);
    if (parsed.policy && problems.length === 0) generated.push(parsed.policy);
    else {
      invalid.add(`${policy.namespace}/${policy.name}`);
      plan.problems.push(`${policy.namespace}/${policy.name}: the generated policy would not be valid (${problems.join('; ')}): left out`);
    }
  }
  const valid = (policy: RenderedPolicy) => !invalid.has(`${policy.namespace}/${policy.name}`);
  const networkPolicies = rendered.filter(valid);
  const output = options.dialect === 'cilium' ? renderCiliumPolicies(plan).filter(valid) : networkPolicies;
  const replayed = options.withExisting ? [...model.policies, ...generated] : generated;
  // The generated policies' ipBlocks may tell apart pods the inventory's policies did not: replay splits those groups.
  const replay = replayEdges(observation.edges, observation.workloads, lookupOf(replayed, model), { policies: replayed });
  return { plan, output, networkPolicies, replay };
}

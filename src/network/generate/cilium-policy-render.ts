/**
 * The same generation plan written as CiliumNetworkPolicies (`cilium.io/v2`), for clusters that enforce with Cilium
 * and want its policy language (L7 rules, FQDNs, entities) to build on:
 *
 * - `default-deny`: `endpointSelector: {}` with one empty ingress and one empty egress rule: every endpoint of the
 *   namespace enters default deny in both directions and nothing is allowed by it;
 * - per workload: `endpointSelector` = the workload's stable selector; `fromEndpoints`/`toEndpoints` for workloads
 *   (a namespaced policy's selectors stay in its namespace unless they name `k8s:io.kubernetes.pod.namespace`),
 *   `fromCIDR`/`toCIDR` for external peers, `toPorts` with port numbers or names (as strings).
 *
 * Replay (aspis netpol replay) evaluates Kubernetes NetworkPolicy semantics; `generate` proves the plan through its
 * NetworkPolicy rendering, which allows exactly the same (peer, port) pairs.
 */
import type { LabelSelector } from '../../core/k8s/label-selector.js';
import type { KubeObject } from '../../core/model/resource.js';
import { commentedYaml } from './commented-yaml.js';
import { defaultDenyHeader, policyHeader, ruleComment } from './justification.js';
import type { RenderedPolicy } from './network-policy-render.js';
import { DEFAULT_DENY_NAME, MANAGED_BY_LABEL } from './network-policy-render.js';
import type { GenerationPlan, PlannedRule, WorkloadPolicyPlan } from './policy-plan.js';

const NAMESPACE_LABEL = 'k8s:io.kubernetes.pod.namespace';

function inNamespace(selector: LabelSelector, namespace: string): LabelSelector {
  return { ...selector, matchLabels: { ...(selector.matchLabels ?? {}), [NAMESPACE_LABEL]: namespace } };
}

function ruleOf(rule: PlannedRule, direction: 'ingress' | 'egress', namespace: string): Record<string, unknown> {
  const side = direction === 'ingress' ? 'from' : 'to';
  const out: Record<string, unknown> = {};
  const endpoints: LabelSelector[] = [];
  const cidrs: string[] = [];
  for (const peer of rule.peers) {
    if (peer.type === 'workload') endpoints.push(peer.workload.namespace === namespace ? peer.selector : inNamespace(peer.selector, peer.workload.namespace));
    else if (peer.type === 'dns') endpoints.push(inNamespace(peer.dns.selector, peer.dns.namespace));
    else if (peer.type === 'all-pods') endpoints.push({ matchExpressions: [{ key: NAMESPACE_LABEL, operator: 'Exists' }] });
    else cidrs.push(peer.cidr);
  }
  if (endpoints.length > 0) out[`${side}Endpoints`] = endpoints;
  if (cidrs.length > 0) out[`${side}CIDR`] = cidrs;
  out['toPorts'] = [{ ports: rule.ports.map((p) => ({ port: String(p.name ?? p.port), protocol: p.protocol })) }];
  return out;
}

function metadata(name: string, namespace: string): Record<string, unknown> {
  return { name, namespace, labels: { ...MANAGED_BY_LABEL } };
}

function workloadPolicy(policy: WorkloadPolicyPlan): RenderedPolicy {
  const ns = policy.workload.namespace;
  // An empty rule list would not isolate the endpoint: `[{}]` puts it in default deny and allows nothing.
  const spec: Record<string, unknown> = {
    endpointSelector: policy.selector,
    ingress: policy.ingress.length > 0 ? policy.ingress.map((rule) => ruleOf(rule, 'ingress', ns)) : [{}],
    egress: policy.egress.length > 0 ? policy.egress.map((rule) => ruleOf(rule, 'egress', ns)) : [{}],
  };
  const object: KubeObject = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: metadata(policy.name, ns), spec };
  const comments = [
    ...policy.ingress.map((rule, i) => ({ path: ['spec', 'ingress', i], lines: ruleComment(rule) })),
    ...policy.egress.map((rule, i) => ({ path: ['spec', 'egress', i], lines: ruleComment(rule) })),
  ];
  return { namespace: ns, name: policy.name, object, yaml: commentedYaml(object, policyHeader(policy), comments) };
}

export function renderCiliumPolicies(plan: GenerationPlan): RenderedPolicy[] {
  const out: RenderedPolicy[] = [];
  for (const namespace of plan.namespaces) {
    const deny: KubeObject = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: metadata(DEFAULT_DENY_NAME, namespace.namespace),
      spec: { endpointSelector: {}, ingress: [{}], egress: [{}] },
    };
    out.push({ namespace: namespace.namespace, name: DEFAULT_DENY_NAME, object: deny, yaml: commentedYaml(deny, defaultDenyHeader(namespace, plan), []) });
    for (const policy of namespace.policies) out.push(workloadPolicy(policy));
  }
  return out;
}

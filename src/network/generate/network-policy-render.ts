/**
 * A generation plan written as Kubernetes NetworkPolicies (`networking.k8s.io/v1`): per namespace a `default-deny`
 * (empty podSelector, Ingress and Egress, no rules) and one policy per workload, as objects (for replay) and as YAML
 * with comments saying which flows justify each rule. Output order and text are deterministic: namespaces, then
 * `default-deny`, then workload policies by workload id; rules by peer; ports by protocol and number.
 */
import type { KubeObject } from '../../core/model/resource.js';
import { commentedYaml } from './commented-yaml.js';
import { defaultDenyHeader, policyHeader, ruleComment } from './justification.js';
import type { GenerationPlan, PlannedPeer, PlannedPort, PlannedRule, WorkloadPolicyPlan } from './policy-plan.js';

export const MANAGED_BY_LABEL = { 'app.kubernetes.io/managed-by': 'aspis' } as const;
export const DEFAULT_DENY_NAME = 'default-deny';

export interface RenderedPolicy {
  namespace: string;
  name: string;
  object: KubeObject;
  /** One YAML document with comments (no `---`). */
  yaml: string;
}

function namespaceSelector(namespace: string): Record<string, unknown> {
  return { matchLabels: { 'kubernetes.io/metadata.name': namespace } };
}

function peerOf(peer: PlannedPeer, policyNamespace: string): Record<string, unknown> {
  switch (peer.type) {
    case 'workload':
      return peer.workload.namespace === policyNamespace
        ? { podSelector: peer.selector }
        : { namespaceSelector: namespaceSelector(peer.workload.namespace), podSelector: peer.selector };
    case 'cidr':
      return { ipBlock: { cidr: peer.cidr } };
    case 'dns':
      return { namespaceSelector: namespaceSelector(peer.dns.namespace), podSelector: peer.dns.selector };
    case 'all-pods':
      return { namespaceSelector: {} };
  }
}

function portOf(port: PlannedPort): Record<string, unknown> {
  return { protocol: port.protocol, port: port.name ?? port.port };
}

export function ruleOf(rule: PlannedRule, direction: 'ingress' | 'egress', namespace: string): Record<string, unknown> {
  return { [direction === 'ingress' ? 'from' : 'to']: rule.peers.map((peer) => peerOf(peer, namespace)), ports: rule.ports.map(portOf) };
}

function metadata(name: string, namespace: string): Record<string, unknown> {
  return { name, namespace, labels: { ...MANAGED_BY_LABEL } };
}

function workloadPolicy(policy: WorkloadPolicyPlan): RenderedPolicy {
  const ns = policy.workload.namespace;
  const spec: Record<string, unknown> = { podSelector: policy.selector, policyTypes: ['Ingress', 'Egress'] };
  if (policy.ingress.length > 0) spec['ingress'] = policy.ingress.map((rule) => ruleOf(rule, 'ingress', ns));
  if (policy.egress.length > 0) spec['egress'] = policy.egress.map((rule) => ruleOf(rule, 'egress', ns));
  const object: KubeObject = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: metadata(policy.name, ns), spec };
  const comments = [
    ...policy.ingress.map((rule, i) => ({ path: ['spec', 'ingress', i], lines: ruleComment(rule) })),
    ...policy.egress.map((rule, i) => ({ path: ['spec', 'egress', i], lines: ruleComment(rule) })),
  ];
  return { namespace: ns, name: policy.name, object, yaml: commentedYaml(object, policyHeader(policy), comments) };
}

export function renderNetworkPolicies(plan: GenerationPlan): RenderedPolicy[] {
  const out: RenderedPolicy[] = [];
  for (const namespace of plan.namespaces) {
    const deny: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: metadata(DEFAULT_DENY_NAME, namespace.namespace),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    };
    out.push({ namespace: namespace.namespace, name: DEFAULT_DENY_NAME, object: deny, yaml: commentedYaml(deny, defaultDenyHeader(namespace, plan), []) });
    for (const policy of namespace.policies) out.push(workloadPolicy(policy));
  }
  return out;
}

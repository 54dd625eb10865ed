import type { InventoryCheck, InventoryViolation } from '../../../core/model/check.js';
import { IpSet } from '../../../core/k8s/ip-set.js';
import type { NetworkPolicyRule } from '../../../core/k8s/network-policy.js';
import { policiesIsolating } from '../../../core/k8s/network-verdict.js';
import type { PodNetwork } from '../../../core/k8s/pod-network.js';
import { resolveNamedPort } from '../../../core/k8s/pod-network.js';
import { PortSet } from '../../../core/k8s/port-set.js';
import { exposesOutsideCluster, serviceSelects } from '../../../core/k8s/service.js';
import { NETWORK_INVENTORY_KINDS, networkInventory } from '../network-inventory.js';

const ALL_V4 = IpSet.ofCidr({ family: 4, start: 0n, end: (1n << 32n) - 1n, prefix: 0 });
const ALL_V6 = IpSet.ofCidr({ family: 6, start: 0n, end: (1n << 128n) - 1n, prefix: 0 });

/** The ports a rule admits on `pod` (named ports resolved on it). */
function rulePorts(rule: NetworkPolicyRule, pod: PodNetwork): PortSet {
  if (rule.ports === undefined) return PortSet.ALL;
  let ports = PortSet.NONE;
  for (const entry of rule.ports) {
    if (entry.port === undefined) ports = ports.union(PortSet.protocol(entry.protocol));
    else if (typeof entry.port === 'number') ports = ports.union(PortSet.range(entry.protocol, entry.port, entry.endPort ?? entry.port));
    else for (const port of resolveNamedPort(pod.ports, entry.port, entry.protocol)) ports = ports.union(PortSet.range(entry.protocol, port));
  }
  return ports;
}

/**
 * Whether ingress rules admit every port from every source: every pod of every namespace, every IPv4 and every IPv6
 * address. Each kind of source must get every port from the rules whose peers cover it entirely.
 */
function openToAll(rules: NetworkPolicyRule[], pod: PodNetwork): boolean {
  const reach = { pods: PortSet.NONE, v4: PortSet.NONE, v6: PortSet.NONE };
  for (const rule of rules) {
    const ports = rulePorts(rule, pod);
    const covers = { pods: rule.peers === undefined, v4: rule.peers === undefined, v6: rule.peers === undefined };
    for (const peer of rule.peers ?? []) {
      if (peer.kind === 'ipBlock') {
        covers.v4 ||= peer.addresses.covers(ALL_V4);
        covers.v6 ||= peer.addresses.covers(ALL_V6);
      } else if (peer.namespaceSelector && Object.keys(peer.namespaceSelector.matchLabels ?? {}).length === 0 && (peer.namespaceSelector.matchExpressions ?? []).length === 0) {
        const podSelector = peer.podSelector;
        covers.pods ||= !podSelector || (Object.keys(podSelector.matchLabels ?? {}).length === 0 && (podSelector.matchExpressions ?? []).length === 0);
      }
    }
    for (const key of ['pods', 'v4', 'v6'] as const) if (covers[key]) reach[key] = reach[key].union(ports);
  }
  return reach.pods.isAll() && reach.v4.isAll() && reach.v6.isAll();
}

export const check: InventoryCheck = {
  id: 'exposed-workload-open-to-all',
  title: 'Internet-exposed workloads open to all traffic',
  severity: 'high',
  category: 'network',
  target: { inventory: NETWORK_INVENTORY_KINDS },
  rationale:
    'A workload behind a LoadBalancer or NodePort Service, or an Ingress, faces the internet; it is the most likely ' +
    'first foothold and should accept only the port it serves, ideally only from the load balancer or ingress ' +
    'controller. Reported when its ingress is not restricted at all: no NetworkPolicy isolates it, or its policies ' +
    'admit every port from every pod of every namespace and every IPv4 and IPv6 address (an `ingress: [{}]` rule), ' +
    'so any process that compromises it or reaches a node can use every port it listens on, debug and admin ports ' +
    'included. Backends are the pods the Service selects, and the Services named by Ingress backends.',
  remediation:
    'Isolate the workload for ingress and allow only the port the Service targets, from the ingress controller\'s ' +
    'namespace (namespaceSelector) or from the load balancer\'s source ranges (ipBlock).',
  references: [
    'https://kubernetes.io/docs/concepts/services-networking/network-policies/',
    'https://kubernetes.io/docs/concepts/services-networking/service/#loadbalancer',
  ],
  evaluate(inventory) {
    const net = networkInventory(inventory);
    const exposingServices = net.services.filter((s) => exposesOutsideCluster(s));
    const ingressServices = net.services.filter((s) => net.ingressBackends.some((b) => b.namespace === s.namespace && b.service === s.name));
    const violations: InventoryViolation[] = [];
    if (exposingServices.length === 0 && ingressServices.length === 0) return violations;
    for (const workload of net.workloads) {
      if (workload.pod.hostNetwork) continue;
      const exposedBy = [
        ...exposingServices.filter((s) => serviceSelects(s, workload.pod)).map((s) => `Service "${s.name}" (${s.type})`),
        ...ingressServices.filter((s) => serviceSelects(s, workload.pod)).map((s) => `Service "${s.name}" (an Ingress backend)`),
      ].sort();
      if (exposedBy.length === 0) continue;
      const policies = policiesIsolating(net.lookup, workload.pod, 'ingress');
      if (policies.length > 0 && !openToAll(policies.flatMap((p) => p.ingress), workload.pod)) continue;
      const why = policies.length === 0 ? 'no NetworkPolicy isolates it for ingress' : `its NetworkPolicies (${policies.map((p) => p.name).sort().join(', ')}) admit every port from every pod and address`;
      violations.push({
        subject: { object: workload.object },
        path: [...workload.workload.metadataPath, 'labels'],
        message: `${workload.name} is exposed outside the cluster by ${exposedBy.join(', ')} and open to all traffic: ${why}`,
        evidence: { exposedBy, isolatingPolicies: policies.map((p) => p.name).sort() },
      });
    }
    return violations;
  },
};

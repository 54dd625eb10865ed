import type { InventoryCheck, InventoryViolation } from '../../../core/model/check.js';
import type { FieldPath } from '../../../core/model/field-path.js';
import { formatLabelSelector } from '../../../core/k8s/label-selector.js';
import { peerPath, portPath } from '../../../core/k8s/network-policy.js';
import type { Direction } from '../../../core/k8s/network-policy.js';
import { resolveNamedPort } from '../../../core/k8s/pod-network.js';
import { NETWORK_INVENTORY_KINDS, networkInventory } from '../network-inventory.js';

export const check: InventoryCheck = {
  id: 'network-policy-rule-never-matches',
  title: 'NetworkPolicy rules that can never match',
  severity: 'low',
  category: 'network',
  target: { inventory: NETWORK_INVENTORY_KINDS },
  rationale:
    'A rule that can never match allows nothing, and the traffic its author meant to allow is denied, or, worse, ' +
    'someone "fixes" the outage with a broader rule. Three cases are certain from the objects: rules for a direction ' +
    'the policy does not list in policyTypes (Kubernetes ignores them); a peer selecting pods of the policy\'s own ' +
    'namespace by a podSelector that matches none of the workloads there; and an ingress port given by a name that ' +
    'none of the pods the policy selects declares for that protocol (a named port resolves on the destination pod). ' +
    'Peers in other namespaces are not judged: the input may not hold every namespace of the cluster.',
  remediation:
    'Add the direction to policyTypes, correct the podSelector to the labels of the intended pods, or use a port name ' +
    '(and protocol) the selected containers declare in ports[].name, or the port number.',
  references: [
    'https://kubernetes.io/docs/reference/kubernetes-api/networking-resources/network-policy-v1/',
    'https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-range-of-ports',
  ],
  evaluate(inventory) {
    const net = networkInventory(inventory);
    const violations: InventoryViolation[] = [];
    for (const policy of net.policies) {
      const name = `"${policy.name}"`;
      const add = (path: FieldPath, message: string, evidence: unknown) => violations.push({ subject: { object: policy.object }, path, message: `NetworkPolicy ${name}: ${message}`, evidence });
      for (const direction of ['ingress', 'egress'] as Direction[]) {
        if (!policy.isolates[direction] && policy[direction].length > 0) {
          const type = direction === 'ingress' ? 'Ingress' : 'Egress';
          add(['spec', direction], `its ${direction} rules are ignored: policyTypes does not list ${type}`, { policyTypes: policy.isolates, rules: policy[direction].length });
        }
      }
      const inNamespace = net.workloads.filter((w) => w.namespace === policy.namespace && !w.pod.hostNetwork);
      const selected = inNamespace.filter((w) => policy.selectsPodLabels(w.pod.labels));
      for (const direction of ['ingress', 'egress'] as Direction[]) {
        if (!policy.isolates[direction]) continue;
        for (const rule of policy[direction]) {
          for (const peer of rule.peers ?? []) {
            if (peer.kind !== 'pods' || peer.matchesNamespaceLabels || inNamespace.length === 0) continue;
            if (inNamespace.some((w) => peer.matchesPodLabels(w.pod.labels))) continue;
            const selector = formatLabelSelector(peer.podSelector ?? {});
            add(peerPath(rule, peer.index), `${direction}[${rule.index}] peer ${peer.index} selects pods ${selector} of the policy's namespace, and none of its ${inNamespace.length} workload(s) matches`, { podSelector: selector });
          }
          if (direction !== 'ingress' || selected.length === 0) continue;
          for (const port of rule.ports ?? []) {
            if (typeof port.port !== 'string') continue;
            if (selected.some((w) => resolveNamedPort(w.pod.ports, port.port as string, port.protocol).length > 0)) continue;
            add(portPath(rule, port.index), `ingress[${rule.index}] port "${port.port}"/${port.protocol} is declared by none of the pods it selects (${selected.map((w) => w.name).sort().join(', ')})`, { port: port.port, protocol: port.protocol });
          }
        }
      }
    }
    return violations;
  },
};

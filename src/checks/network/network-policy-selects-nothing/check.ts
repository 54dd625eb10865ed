import type { InventoryCheck, InventoryViolation } from '../../../core/model/check.js';
import { formatLabelSelector } from '../../../core/k8s/label-selector.js';
import { NETWORK_INVENTORY_KINDS, networkInventory } from '../network-inventory.js';

export const check: InventoryCheck = {
  id: 'network-policy-selects-nothing',
  title: 'NetworkPolicies that select no pod',
  severity: 'low',
  category: 'network',
  target: { inventory: NETWORK_INVENTORY_KINDS },
  rationale:
    'A NetworkPolicy applies to the pods its podSelector selects in its own namespace. One that selects none of the ' +
    'workloads of its namespace protects nothing: usually a typo in a label, a label renamed in the workload and not in ' +
    'the policy, or a policy applied to the wrong namespace, and the workload it was written for is left open. Judged ' +
    'only for namespaces where the input has workloads (a policy repository without workloads cannot tell); pods with ' +
    'hostNetwork: true do not count, NetworkPolicy does not apply to them.',
  remediation:
    'Make spec.podSelector match the labels of the pod template it is meant for (kubectl get pods -l SELECTOR -n ' +
    'NAMESPACE lists what it selects), or delete the policy.',
  references: ['https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource'],
  evaluate(inventory) {
    const net = networkInventory(inventory);
    const violations: InventoryViolation[] = [];
    for (const policy of net.policies) {
      const inNamespace = net.workloads.filter((w) => w.namespace === policy.namespace);
      if (inNamespace.length === 0) continue;
      const selected = inNamespace.filter((w) => policy.selectsPodLabels(w.pod.labels));
      if (selected.some((w) => !w.pod.hostNetwork)) continue;
      const hostOnly = selected.length > 0 ? `; it selects only hostNetwork pods (${selected.map((w) => w.name).sort().join(', ')}), which NetworkPolicy does not apply to` : '';
      violations.push({
        subject: { object: policy.object },
        path: ['spec', 'podSelector'],
        message: `NetworkPolicy "${policy.name}" selects none of the ${inNamespace.length} workload(s) of its namespace (podSelector ${formatLabelSelector(policy.podSelector)})${hostOnly}`,
        evidence: { podSelector: formatLabelSelector(policy.podSelector), workloadsInNamespace: inNamespace.map((w) => w.name).sort() },
      });
    }
    return violations;
  },
};

import type { InventoryCheck, InventoryViolation } from '../../../core/model/check.js';
import { isEmptyLabelSelector } from '../../../core/k8s/label-selector.js';
import type { Direction } from '../../../core/k8s/network-policy.js';
import { NETWORK_INVENTORY_KINDS, networkInventory } from '../network-inventory.js';

export const check: InventoryCheck = {
  id: 'namespace-without-default-deny',
  title: 'Namespaces without a default-deny NetworkPolicy',
  severity: 'medium',
  category: 'network',
  target: { inventory: NETWORK_INVENTORY_KINDS },
  rationale:
    'A pod accepts (ingress) and opens (egress) any connection until a NetworkPolicy selects it for that direction. ' +
    'A default deny, a policy with an empty podSelector listing the direction in policyTypes, isolates every pod of ' +
    'the namespace, present and future, so that only what other policies allow gets through; without it, each new ' +
    'workload starts open and a forgotten one stays open. Each direction is reported on its own: a namespace with a ' +
    'default deny for ingress only still lets a compromised pod connect anywhere. Namespaces considered: those of ' +
    'Namespace objects, and the namespaces workloads and policies of the input name (an object without metadata.namespace lands where it is applied, unknown here, and is not attributed to a namespace).',
  remediation:
    'Add to the namespace: `kind: NetworkPolicy, spec: {podSelector: {}, policyTypes: [Ingress, Egress]}`, then allow ' +
    'the traffic each workload needs (DNS egress to kube-dns included); `aspis netpol generate` writes both from observed flows.',
  references: [
    'https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies',
    'https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF',
  ],
  evaluate(inventory) {
    const net = networkInventory(inventory);
    const violations: InventoryViolation[] = [];
    const workloadCounts = new Map<string, number>();
    for (const { namespace } of net.workloads) workloadCounts.set(namespace, (workloadCounts.get(namespace) ?? 0) + 1);
    for (const namespace of net.namespaces) {
      const defaults = net.policies.filter((p) => p.namespace === namespace && isEmptyLabelSelector(p.podSelector));
      const missing = (['ingress', 'egress'] as Direction[]).filter((d) => !defaults.some((p) => p.isolates[d]));
      if (missing.length === 0) continue;
      const object = net.namespaceObjects.get(namespace);
      const workloads = workloadCounts.get(namespace) ?? 0;
      violations.push({
        subject: object ? { object } : { ref: { apiVersion: 'v1', kind: 'Namespace', name: namespace } },
        path: ['metadata', 'name'],
        message:
          `namespace "${namespace}" has no default-deny NetworkPolicy for ${missing.join(' and ')}` +
          (workloads > 0 ? `: pods of its ${workloads} workload(s) not selected by another policy are open for ${missing.join(' and ')}` : ''),
        evidence: { namespace, missing: missing.map((d) => (d === 'ingress' ? 'Ingress' : 'Egress')), workloads },
      });
    }
    return violations;
  },
};

import type { InventoryCheck, InventoryViolation } from '../../../core/model/check.js';
import type { Direction } from '../../../core/k8s/network-policy.js';
import type { PolicyLookup } from '../../../core/k8s/network-verdict.js';
import { NETWORK_INVENTORY_KINDS, NO_POLICIES, networkInventory, standaloneWorkload } from '../network-inventory.js';
import type { NetworkWorkload } from '../network-inventory.js';

const DIRECTIONS: readonly Direction[] = ['ingress', 'egress'];

/** A workload's violations: one per direction no policy of its namespace isolates it for. */
function violationsOf(workload: NetworkWorkload, lookup: PolicyLookup): InventoryViolation[] {
  const violations: InventoryViolation[] = [];
  if (workload.hostNetwork) return violations;
  // Without policies in its namespace, nothing selects it: its labels (`pod`) are not needed.
  const inNamespace = lookup.policiesIn(workload.namespace);
  const selecting = inNamespace.length === 0 ? [] : inNamespace.filter((p) => p.selectsPodLabels(workload.pod.labels));
  const names = selecting.map((p) => p.name).sort();
  for (const direction of DIRECTIONS) {
    if (selecting.some((p) => p.isolates[direction])) continue;
    const why =
      names.length > 0
        ? `the NetworkPolicies selecting it (${names.join(', ')}) do not list ${direction === 'ingress' ? 'Ingress' : 'Egress'} in policyTypes`
        : 'no NetworkPolicy of its namespace selects its pods';
    violations.push({
      subject: { object: workload.object },
      path: [...workload.workload.metadataPath, 'labels'],
      message: `${workload.name} is not isolated for ${direction}: ${why}, so ${direction === 'ingress' ? 'any pod or address may connect to it' : 'it may connect anywhere'}`,
      evidence: { direction, selectingPolicies: [...names] },
    });
  }
  return violations;
}

export const check: InventoryCheck = {
  id: 'workload-not-isolated',
  title: 'Workloads not isolated by a NetworkPolicy',
  severity: 'medium',
  category: 'network',
  target: { inventory: NETWORK_INVENTORY_KINDS },
  rationale:
    'Kubernetes isolates a pod for ingress (or egress) only when some NetworkPolicy of its namespace selects it with ' +
    'that direction in its policyTypes; until then every connection in that direction is allowed, whatever other ' +
    'policies say about other pods. An Egress-only policy leaves ingress open and a policy without policyTypes and ' +
    'without egress rules leaves egress open. Reported per workload (a Deployment for its pods, from its template ' +
    'labels) and per direction. Pods with hostNetwork: true are not subject to NetworkPolicy and are not reported here.',
  remediation:
    'Select the workload with a NetworkPolicy for each direction: a namespace default deny (podSelector: {}, ' +
    'policyTypes: [Ingress, Egress]) plus policies allowing what it needs; check the result with `aspis netpol reach`.',
  references: ['https://kubernetes.io/docs/concepts/services-networking/network-policies/#the-two-sorts-of-pod-isolation'],
  evaluate(inventory, _ctx, judged) {
    const net = networkInventory(inventory);
    return net.workloads.flatMap((workload) => (judged?.(workload.object) ? [] : violationsOf(workload, net.lookup)));
  },
  // Isolation is decided by the policies of the workload's own namespace alone.
  alone: {
    unlessKinds: ['NetworkPolicy'],
    evaluate(object) {
      const workload = standaloneWorkload(object);
      return workload === undefined ? undefined : workload === null ? [] : violationsOf(workload, NO_POLICIES);
    },
  },
};

import type { InventoryCheck, InventoryViolation } from '../../../core/model/check.js';
import type { KubeObject } from '../../../core/model/resource.js';
import { groupOf } from '../../../core/model/resource.js';
import { isWorkload } from '../../../core/k8s/workload.js';
import { POD_TEMPLATE_PATHS } from '../../../core/k8s/workload-kinds.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** API groups whose namespaced `NetworkPolicy` kind restricts pod traffic (Kubernetes, Calico). */
const NETWORK_POLICY_GROUPS = new Set(['networking.k8s.io', 'crd.projectcalico.org', 'projectcalico.org']);

function namespaceOf(object: KubeObject): string | undefined {
  const ns = object.metadata?.namespace;
  return typeof ns === 'string' && ns !== '' ? ns : undefined;
}

/** An endpoint selector that selects every endpoint: absent, `{}` or `matchLabels: {}` with no expressions. */
function selectsEverything(selector: unknown): boolean {
  if (selector === undefined) return false;
  if (!isRecord(selector)) return false;
  const labels = selector['matchLabels'];
  const expressions = selector['matchExpressions'];
  const noLabels = labels === undefined || (isRecord(labels) && Object.keys(labels).length === 0);
  const noExpressions = expressions === undefined || (Array.isArray(expressions) && expressions.length === 0);
  return noLabels && noExpressions;
}

/** A CiliumClusterwideNetworkPolicy whose spec (or one of its specs) selects every endpoint of the cluster. */
function coversWholeCluster(policy: KubeObject): boolean {
  if (typeof policy.apiVersion === 'string' && groupOf(policy.apiVersion) !== 'cilium.io') return false;
  const specs = [policy['spec'], ...(Array.isArray(policy['specs']) ? policy['specs'] : [])];
  return specs.some((spec) => isRecord(spec) && selectsEverything(spec['endpointSelector']));
}

const WORKLOAD_KINDS = Object.keys(POD_TEMPLATE_PATHS);

export const check: InventoryCheck = {
  id: 'namespace-without-network-policy',
  title: 'Namespaces without a NetworkPolicy',
  severity: 'medium',
  category: 'namespace',
  target: {
    inventory: ['Namespace', 'NetworkPolicy', 'CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy', ...WORKLOAD_KINDS],
  },
  rationale:
    'Pods accept traffic from any pod of the cluster until a NetworkPolicy selects them, so in a namespace without ' +
    'any policy one compromised pod anywhere can reach every pod there. The namespaces considered are those of the ' +
    'Namespace objects in the input and those of workloads; a workload without metadata.namespace lands in a namespace ' +
    'chosen at apply time and is not attributed to one. A namespace has a policy when a NetworkPolicy ' +
    '(networking.k8s.io, or Calico) or a CiliumNetworkPolicy is in it; a CiliumClusterwideNetworkPolicy selecting ' +
    'every endpoint covers all namespaces. Other cluster-wide policies (Calico GlobalNetworkPolicy, ' +
    'AdminNetworkPolicy) are not evaluated.',
  remediation:
    'Add at least a default-deny NetworkPolicy to each namespace (podSelector: {}, policyTypes: [Ingress, Egress]) ' +
    'and allow the traffic each workload needs explicitly.',
  references: [
    'https://www.cisecurity.org/benchmark/kubernetes',
    'https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies',
    'https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF',
  ],
  evaluate(inventory) {
    if (inventory.ofKind('CiliumClusterwideNetworkPolicy').some(coversWholeCluster)) return [];
    const covered = new Set<string>();
    for (const policy of inventory.ofKind('NetworkPolicy')) {
      const group = typeof policy.apiVersion === 'string' ? groupOf(policy.apiVersion) : 'networking.k8s.io';
      const ns = namespaceOf(policy);
      if (ns && NETWORK_POLICY_GROUPS.has(group)) covered.add(ns);
    }
    for (const policy of inventory.ofKind('CiliumNetworkPolicy')) {
      const ns = namespaceOf(policy);
      if (ns) covered.add(ns);
    }

    const namespaceObjects = new Map<string, KubeObject>();
    for (const ns of inventory.ofKind('Namespace')) {
      if (typeof ns.apiVersion === 'string' && groupOf(ns.apiVersion) !== '') continue;
      const name = ns.metadata?.name;
      if (typeof name === 'string' && name !== '' && !namespaceObjects.has(name)) namespaceObjects.set(name, ns);
    }
    const workloadsIn = new Map<string, number>();
    for (const kind of WORKLOAD_KINDS) {
      for (const object of inventory.ofKind(kind)) {
        const ns = namespaceOf(object);
        if (ns && isWorkload(object)) workloadsIn.set(ns, (workloadsIn.get(ns) ?? 0) + 1);
      }
    }

    const names = [...new Set([...namespaceObjects.keys(), ...workloadsIn.keys()])].sort();
    const violations: InventoryViolation[] = [];
    for (const name of names) {
      if (covered.has(name)) continue;
      const object = namespaceObjects.get(name);
      const workloads = workloadsIn.get(name) ?? 0;
      violations.push({
        subject: object ? { object } : { ref: { apiVersion: 'v1', kind: 'Namespace', name } },
        path: ['metadata', 'name'],
        message:
          workloads > 0
            ? `namespace "${name}" has no NetworkPolicy: its ${workloads} workload(s) accept traffic from any pod`
            : `namespace "${name}" has no NetworkPolicy`,
        evidence: { namespace: name, networkPolicies: 0, workloads },
      });
    }
    return violations;
  },
};

import type { Violation, WorkloadCheck } from '../../../core/model/check.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isSet(value: unknown): boolean {
  return (typeof value === 'string' && value.trim() !== '') || typeof value === 'number';
}

const RESOURCES = [
  { name: 'cpu', label: 'CPU' },
  { name: 'memory', label: 'memory' },
] as const;

export const check: WorkloadCheck = {
  id: 'resource-limits',
  title: 'Containers without CPU and memory limits and requests',
  severity: 'medium',
  category: 'workload',
  target: { workloads: true },
  rationale:
    'Without a memory limit a container can exhaust node memory and get other pods killed; without a CPU limit it ' +
    'can starve them (a compromised container mining cryptocurrency, or a runaway process). Without requests the ' +
    'scheduler cannot place pods by their needs and they are evicted first. A request left unset defaults to the ' +
    'limit, so a container with only a limit is not reported for the request; pod-level resources (spec.resources) ' +
    'count for every container. Ephemeral containers cannot set resources and are not reported.',
  remediation:
    'Set resources.limits.cpu, resources.limits.memory, resources.requests.cpu and resources.requests.memory on every ' +
    'container and init container (or pod-level spec.resources), and enforce defaults per namespace with a LimitRange.',
  references: [
    'https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF',
    'https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/',
  ],
  evaluate(workload) {
    const podResources = isRecord(workload.podSpec['resources']) ? workload.podSpec['resources'] : {};
    const podLimits = isRecord(podResources['limits']) ? podResources['limits'] : {};
    const podRequests = isRecord(podResources['requests']) ? podResources['requests'] : {};
    const violations: Violation[] = [];
    for (const c of workload.containers) {
      if (c.type === 'ephemeralContainers') continue;
      const resources = c.container['resources'];
      const limits = isRecord(resources) && isRecord(resources['limits']) ? resources['limits'] : {};
      const requests = isRecord(resources) && isRecord(resources['requests']) ? resources['requests'] : {};
      const evidence = isRecord(resources) ? { evidence: resources } : {};
      for (const { name, label } of RESOURCES) {
        if (!isSet(limits[name]) && !isSet(podLimits[name])) {
          violations.push({
            path: [...c.path, 'resources', 'limits', name],
            message: `container "${c.name}" has no ${label} limit`,
            ...evidence,
          });
        }
        const requested = isSet(requests[name]) || isSet(limits[name]) || isSet(podRequests[name]) || isSet(podLimits[name]);
        if (!requested) {
          violations.push({
            path: [...c.path, 'resources', 'requests', name],
            message: `container "${c.name}" has no ${label} request`,
            ...evidence,
          });
        }
      }
    }
    return violations;
  },
};

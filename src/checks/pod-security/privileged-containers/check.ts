import type { WorkloadCheck } from '../../../core/model/check.js';
import { jsonPointer } from '../../../core/model/field-path.js';

export const check: WorkloadCheck = {
  id: 'privileged-containers',
  title: 'Privileged containers',
  severity: 'critical',
  category: 'pod-security',
  target: { workloads: true },
  rationale:
    'A privileged container has every capability and access to all host devices; a compromise of the container is a compromise of the node.',
  remediation: 'Remove securityContext.privileged or set it to false on every container, init container and ephemeral container.',
  references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline'],
  evaluate(workload) {
    return workload.containers
      .filter((c) => (c.container['securityContext'] as Record<string, unknown> | undefined)?.['privileged'] === true)
      .map((c) => ({
        path: [...c.path, 'securityContext', 'privileged'],
        message: `container "${c.name}" must not set securityContext.privileged=true`,
        evidence: true,
        fix: [{ op: 'replace' as const, path: jsonPointer([...c.path, 'securityContext', 'privileged']), value: false }],
      }));
  },
};

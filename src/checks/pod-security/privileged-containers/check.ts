import type { Violation, WorkloadCheck } from '../../../core/model/check.js';
import { containerSecurityField } from '../../../core/k8s/security-context.js';
import { jsonPointer } from '../../../core/model/field-path.js';

/** PSA check `privileged` (baseline, v1.0+): no container may set securityContext.privileged=true. */
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
    const violations: Violation[] = [];
    for (const c of workload.containers) {
      const field = containerSecurityField(c, 'privileged');
      if (field.value !== true) continue;
      violations.push({
        path: field.path,
        message: `privileged: container "${c.name}" must not set securityContext.privileged=true`,
        evidence: true,
        fix: [{ op: 'replace', path: jsonPointer(field.path), value: false }],
      });
    }
    return violations;
  },
};

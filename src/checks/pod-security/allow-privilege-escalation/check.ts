import type { Violation, WorkloadCheck } from '../../../core/model/check.js';
import { isWindowsPod } from '../../../core/k8s/pod-os.js';
import { containerSecurityField } from '../../../core/k8s/security-context.js';
import { setFieldPatch } from '../../../core/model/set-field-patch.js';

/**
 * PSA check `allowPrivilegeEscalation` (restricted, v1.8+): every container must set
 * securityContext.allowPrivilegeEscalation=false (unset means true). From policy v1.25 Windows pods
 * (spec.os.name: windows) are exempt.
 */
export const check: WorkloadCheck = {
  id: 'allow-privilege-escalation',
  title: 'Privilege escalation allowed',
  severity: 'medium',
  category: 'pod-security',
  target: { workloads: true },
  rationale:
    'Unless allowPrivilegeEscalation is false, a process can gain more privileges than its parent (setuid binaries, file capabilities): no_new_privs is not set.',
  remediation: 'Set securityContext.allowPrivilegeEscalation: false on every container, init container and ephemeral container.',
  references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted'],
  evaluate(workload, ctx) {
    if (ctx.pssVersion.minor >= 25 && isWindowsPod(workload)) return [];
    const violations: Violation[] = [];
    for (const c of workload.containers) {
      const field = containerSecurityField(c, 'allowPrivilegeEscalation');
      if (field.value === false) continue;
      violations.push({
        path: field.path,
        message:
          field.value === undefined
            ? `allowPrivilegeEscalation != false: container "${c.name}" must set securityContext.allowPrivilegeEscalation=false`
            : `allowPrivilegeEscalation != false: container "${c.name}" must set securityContext.allowPrivilegeEscalation=false, not ${JSON.stringify(field.value)}`,
        evidence: field.value,
        fix: setFieldPatch(workload.object, field.path, false),
      });
    }
    return violations;
  },
};

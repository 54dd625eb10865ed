import type { Violation, WorkloadCheck } from '../../../core/model/check.js';
import { isWindowsPod } from '../../../core/k8s/pod-os.js';
import { containerSecurityField, podSecurityField } from '../../../core/k8s/security-context.js';
import { jsonPointer } from '../../../core/model/field-path.js';
import { setFieldPatch } from '../../../core/model/set-field-patch.js';
import { asRecord } from '../../../core/model/untrusted-value.js';
import { ALLOWED_SECCOMP_TYPES } from '../seccomp-profile-type.js';

/**
 * PSA check `seccompProfile_restricted` (restricted, v1.19+; replaces `seccompProfile_baseline`): the seccomp profile
 * must be set to RuntimeDefault or Localhost, on the pod (containers may then leave it unset) or on every container.
 * From policy v1.25 Windows pods (spec.os.name: windows) are exempt.
 */
export const check: WorkloadCheck = {
  id: 'seccomp-profile-restricted',
  title: 'Seccomp profile not set',
  severity: 'medium',
  category: 'pod-security',
  target: { workloads: true },
  rationale:
    'Without an explicit seccomp profile a container may run unconfined; RuntimeDefault blocks the rarely needed system calls most kernel exploits rely on.',
  remediation:
    'Set spec.securityContext.seccompProfile.type: RuntimeDefault (or Localhost with a profile) and do not override it with another type in containers.',
  references: [
    'https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted',
    'https://kubernetes.io/docs/tutorials/security/seccomp/',
  ],
  evaluate(workload, ctx) {
    if (ctx.pssVersion.minor >= 25 && isWindowsPod(workload)) return [];
    const violations: Violation[] = [];
    const pod = podSecurityField(workload, 'seccompProfile');
    const podType = asRecord(pod.value)?.['type'];
    if (pod.value !== undefined && !ALLOWED_SECCOMP_TYPES.has(podType)) {
      violations.push({
        path: [...pod.path, 'type'],
        message: `seccompProfile: pod must not set securityContext.seccompProfile.type to ${JSON.stringify(podType ?? '')}`,
        evidence: podType,
        fix: [{ op: 'replace', path: jsonPointer(pod.path), value: { type: 'RuntimeDefault' } }],
      });
    }
    for (const c of workload.containers) {
      const own = containerSecurityField(c, 'seccompProfile');
      if (own.value !== undefined) {
        const type = asRecord(own.value)?.['type'];
        if (ALLOWED_SECCOMP_TYPES.has(type)) continue;
        violations.push({
          path: [...own.path, 'type'],
          message: `seccompProfile: container "${c.name}" must not set securityContext.seccompProfile.type to ${JSON.stringify(type ?? '')}`,
          evidence: type,
          fix: [{ op: 'replace', path: jsonPointer(own.path), value: { type: 'RuntimeDefault' } }],
        });
      } else if (pod.value === undefined) {
        // Neither level sets a profile. (An invalid pod-level profile is reported once, above.)
        violations.push({
          path: own.path,
          message: `seccompProfile: pod or container "${c.name}" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
          fix: setFieldPatch(workload.object, own.path, { type: 'RuntimeDefault' }),
        });
      }
    }
    return violations;
  },
};

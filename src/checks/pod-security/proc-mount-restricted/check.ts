import type { WorkloadCheck } from '../../../core/model/check.js';
import { procMountViolations } from '../proc-mount-type.js';

/**
 * PSA check `procMount_restricted` (restricted, v1.35+; replaces `procMount`): procMount must be unset or Default,
 * even for pods in a user namespace.
 */
export const check: WorkloadCheck = {
  id: 'proc-mount-restricted',
  title: 'Unmasked /proc mount (restricted)',
  severity: 'medium',
  category: 'pod-security',
  target: { workloads: true },
  rationale:
    'Restricted keeps the default /proc masks for every pod, including pods with their own user namespace, which baseline exempts from policy v1.35.',
  remediation: 'Remove securityContext.procMount or set it to Default on every container.',
  references: [
    'https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted',
    'https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/#integration-with-pod-security-admission-checks',
  ],
  evaluate(workload) {
    return procMountViolations(workload);
  },
};

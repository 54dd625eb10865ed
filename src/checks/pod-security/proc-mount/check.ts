import type { WorkloadCheck } from '../../../core/model/check.js';
import { usesUserNamespace } from '../../../core/k8s/user-namespace.js';
import { procMountViolations } from '../proc-mount-type.js';

/**
 * PSA check `procMount` (baseline, v1.0+). From policy v1.35 a pod with `hostUsers: false` may set any procMount:
 * /proc is then owned by the pod's user namespace. At restricted from v1.35 `procMount_restricted` replaces it.
 */
export const check: WorkloadCheck = {
  id: 'proc-mount',
  title: 'Unmasked /proc mount',
  severity: 'medium',
  category: 'pod-security',
  target: { workloads: true },
  rationale:
    'The runtime masks and makes read-only parts of /proc that expose host kernel interfaces; procMount: Unmasked removes those masks.',
  remediation:
    'Remove securityContext.procMount or set it to Default (from policy v1.35 baseline also allows other values for pods with spec.hostUsers: false).',
  references: [
    'https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline',
    'https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/#integration-with-pod-security-admission-checks',
  ],
  evaluate(workload, ctx) {
    if (ctx.pssVersion.minor >= 35 && usesUserNamespace(workload)) return [];
    return procMountViolations(workload);
  },
};

import type { Violation, WorkloadCheck } from '../../../core/model/check.js';
import { containerSecurityField, podSecurityField } from '../../../core/k8s/security-context.js';
import type { SecurityField } from '../../../core/k8s/security-context.js';
import { usesUserNamespace } from '../../../core/k8s/user-namespace.js';

/**
 * PSA check `runAsUser` (restricted, v1.23+): neither the pod nor any container may set runAsUser: 0 (unset is
 * allowed; runAsNonRoot covers images that default to root). From policy v1.35 pods with `hostUsers: false` are exempt.
 */
export const check: WorkloadCheck = {
  id: 'run-as-user-root',
  title: 'Runs as UID 0',
  severity: 'high',
  category: 'pod-security',
  target: { workloads: true },
  rationale: 'runAsUser: 0 runs the container processes as root, whatever the image declares.',
  remediation: 'Set runAsUser to a non-zero UID (for example 10001) on the pod or the containers, or remove it and let the image user apply.',
  references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted'],
  evaluate(workload, ctx) {
    if (ctx.pssVersion.minor >= 35 && usesUserNamespace(workload)) return [];
    const violations: Violation[] = [];
    // No fix: which non-root UID the image can run as is not knowable from the manifest.
    const checkField = (field: SecurityField, who: string) => {
      if (field.value !== 0) return;
      violations.push({ path: field.path, message: `runAsUser=0: ${who} must not set runAsUser=0`, evidence: 0 });
    };
    checkField(podSecurityField(workload, 'runAsUser'), 'pod');
    for (const c of workload.containers) checkField(containerSecurityField(c, 'runAsUser'), `container "${c.name}"`);
    return violations;
  },
};

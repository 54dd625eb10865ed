import type { Violation, WorkloadCheck } from '../../../core/model/check.js';
import { containerSecurityField, podSecurityField } from '../../../core/k8s/security-context.js';
import { usesUserNamespace } from '../../../core/k8s/user-namespace.js';
import { jsonPointer } from '../../../core/model/field-path.js';
import { setFieldPatch } from '../../../core/model/set-field-patch.js';

/**
 * PSA check `runAsNonRoot` (restricted, v1.0+): runAsNonRoot must be true, set on the pod or on every container;
 * neither level may set it to false. From policy v1.35 pods with `hostUsers: false` are exempt (root in a user
 * namespace is not root on the node).
 */
export const check: WorkloadCheck = {
  id: 'run-as-non-root',
  title: 'Containers may run as root',
  severity: 'medium',
  category: 'pod-security',
  target: { workloads: true },
  rationale:
    'Without runAsNonRoot: true the kubelet starts the container as whatever user the image declares, often root; root in a container is one kernel bug away from root on the node.',
  remediation:
    'Set spec.securityContext.runAsNonRoot: true (or securityContext.runAsNonRoot: true on every container) and do not set it to false anywhere; the image must declare a numeric non-root USER or the pod must set runAsUser.',
  references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted'],
  evaluate(workload, ctx) {
    if (ctx.pssVersion.minor >= 35 && usesUserNamespace(workload)) return [];
    const violations: Violation[] = [];
    const pod = podSecurityField(workload, 'runAsNonRoot');
    if (pod.value !== undefined && pod.value !== true) {
      violations.push({
        path: pod.path,
        message: `runAsNonRoot != true: pod must not set securityContext.runAsNonRoot=${JSON.stringify(pod.value)}`,
        evidence: pod.value,
        fix: [{ op: 'replace', path: jsonPointer(pod.path), value: true }],
      });
    }
    for (const c of workload.containers) {
      const own = containerSecurityField(c, 'runAsNonRoot');
      if (own.value !== undefined) {
        if (own.value === true) continue;
        violations.push({
          path: own.path,
          message: `runAsNonRoot != true: container "${c.name}" must not set securityContext.runAsNonRoot=${JSON.stringify(own.value)}`,
          evidence: own.value,
          fix: [{ op: 'replace', path: jsonPointer(own.path), value: true }],
        });
      } else if (pod.value === undefined) {
        // Neither the pod nor the container opts in. (A pod-level false is reported once, above.)
        violations.push({
          path: own.path,
          message: `runAsNonRoot != true: pod or container "${c.name}" must set securityContext.runAsNonRoot=true`,
          fix: setFieldPatch(workload.object, own.path, true),
        });
      }
    }
    return violations;
  },
};

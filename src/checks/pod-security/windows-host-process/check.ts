import type { Violation, WorkloadCheck } from '../../../core/model/check.js';
import { containerSecurityField, podSecurityField } from '../../../core/k8s/security-context.js';
import type { SecurityField } from '../../../core/k8s/security-context.js';
import { jsonPointer } from '../../../core/model/field-path.js';
import { asRecord } from '../../../core/model/untrusted-value.js';

/** PSA check `windowsHostProcess` (baseline, v1.0+): windowsOptions.hostProcess must be unset or false on the pod and every container. */
export const check: WorkloadCheck = {
  id: 'windows-host-process',
  title: 'Windows HostProcess containers',
  severity: 'critical',
  category: 'pod-security',
  target: { workloads: true },
  rationale:
    'A Windows HostProcess container runs directly on the node with host network and filesystem access: the equivalent of a privileged Linux container.',
  remediation: 'Remove securityContext.windowsOptions.hostProcess or set it to false on the pod and every container.',
  references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline'],
  evaluate(workload) {
    const violations: Violation[] = [];
    const checkField = (field: SecurityField, who: string) => {
      if (asRecord(field.value)?.['hostProcess'] !== true) return;
      const path = [...field.path, 'hostProcess'];
      violations.push({
        path,
        message: `hostProcess: ${who} must not set securityContext.windowsOptions.hostProcess=true`,
        evidence: true,
        fix: [{ op: 'replace', path: jsonPointer(path), value: false }],
      });
    };
    checkField(podSecurityField(workload, 'windowsOptions'), 'pod');
    for (const c of workload.containers) checkField(containerSecurityField(c, 'windowsOptions'), `container "${c.name}"`);
    return violations;
  },
};

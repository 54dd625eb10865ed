import type { Violation, WorkloadCheck } from '../../../core/model/check.js';
import { setFieldPatch } from '../../../core/model/set-field-patch.js';
import { isWindowsPod } from '../../../core/k8s/pod-os.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export const check: WorkloadCheck = {
  id: 'readonly-root-filesystem',
  title: 'Writable container root filesystem',
  severity: 'medium',
  category: 'workload',
  target: { workloads: true },
  rationale:
    'With a writable root filesystem an attacker who gets code execution can drop tools, modify binaries and ' +
    'configuration, and persist for the life of the container. An immutable root filesystem with explicit writable ' +
    'volumes for the paths the application writes limits that. Windows pods (spec.os.name: windows) cannot set the ' +
    'field and are not reported.',
  remediation:
    'Set securityContext.readOnlyRootFilesystem: true on every container, and mount an emptyDir (or other volume) at ' +
    'each path the application must write, such as /tmp.',
  references: [
    'https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF',
    'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/',
  ],
  evaluate(workload) {
    if (isWindowsPod(workload)) return [];
    const violations: Violation[] = [];
    for (const c of workload.containers) {
      const sc = c.container['securityContext'];
      const value = isRecord(sc) ? sc['readOnlyRootFilesystem'] : undefined;
      if (value === true) continue;
      const path = [...c.path, 'securityContext', 'readOnlyRootFilesystem'];
      violations.push({
        path,
        message:
          value === false
            ? `container "${c.name}" sets securityContext.readOnlyRootFilesystem: false`
            : `container "${c.name}" does not set securityContext.readOnlyRootFilesystem: true`,
        ...(value === undefined ? {} : { evidence: value }),
        fix: setFieldPatch(workload.object, path, true),
      });
    }
    return violations;
  },
};

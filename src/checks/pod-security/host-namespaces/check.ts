import type { Violation, WorkloadCheck } from '../../../core/model/check.js';
import { jsonPointer } from '../../../core/model/field-path.js';

const HOST_NAMESPACE_FIELDS = ['hostNetwork', 'hostPID', 'hostIPC'] as const;

/** PSA check `hostNamespaces` (baseline, v1.0+): spec.hostNetwork, spec.hostPID and spec.hostIPC must be unset or false. */
export const check: WorkloadCheck = {
  id: 'host-namespaces',
  title: 'Host namespaces',
  severity: 'high',
  category: 'pod-security',
  target: { workloads: true },
  rationale:
    "Sharing the node's network, process or IPC namespace lets a container see and reach host processes and interfaces, sniff traffic and bypass NetworkPolicy.",
  remediation: 'Remove spec.hostNetwork, spec.hostPID and spec.hostIPC from the pod spec, or set them to false.',
  references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline'],
  evaluate(workload) {
    const violations: Violation[] = [];
    for (const field of HOST_NAMESPACE_FIELDS) {
      if (workload.podSpec[field] !== true) continue;
      const path = [...workload.specPath, field];
      violations.push({
        path,
        message: `host namespaces: pod must not set ${field}=true`,
        evidence: true,
        fix: [{ op: 'replace', path: jsonPointer(path), value: false }],
      });
    }
    return violations;
  },
};

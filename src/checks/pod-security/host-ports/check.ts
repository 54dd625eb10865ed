import type { Violation, WorkloadCheck } from '../../../core/model/check.js';
import { jsonPointer } from '../../../core/model/field-path.js';
import { asArray, asRecord, isUnset } from '../../../core/model/untrusted-value.js';

/** PSA check `hostPorts` (baseline, v1.0+): ports[*].hostPort must be unset or 0 on every container. */
export const check: WorkloadCheck = {
  id: 'host-ports',
  title: 'Host ports',
  severity: 'medium',
  category: 'pod-security',
  target: { workloads: true },
  rationale:
    "A hostPort binds the container to a port of the node's network interfaces: it bypasses Services and NetworkPolicy selection, exposes the pod outside the cluster and pins it to nodes where the port is free.",
  remediation: 'Remove ports[*].hostPort and expose the container through a Service (ClusterIP, NodePort or LoadBalancer) instead.',
  references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline'],
  evaluate(workload) {
    const violations: Violation[] = [];
    for (const c of workload.containers) {
      asArray(c.container['ports']).forEach((item, index) => {
        const port = asRecord(item);
        const hostPort = port?.['hostPort'];
        if (!port || isUnset(hostPort) || hostPort === 0) return;
        const path = [...c.path, 'ports', index, 'hostPort'];
        violations.push({
          path,
          message: `hostPort: container "${c.name}" must not use hostPort ${String(hostPort)}`,
          evidence: hostPort,
          fix: [{ op: 'remove', path: jsonPointer(path) }],
        });
      });
    }
    return violations;
  },
};

import type { Violation, WorkloadCheck } from '../../../core/model/check.js';
import { asArray, asRecord, isUnset } from '../../../core/model/untrusted-value.js';

/** PSA check `hostPathVolumes` (baseline, v1.0+; replaced by `restrictedVolumes` at restricted): no hostPath volume. */
export const check: WorkloadCheck = {
  id: 'host-path-volumes',
  title: 'hostPath volumes',
  severity: 'high',
  category: 'pod-security',
  target: { workloads: true },
  rationale:
    "A hostPath volume mounts a directory of the node into the container: it can expose credentials, the container runtime socket or the node's filesystem, and is a common escape path.",
  remediation:
    'Replace hostPath volumes with emptyDir, configMap, secret, projected or PersistentVolumeClaim volumes (use a CSI driver for node-local storage).',
  references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline'],
  evaluate(workload) {
    const violations: Violation[] = [];
    asArray(workload.podSpec['volumes']).forEach((item, index) => {
      const volume = asRecord(item);
      if (!volume || isUnset(volume['hostPath'])) return;
      const name = typeof volume['name'] === 'string' ? volume['name'] : `volumes[${index}]`;
      const hostPath = asRecord(volume['hostPath']);
      const where = typeof hostPath?.['path'] === 'string' ? ` (path ${JSON.stringify(hostPath['path'])})` : '';
      // No fix: removing the volume breaks the containers that mount it.
      violations.push({
        path: [...workload.specPath, 'volumes', index, 'hostPath'],
        message: `hostPath volumes: volume "${name}" must not use hostPath${where}`,
        evidence: volume['hostPath'],
      });
    });
    return violations;
  },
};

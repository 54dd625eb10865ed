import type { Violation, WorkloadCheck } from '../../../core/model/check.js';
import type { FieldPath } from '../../../core/model/field-path.js';
import { jsonPointer, valueAt } from '../../../core/model/field-path.js';
import { asRecord, isUnset } from '../../../core/model/untrusted-value.js';

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const LIFECYCLE_HANDLERS = ['postStart', 'preStop'] as const;
/** Where each handler is in a container, and its name for messages. */
const HANDLERS: readonly { at: FieldPath; what: string }[] = [
  ...PROBES.map((probe) => ({ at: [probe], what: probe })),
  ...LIFECYCLE_HANDLERS.map((name) => ({ at: ['lifecycle', name], what: `lifecycle.${name}` })),
];
/** tcpSocket is not a supported lifecycle handler but the API keeps it, so PodSecurity checks it too. */
const ACTIONS = ['httpGet', 'tcpSocket'] as const;

/**
 * PSA check `hostProbesAndHostLifecycle` (baseline, v1.34+): probes and lifecycle handlers must not set
 * httpGet.host or tcpSocket.host (empty or unset only), on every container, init container and ephemeral container.
 */
export const check: WorkloadCheck = {
  id: 'host-probes-lifecycle',
  title: 'Probe or lifecycle handler targets another host',
  severity: 'medium',
  category: 'pod-security',
  target: { workloads: true },
  rationale:
    'The kubelet performs probes and lifecycle HTTP/TCP calls from the node; a .host field lets a pod make the kubelet connect to arbitrary addresses (server-side request forgery from the node network).',
  remediation: 'Remove the host field from httpGet and tcpSocket in probes and lifecycle handlers, so the kubelet targets the pod IP.',
  references: [
    'https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline',
    'https://github.com/kubernetes/kubernetes/pull/125271',
  ],
  evaluate(workload) {
    const violations: Violation[] = [];
    for (const c of workload.containers) {
      for (const { at, what } of HANDLERS) {
        const handler = asRecord(valueAt(c.container, at));
        if (!handler) continue;
        for (const action of ACTIONS) {
          const host = asRecord(handler[action])?.['host'];
          if (isUnset(host) || host === '') continue;
          const hostPath = [...c.path, ...at, action, 'host'];
          violations.push({
            path: hostPath,
            message: `probe or lifecycle host: container "${c.name}" must not set ${what}.${action}.host (uses probe or lifecycle host ${JSON.stringify(host)})`,
            evidence: host,
            fix: [{ op: 'remove', path: jsonPointer(hostPath) }],
          });
        }
      }
    }
    return violations;
  },
};

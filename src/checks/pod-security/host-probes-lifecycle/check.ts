import type { Violation, WorkloadCheck } from '../../../core/model/check.js';
import type { FieldPath } from '../../../core/model/field-path.js';
import { jsonPointer } from '../../../core/model/field-path.js';
import { asRecord, isUnset } from '../../../core/model/untrusted-value.js';

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const LIFECYCLE_HANDLERS = ['postStart', 'preStop'] as const;
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
      const handlers: { handler: unknown; path: FieldPath; what: string }[] = [
        ...PROBES.map((probe) => ({ handler: c.container[probe], path: [...c.path, probe], what: probe })),
        ...LIFECYCLE_HANDLERS.map((name) => ({
          handler: asRecord(c.container['lifecycle'])?.[name],
          path: [...c.path, 'lifecycle', name],
          what: `lifecycle.${name}`,
        })),
      ];
      for (const { handler, path, what } of handlers) {
        for (const action of ACTIONS) {
          const host = asRecord(asRecord(handler)?.[action])?.['host'];
          if (isUnset(host) || host === '') continue;
          const hostPath = [...path, action, 'host'];
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

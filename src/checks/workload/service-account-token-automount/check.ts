import type { WorkloadCheck } from '../../../core/model/check.js';
import { setFieldPatch } from '../../../core/model/set-field-patch.js';

export const check: WorkloadCheck = {
  id: 'service-account-token-automount',
  title: 'Pods that mount a service account token',
  severity: 'medium',
  category: 'workload',
  target: { workloads: true },
  rationale:
    'Unless automountServiceAccountToken is false, Kubernetes mounts an API token for the pod service account into ' +
    'every container. Most applications never call the Kubernetes API, and a token in a compromised container lets ' +
    'the attacker act with the account permissions. The pod field decides: it overrides the ServiceAccount setting ' +
    '(which service-account-object-automount and default-service-account-automount report), so a pod that leaves it ' +
    'unset is reported even if its ServiceAccount opts out elsewhere.',
  remediation:
    'Set spec.automountServiceAccountToken: false in the pod template of workloads that do not call the Kubernetes ' +
    'API; for those that do, use a dedicated service account with least-privilege RBAC and waive this finding.',
  references: [
    'https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF',
    'https://www.cisecurity.org/benchmark/kubernetes',
    'https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting',
  ],
  evaluate(workload) {
    const value = workload.podSpec['automountServiceAccountToken'];
    if (value === false) return [];
    const path = [...workload.specPath, 'automountServiceAccountToken'];
    return [
      {
        path,
        message:
          value === true
            ? 'the pod sets automountServiceAccountToken: true, mounting an API token into every container'
            : 'the pod does not set automountServiceAccountToken: false, so an API token is mounted into every container',
        ...(value === undefined ? {} : { evidence: value }),
        fix: setFieldPatch(workload.object, path, false),
      },
    ];
  },
};

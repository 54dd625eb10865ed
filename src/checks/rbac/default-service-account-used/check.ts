import type { WorkloadCheck } from '../../../core/model/check.js';

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export const check: WorkloadCheck = {
  id: 'default-service-account-used',
  title: 'Workloads that run as the default service account',
  severity: 'low',
  category: 'rbac',
  target: { workloads: true },
  rationale:
    'A pod that names no service account runs as the namespace default account, shared with every other such pod: ' +
    'permissions given to one workload through it reach all of them, and their API requests cannot be told apart in ' +
    'audit logs. The account is `serviceAccountName`, else the deprecated `serviceAccount`, else `default`. A pod that ' +
    'sets automountServiceAccountToken: false holds no token for the account and is not reported.',
  remediation:
    'Create a service account for the workload (with automountServiceAccountToken: false unless it calls the API) and ' +
    'set spec.serviceAccountName to it.',
  references: [
    'https://www.cisecurity.org/benchmark/kubernetes',
    'https://kubernetes.io/docs/concepts/security/service-accounts/#default-service-accounts',
  ],
  evaluate(workload) {
    const spec = workload.podSpec;
    if (spec['automountServiceAccountToken'] === false) return [];
    const name = spec['serviceAccountName'];
    const legacy = spec['serviceAccount'];
    const effective = nonEmpty(name) ?? nonEmpty(legacy) ?? 'default';
    if (effective !== 'default') return [];
    const field = nonEmpty(name) !== undefined || nonEmpty(legacy) === undefined ? 'serviceAccountName' : 'serviceAccount';
    const written = spec[field];
    return [
      {
        path: [...workload.specPath, field],
        message:
          typeof written === 'string' && written !== ''
            ? `the pod runs as the namespace default service account (${field}: ${written})`
            : 'the pod names no service account, so it runs as the namespace default service account',
        evidence: effective,
      },
    ];
  },
};

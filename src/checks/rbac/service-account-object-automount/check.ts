import type { ObjectCheck } from '../../../core/model/check.js';
import { automountViolations } from '../service-account-automount.js';

export const check: ObjectCheck = {
  id: 'service-account-object-automount',
  title: 'Service accounts that mount their token by default',
  severity: 'low',
  category: 'rbac',
  target: { kinds: ['ServiceAccount'] },
  rationale:
    'A pod gets an API token for its service account unless the pod or the service account sets ' +
    'automountServiceAccountToken: false. Opting out on the service account makes "no token" the default for every ' +
    'pod that uses it; the pods that really call the API opt back in with automountServiceAccountToken: true in their ' +
    'spec. The namespace default account is reported by default-service-account-automount instead.',
  remediation:
    'Set automountServiceAccountToken: false on the service account and true on the pods that need to call the API.',
  references: [
    'https://www.cisecurity.org/benchmark/kubernetes',
    'https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting',
  ],
  evaluate(object) {
    return automountViolations(object, (name) => name !== 'default', {
      explicitTrue: 'the service account sets automountServiceAccountToken: true, so every pod using it gets an API token',
      unset: 'the service account does not set automountServiceAccountToken: false, so every pod using it gets an API token',
    });
  },
};

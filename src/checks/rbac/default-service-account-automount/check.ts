import type { ObjectCheck } from '../../../core/model/check.js';
import { automountViolations } from '../service-account-automount.js';

export const check: ObjectCheck = {
  id: 'default-service-account-automount',
  title: 'Default service accounts that mount their token',
  severity: 'medium',
  category: 'rbac',
  target: { kinds: ['ServiceAccount'] },
  rationale:
    'Every namespace has a service account named default, used by every pod that names no other. Unless it sets ' +
    'automountServiceAccountToken: false, each such pod gets an API token, so a permission granted to the default ' +
    'account, or a compromise of any one of those pods, reaches all of them.',
  remediation:
    'Set automountServiceAccountToken: false on the default service account of every namespace, and give workloads ' +
    'that need the API a dedicated service account.',
  references: [
    'https://www.cisecurity.org/benchmark/kubernetes',
    'https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting',
  ],
  evaluate(object) {
    return automountViolations(object, (name) => name === 'default', {
      explicitTrue: 'the default service account sets automountServiceAccountToken: true',
      unset: 'the default service account does not set automountServiceAccountToken: false, so pods using it get an API token',
    });
  },
};

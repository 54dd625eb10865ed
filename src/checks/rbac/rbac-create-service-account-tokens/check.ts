import { permissionCheck } from '../permission-check.js';

export const check = permissionCheck(
  {
    id: 'rbac-create-service-account-tokens',
    title: 'Roles that can create service account tokens',
    severity: 'high',
    rationale:
      'create on serviceaccounts/token (the TokenRequest API) issues a token for any service account in scope, so ' +
      'the holder gains the permissions of every such account, possibly long-lived ones. Built-in roles (`system:…`, ' +
      'and cluster-admin/admin/edit/view as bootstrapped) are not reported.',
    remediation:
      'Remove create on serviceaccounts/token, or restrict it with resourceNames to the service accounts the holder ' +
      'must obtain tokens for.',
    references: [
      'https://www.cisecurity.org/benchmark/kubernetes',
      'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#token-request',
    ],
  },
  [{ group: '', resource: 'serviceaccounts/token', verbs: ['create'] }],
);

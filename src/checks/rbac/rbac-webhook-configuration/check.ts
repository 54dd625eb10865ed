import { permissionCheck } from '../permission-check.js';

const VERBS = ['create', 'update', 'patch', 'delete'] as const;

export const check = permissionCheck(
  {
    id: 'rbac-webhook-configuration',
    title: 'Roles that can change admission webhook configurations',
    severity: 'high',
    rationale:
      'Admission webhooks see, and mutating ones rewrite, every object sent to the API server, secrets included. ' +
      'Whoever can create or change a webhook configuration can read those objects, inject containers into pods, or ' +
      'delete the policy webhooks that enforce security. Built-in roles (`system:…`, and cluster-admin/admin/edit/view ' +
      'as bootstrapped) are not reported.',
    remediation:
      'Remove create, update, patch and delete on validatingwebhookconfigurations and mutatingwebhookconfigurations ' +
      'from the role; keep them for the cluster administrators and the controllers that own those webhooks.',
    references: [
      'https://www.cisecurity.org/benchmark/kubernetes',
      'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#control-admission-webhooks',
    ],
  },
  [
    { group: 'admissionregistration.k8s.io', resource: 'validatingwebhookconfigurations', verbs: VERBS },
    { group: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations', verbs: VERBS },
  ],
);

import { permissionCheck } from '../permission-check.js';

export const check = permissionCheck(
  {
    id: 'rbac-csr-approval',
    title: 'Roles that can approve CertificateSigningRequests',
    severity: 'high',
    rationale:
      'Updating the approval subresource of certificatesigningrequests approves a request for a client certificate: ' +
      'with a signer that issues API client certificates, the holder can mint credentials for other users and ' +
      'groups. Built-in roles (`system:…`, and cluster-admin/admin/edit/view as bootstrapped) are not reported.',
    remediation: 'Remove update and patch on certificatesigningrequests/approval; leave approval to the controllers that need it.',
    references: [
      'https://www.cisecurity.org/benchmark/kubernetes',
      'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#csrs-and-certificate-issuing',
      'https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/#authorization',
    ],
  },
  [{ group: 'certificates.k8s.io', resource: 'certificatesigningrequests/approval', verbs: ['update', 'patch'] }],
);

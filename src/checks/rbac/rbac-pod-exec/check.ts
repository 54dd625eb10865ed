import { permissionCheck } from '../permission-check.js';

// kubectl exec and attach POST to the subresource (create); over WebSockets they GET it (get).
const VERBS = ['create', 'get'] as const;

export const check = permissionCheck(
  {
    id: 'rbac-pod-exec',
    title: 'Roles that can exec into or attach to pods',
    severity: 'medium',
    rationale:
      'create or get on pods/exec runs any command in a running container, and on pods/attach takes over its ' +
      'standard streams: the holder acts with everything the pod has (its service account token, mounted secrets, ' +
      'its network position) without creating anything an admission controller would review. Built-in roles ' +
      '(`system:…`, and cluster-admin/admin/edit/view as bootstrapped) are not reported.',
    remediation:
      'Remove create and get on pods/exec and pods/attach (and the `*` verbs or `*/exec`, `*/attach` resources that ' +
      'include them); grant them only to operators who need an interactive shell, in the namespaces they run, ' +
      'preferably through a temporary binding.',
    references: [
      'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation',
      'https://kubernetes.io/docs/reference/access-authn-authz/authorization/#determine-the-request-verb',
    ],
  },
  [
    { group: '', resource: 'pods/exec', verbs: VERBS },
    { group: '', resource: 'pods/attach', verbs: VERBS },
  ],
);

import { permissionCheck } from '../permission-check.js';

export const check = permissionCheck(
  {
    id: 'rbac-node-proxy',
    title: 'Roles with access to the nodes/proxy subresource',
    severity: 'high',
    rationale:
      'nodes/proxy reaches the kubelet API of every node, which can run commands in any pod on the node; those ' +
      'requests bypass audit logging and admission control of the API server. Built-in roles (`system:…`, and ' +
      'cluster-admin/admin/edit/view as bootstrapped) are not reported.',
    remediation: 'Remove every verb on nodes/proxy from the role; monitoring agents need nodes/metrics or nodes/stats instead.',
    references: [
      'https://www.cisecurity.org/benchmark/kubernetes',
      'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#access-to-proxy-subresource-of-nodes',
    ],
  },
  [{ group: '', resource: 'nodes/proxy', verbs: ['get', 'create', 'update', 'patch', 'delete'] }],
);

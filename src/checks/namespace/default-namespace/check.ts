import type { ObjectCheck } from '../../../core/model/check.js';
import { POD_TEMPLATE_PATHS } from '../../../core/k8s/workload-kinds.js';

/** Objects Kubernetes itself keeps in the default namespace of every cluster. */
const BUILT_IN: ReadonlySet<string> = new Set([
  'Service/kubernetes',
  'Endpoints/kubernetes',
  'EndpointSlice/kubernetes',
  'ServiceAccount/default',
  'ConfigMap/kube-root-ca.crt',
]);

export const check: ObjectCheck = {
  id: 'default-namespace',
  title: 'Objects in the default namespace',
  severity: 'low',
  category: 'namespace',
  target: {
    kinds: [
      ...Object.keys(POD_TEMPLATE_PATHS),
      'Service', 'Endpoints', 'EndpointSlice', 'Ingress', 'NetworkPolicy',
      'ConfigMap', 'Secret', 'PersistentVolumeClaim',
      'ServiceAccount', 'Role', 'RoleBinding',
      'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'LimitRange', 'ResourceQuota',
      'Lease', 'CSIStorageCapacity',
    ],
  },
  rationale:
    'The default namespace is where everything lands that nobody placed deliberately: RBAC, NetworkPolicies, quotas ' +
    'and Pod Security levels scoped to an application cannot separate what shares it. Only objects that say ' +
    '`metadata.namespace: default` are reported. An object without metadata.namespace in a manifest is not in the ' +
    'default namespace: kubectl, Helm or Kustomize place it in the namespace chosen when it is applied (-n, the ' +
    'context namespace, the release namespace). The objects Kubernetes keeps there itself (Service, Endpoints and ' +
    'EndpointSlice kubernetes, ServiceAccount default, ConfigMap kube-root-ca.crt) are not reported.',
  remediation: 'Create a namespace for the application and move its objects there (set metadata.namespace).',
  references: [
    'https://www.cisecurity.org/benchmark/kubernetes',
    'https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/',
  ],
  evaluate(object) {
    if (object.metadata?.namespace !== 'default') return [];
    const name = typeof object.metadata.name === 'string' ? object.metadata.name : '';
    if (BUILT_IN.has(`${String(object.kind)}/${name}`)) return [];
    return [
      {
        path: ['metadata', 'namespace'],
        message: `${String(object.kind)} "${name}" is in the default namespace`,
        evidence: 'default',
      },
    ];
  },
};

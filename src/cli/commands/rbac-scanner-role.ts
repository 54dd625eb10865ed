/**
 * The read-only access `aspis scan cluster` (and `aspis rbac` on a live cluster) needs, generated from the kinds the
 * cluster source lists (src/sources/cluster/scanned-kinds.ts): a ClusterRole with get and list on exactly those
 * resources, one rule per API group, a ServiceAccount to run the scanner as, and the ClusterRoleBinding between them.
 * Nothing else: no watch, no secrets, no wildcard, and the account mounts no token unless a pod asks for one.
 */
import type { KubeObject } from '../../core/model/resource.js';
import { SCANNED_KINDS } from '../../sources/cluster/scanned-kinds.js';

export interface ScannerRoleOptions {
  name: string;
  namespace: string;
}

export const SCANNER_VERBS = ['get', 'list'] as const;

export function scannerRoleObjects(options: ScannerRoleOptions): KubeObject[] {
  const byGroup = new Map<string, string[]>();
  for (const kind of SCANNED_KINDS) {
    const resources = byGroup.get(kind.group) ?? [];
    if (!resources.includes(kind.resource)) resources.push(kind.resource);
    byGroup.set(kind.group, resources);
  }
  const labels = { 'app.kubernetes.io/name': 'aspis', 'app.kubernetes.io/component': 'scanner' };
  return [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: options.name, namespace: options.namespace, labels },
      // A pod running the scanner mounts a projected token explicitly; nothing else gets one by accident.
      automountServiceAccountToken: false,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: options.name, labels },
      rules: [...byGroup].map(([group, resources]) => ({ apiGroups: [group], resources, verbs: [...SCANNER_VERBS] })),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: options.name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: options.name },
      subjects: [{ kind: 'ServiceAccount', name: options.name, namespace: options.namespace }],
    },
  ];
}

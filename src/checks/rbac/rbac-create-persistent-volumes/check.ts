import { permissionCheck } from '../permission-check.js';

export const check = permissionCheck(
  {
    id: 'rbac-create-persistent-volumes',
    title: 'Roles that can create PersistentVolumes',
    severity: 'medium',
    rationale:
      'A PersistentVolume can be a hostPath volume: whoever can create one and claim it mounts any directory of a ' +
      'node into a pod, bypassing Pod Security admission (which checks pods, not volumes). Built-in roles ' +
      '(`system:…`, and cluster-admin/admin/edit/view as bootstrapped) are not reported.',
    remediation:
      'Remove create on persistentvolumes; let users request storage through PersistentVolumeClaims and StorageClasses.',
    references: [
      'https://www.cisecurity.org/benchmark/kubernetes',
      'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#persistent-volume-creation',
    ],
  },
  [{ group: '', resource: 'persistentvolumes', verbs: ['create'] }],
);

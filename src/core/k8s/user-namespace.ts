import type { Workload } from './workload.js';

/**
 * True when the pod runs in its own user namespace (`spec.hostUsers: false`): root inside the pod maps to an
 * unprivileged user on the node. Unset means the host user namespace.
 */
export function usesUserNamespace(workload: Workload): boolean {
  return workload.podSpec['hostUsers'] === false;
}

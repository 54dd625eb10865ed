import type { FieldPath } from '../model/field-path.js';
import { asRecord } from '../model/untrusted-value.js';
import type { UntrustedRecord } from '../model/untrusted-value.js';
import { isUnset } from '../model/untrusted-value.js';
import type { ContainerView, Workload } from './workload.js';

/**
 * The security contexts of a workload: the pod-level one (`spec.securityContext`) and each container's
 * (`containers[i].securityContext`). Where both define a field, the container value overrides the pod value.
 */

export interface SecurityContextView {
  /** The decoded context, or undefined when absent (or not an object). */
  context: UntrustedRecord | undefined;
  /** Where the context is (or would be) in the object. */
  path: FieldPath;
}

export function podSecurityContext(workload: Workload): SecurityContextView {
  return { context: asRecord(workload.podSpec['securityContext']), path: [...workload.specPath, 'securityContext'] };
}

export function containerSecurityContext(container: ContainerView): SecurityContextView {
  return { context: asRecord(container.container['securityContext']), path: [...container.path, 'securityContext'] };
}

/** A security-context field as set at one level, with its path. `value` is undefined when that level leaves it unset. */
export interface SecurityField {
  value: unknown;
  path: FieldPath;
  level: 'pod' | 'container';
}

/** The field as the container sets it (`value` undefined when unset or null). */
export function containerSecurityField(container: ContainerView, field: string): SecurityField {
  // Read for every container by most checks: the path is built in one step, without the context view.
  const value = asRecord(container.container['securityContext'])?.[field];
  return { value: isUnset(value) ? undefined : value, path: [...container.path, 'securityContext', field], level: 'container' };
}

/** The field as the pod sets it (`value` undefined when unset or null). */
export function podSecurityField(workload: Workload, field: string): SecurityField {
  const value = asRecord(workload.podSpec['securityContext'])?.[field];
  return { value: isUnset(value) ? undefined : value, path: [...workload.specPath, 'securityContext', field], level: 'pod' };
}

/**
 * The value that applies to the container: its own when set, otherwise the pod's (for fields both levels define:
 * runAsUser, runAsGroup, runAsNonRoot, seLinuxOptions, seccompProfile, appArmorProfile, windowsOptions).
 */
export function effectiveSecurityField(workload: Workload, container: ContainerView, field: string): SecurityField {
  const own = containerSecurityField(container, field);
  if (own.value !== undefined) return own;
  const pod = podSecurityField(workload, field);
  return pod.value !== undefined ? pod : own;
}

import type { Violation, WorkloadCheck } from '../../../core/model/check.js';
import { containerSecurityField, podSecurityField } from '../../../core/k8s/security-context.js';
import type { SecurityField } from '../../../core/k8s/security-context.js';
import type { PssVersion } from '../../../core/model/check-context.js';
import { jsonPointer } from '../../../core/model/field-path.js';
import { asRecord, isUnset } from '../../../core/model/untrusted-value.js';

const TYPES_V1_0 = ['', 'container_t', 'container_init_t', 'container_kvm_t'];
/** Policy v1.31 added container_engine_t (container engines running in a container). */
const TYPES_V1_31 = [...TYPES_V1_0, 'container_engine_t'];

export function allowedSeLinuxTypes(version: PssVersion): ReadonlySet<string> {
  return new Set(version.minor >= 31 ? TYPES_V1_31 : TYPES_V1_0);
}

/**
 * PSA check `seLinuxOptions` (baseline, v1.0+; type list grows at v1.31): seLinuxOptions.type must be unset or one
 * of the container types, and seLinuxOptions.user and .role must be unset or empty — on the pod and every container.
 */
export const check: WorkloadCheck = {
  id: 'selinux-options',
  title: 'Custom SELinux options',
  severity: 'medium',
  category: 'pod-security',
  target: { workloads: true },
  rationale:
    'A custom SELinux type (such as spc_t or unconfined_t), user or role can lift the SELinux confinement the runtime applies to containers.',
  remediation:
    'Remove seLinuxOptions.user and seLinuxOptions.role, and leave seLinuxOptions.type unset or set it to container_t, container_init_t, container_kvm_t or container_engine_t (v1.31+).',
  references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline'],
  evaluate(workload, ctx) {
    const allowed = allowedSeLinuxTypes(ctx.pssVersion);
    const violations: Violation[] = [];
    const checkField = (field: SecurityField, who: string) => {
      const options = asRecord(field.value);
      if (!options) return;
      const type = options['type'];
      if (!isUnset(type) && !(typeof type === 'string' && allowed.has(type))) {
        const path = [...field.path, 'type'];
        violations.push({
          path,
          message: `seLinuxOptions: ${who} must not set securityContext.seLinuxOptions.type to ${JSON.stringify(type)} (allowed: ${[...allowed].filter((t) => t !== '').join(', ')})`,
          evidence: type,
          fix: [{ op: 'remove', path: jsonPointer(path) }],
        });
      }
      for (const key of ['user', 'role'] as const) {
        const value = options[key];
        if (isUnset(value) || value === '') continue;
        const path = [...field.path, key];
        violations.push({
          path,
          message: `seLinuxOptions: ${who} must not set securityContext.seLinuxOptions.${key} (${key} may not be set)`,
          evidence: value,
          fix: [{ op: 'remove', path: jsonPointer(path) }],
        });
      }
    };
    checkField(podSecurityField(workload, 'seLinuxOptions'), 'pod');
    for (const c of workload.containers) checkField(containerSecurityField(c, 'seLinuxOptions'), `container "${c.name}"`);
    return violations;
  },
};

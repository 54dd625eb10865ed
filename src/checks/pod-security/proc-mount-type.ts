import type { Violation } from '../../core/model/check.js';
import { containerSecurityField } from '../../core/k8s/security-context.js';
import type { Workload } from '../../core/k8s/workload.js';
import { jsonPointer } from '../../core/model/field-path.js';

/**
 * Shared by proc-mount (baseline) and proc-mount-restricted: every container's securityContext.procMount must be
 * unset or "Default" (PSA `procMount_1_0`). Any other value, including an empty string, is forbidden.
 */
export function procMountViolations(workload: Workload): Violation[] {
  const violations: Violation[] = [];
  for (const c of workload.containers) {
    const field = containerSecurityField(c, 'procMount');
    if (field.value === undefined || field.value === 'Default') continue;
    violations.push({
      path: field.path,
      message: `procMount: container "${c.name}" must not set securityContext.procMount to ${JSON.stringify(field.value)}`,
      evidence: field.value,
      fix: [{ op: 'replace', path: jsonPointer(field.path), value: 'Default' }],
    });
  }
  return violations;
}

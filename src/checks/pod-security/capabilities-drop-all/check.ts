import type { PatchOperation, Violation, WorkloadCheck } from '../../../core/model/check.js';
import { isWindowsPod } from '../../../core/k8s/pod-os.js';
import { containerSecurityField } from '../../../core/k8s/security-context.js';
import { jsonPointer } from '../../../core/model/field-path.js';
import { setFieldPatch } from '../../../core/model/set-field-patch.js';
import { asArray, asRecord } from '../../../core/model/untrusted-value.js';

/**
 * PSA check `capabilities_restricted` (restricted, v1.22+; replaces `capabilities_baseline`): every container must
 * drop "ALL" and may add only NET_BIND_SERVICE. From policy v1.25 Windows pods (spec.os.name: windows) are exempt.
 */
export const check: WorkloadCheck = {
  id: 'capabilities-drop-all',
  title: 'Capabilities not dropped',
  severity: 'medium',
  category: 'pod-security',
  target: { workloads: true },
  rationale:
    'Containers start with a default set of Linux capabilities (CHOWN, DAC_OVERRIDE, SETUID, NET_RAW…) most applications never use; dropping ALL removes that attack surface.',
  remediation: 'Set securityContext.capabilities.drop: ["ALL"] on every container and add back only NET_BIND_SERVICE when needed.',
  references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted'],
  evaluate(workload, ctx) {
    if (ctx.pssVersion.minor >= 25 && isWindowsPod(workload)) return [];
    const violations: Violation[] = [];
    for (const c of workload.containers) {
      const field = containerSecurityField(c, 'capabilities');
      const capabilities = asRecord(field.value);
      const dropPath = [...field.path, 'drop'];
      const drop = capabilities?.['drop'];
      if (!asArray(drop).includes('ALL')) {
        const fix: PatchOperation[] = Array.isArray(drop)
          ? [{ op: 'add', path: `${jsonPointer(dropPath)}/-`, value: 'ALL' }]
          : setFieldPatch(workload.object, dropPath, ['ALL']);
        violations.push({
          path: dropPath,
          message: `unrestricted capabilities: container "${c.name}" must set securityContext.capabilities.drop=["ALL"]`,
          evidence: drop,
          fix,
        });
      }
      const add = asArray(capabilities?.['add']);
      const addPath = [...field.path, 'add'];
      const kept = add.filter((cap) => cap === 'NET_BIND_SERVICE');
      add.forEach((cap, index) => {
        if (cap === 'NET_BIND_SERVICE') return;
        violations.push({
          path: [...addPath, index],
          message: `unrestricted capabilities: container "${c.name}" must not include ${JSON.stringify(cap)} in securityContext.capabilities.add (only NET_BIND_SERVICE may be added)`,
          evidence: cap,
          fix: [{ op: 'replace', path: jsonPointer(addPath), value: kept }],
        });
      });
    }
    return violations;
  },
};

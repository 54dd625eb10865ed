import type { PatchOperation, Violation, WorkloadCheck } from '../../../core/model/check.js';
import { containerSecurityField } from '../../../core/k8s/security-context.js';
import { jsonPointer } from '../../../core/model/field-path.js';
import { asArray, asRecord } from '../../../core/model/untrusted-value.js';

/**
 * The capabilities a container runtime grants by default, which baseline lets a container add back after dropping
 * them (PSA `capabilities_baseline`, unchanged since v1.0). Names are compared exactly, as PodSecurity does:
 * `CAP_CHOWN` or `chown` are not in the list.
 */
export const BASELINE_ALLOWED_CAPABILITIES: ReadonlySet<string> = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

/** PSA check `capabilities_baseline` (baseline, v1.0+; replaced by `capabilities_restricted` at restricted from v1.22). */
export const check: WorkloadCheck = {
  id: 'added-capabilities',
  title: 'Capabilities added beyond the default set',
  severity: 'high',
  category: 'pod-security',
  target: { workloads: true },
  rationale:
    'Capabilities such as SYS_ADMIN, NET_ADMIN, NET_RAW or SYS_PTRACE give a container kernel privileges that enable container escape, traffic spoofing or reading other processes.',
  remediation:
    'Remove from securityContext.capabilities.add every capability outside the default set (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT).',
  references: [
    'https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline',
    'https://man7.org/linux/man-pages/man7/capabilities.7.html',
  ],
  evaluate(workload) {
    const violations: Violation[] = [];
    for (const c of workload.containers) {
      const capabilities = asRecord(containerSecurityField(c, 'capabilities').value);
      const add = asArray(capabilities?.['add']);
      if (add.every((cap) => typeof cap === 'string' && BASELINE_ALLOWED_CAPABILITIES.has(cap))) continue;
      const addPath = [...c.path, 'securityContext', 'capabilities', 'add'];
      const kept = add.filter((cap) => typeof cap === 'string' && BASELINE_ALLOWED_CAPABILITIES.has(cap));
      const fix: PatchOperation[] = [{ op: 'replace', path: jsonPointer(addPath), value: kept }];
      add.forEach((cap, index) => {
        if (typeof cap === 'string' && BASELINE_ALLOWED_CAPABILITIES.has(cap)) return;
        violations.push({
          path: [...addPath, index],
          message: `non-default capabilities: container "${c.name}" must not include ${JSON.stringify(cap)} in securityContext.capabilities.add`,
          evidence: cap,
          fix,
        });
      });
    }
    return violations;
  },
};

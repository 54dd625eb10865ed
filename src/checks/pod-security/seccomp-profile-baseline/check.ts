import type { Violation, WorkloadCheck } from '../../../core/model/check.js';
import { containerSecurityField, podSecurityField } from '../../../core/k8s/security-context.js';
import type { SecurityField } from '../../../core/k8s/security-context.js';
import type { Workload } from '../../../core/k8s/workload.js';
import { jsonPointer } from '../../../core/model/field-path.js';
import { asRecord } from '../../../core/model/untrusted-value.js';
import { ALLOWED_SECCOMP_TYPES } from '../seccomp-profile-type.js';

export const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
export const SECCOMP_CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

function allowedAnnotationValue(value: unknown): boolean {
  return value === 'runtime/default' || value === 'docker/default' || (typeof value === 'string' && value.startsWith('localhost/'));
}

/** Policy v1.0–v1.18: the alpha annotations (pod key, and the per-container key of each container that exists). */
function annotationViolations(workload: Workload): Violation[] {
  const annotations = asRecord(workload.podMetadata.annotations) ?? {};
  const keys = [SECCOMP_POD_ANNOTATION, ...workload.containers.map((c) => SECCOMP_CONTAINER_ANNOTATION_PREFIX + c.name)];
  const violations: Violation[] = [];
  for (const key of new Set(keys)) {
    if (!Object.prototype.hasOwnProperty.call(annotations, key)) continue;
    const value = annotations[key];
    if (allowedAnnotationValue(value)) continue;
    const path = [...workload.metadataPath, 'annotations', key];
    violations.push({
      path,
      message: `seccompProfile: forbidden annotation ${key}=${JSON.stringify(value)} (allowed: runtime/default, docker/default, localhost/<profile>)`,
      evidence: value,
      fix: [{ op: 'replace', path: jsonPointer(path), value: 'runtime/default' }],
    });
  }
  return violations;
}

/** Policy v1.19+: securityContext.seccompProfile.type of the pod and of each container, when set. */
function fieldViolations(workload: Workload): Violation[] {
  const violations: Violation[] = [];
  const checkField = (field: SecurityField, who: string) => {
    const profile = asRecord(field.value);
    if (!profile) return;
    const type = profile['type'];
    if (ALLOWED_SECCOMP_TYPES.has(type)) return;
    violations.push({
      path: [...field.path, 'type'],
      message: `seccompProfile: ${who} must not set securityContext.seccompProfile.type to ${JSON.stringify(type ?? '')}`,
      evidence: type,
      fix: [{ op: 'replace', path: jsonPointer(field.path), value: { type: 'RuntimeDefault' } }],
    });
  };
  checkField(podSecurityField(workload, 'seccompProfile'), 'pod');
  for (const c of workload.containers) checkField(containerSecurityField(c, 'seccompProfile'), `container "${c.name}"`);
  return violations;
}

/**
 * PSA check `seccompProfile_baseline` (baseline, v1.0+; replaced by `seccompProfile_restricted` at restricted from
 * v1.19). If a seccomp profile is set it must be RuntimeDefault or Localhost. Before policy v1.19 PodSecurity reads
 * only the alpha annotations; from v1.19 only the securityContext fields.
 */
export const check: WorkloadCheck = {
  id: 'seccomp-profile-baseline',
  title: 'Seccomp disabled',
  severity: 'medium',
  category: 'pod-security',
  target: { workloads: true },
  rationale:
    'Seccomp filters the system calls a container can make; an Unconfined profile exposes the whole kernel syscall surface to an attacker in the container.',
  remediation: 'Remove seccompProfile or set securityContext.seccompProfile.type to RuntimeDefault or Localhost on the pod and containers.',
  references: [
    'https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline',
    'https://kubernetes.io/docs/tutorials/security/seccomp/',
  ],
  evaluate(workload, ctx) {
    return ctx.pssVersion.minor < 19 ? annotationViolations(workload) : fieldViolations(workload);
  },
};

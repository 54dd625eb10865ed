import type { Violation, WorkloadCheck } from '../../../core/model/check.js';
import { containerSecurityField, podSecurityField } from '../../../core/k8s/security-context.js';
import type { SecurityField } from '../../../core/k8s/security-context.js';
import { jsonPointer } from '../../../core/model/field-path.js';
import { asRecord } from '../../../core/model/untrusted-value.js';

/** The deprecated per-container annotation (`container.apparmor.security.beta.kubernetes.io/<container>`). */
export const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';
const ALLOWED_FIELD_TYPES: ReadonlySet<unknown> = new Set(['RuntimeDefault', 'Localhost']);

/** Annotation values PodSecurity accepts: empty, `runtime/default` or `localhost/<profile>`. */
function allowedAnnotationValue(value: unknown): boolean {
  return value === '' || value === 'runtime/default' || (typeof value === 'string' && value.startsWith('localhost/'));
}

/**
 * PSA check `appArmorProfile` (baseline, v1.0+). PodSecurity checks both channels at every policy version: the
 * securityContext.appArmorProfile fields (pod and containers; type RuntimeDefault or Localhost) and the deprecated
 * annotations (any key with the prefix, even for a container that does not exist).
 */
export const check: WorkloadCheck = {
  id: 'apparmor-profile',
  title: 'AppArmor profile overridden or disabled',
  severity: 'medium',
  category: 'pod-security',
  target: { workloads: true },
  rationale:
    "On hosts with AppArmor the runtime's default profile confines every container; setting the profile to Unconfined removes that confinement.",
  remediation:
    'Leave the AppArmor profile unset, or set securityContext.appArmorProfile.type to RuntimeDefault or Localhost (annotation values runtime/default or localhost/<profile>).',
  references: [
    'https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline',
    'https://kubernetes.io/docs/tutorials/security/apparmor/',
  ],
  evaluate(workload) {
    const violations: Violation[] = [];
    const checkField = (field: SecurityField, who: string) => {
      const profile = asRecord(field.value);
      if (!profile) return;
      const type = profile['type'];
      if (ALLOWED_FIELD_TYPES.has(type)) return;
      const path = [...field.path, 'type'];
      violations.push({
        path,
        message: `forbidden AppArmor profile: ${who} must not set AppArmor profile type to ${JSON.stringify(type ?? '')}`,
        evidence: type,
        fix: [{ op: 'replace', path: jsonPointer(field.path), value: { type: 'RuntimeDefault' } }],
      });
    };
    checkField(podSecurityField(workload, 'appArmorProfile'), 'pod');
    for (const c of workload.containers) checkField(containerSecurityField(c, 'appArmorProfile'), `container "${c.name}"`);

    const annotations = asRecord(workload.podMetadata.annotations) ?? {};
    for (const key of Object.keys(annotations).sort()) {
      if (!key.startsWith(APPARMOR_ANNOTATION_PREFIX)) continue;
      const value = annotations[key];
      if (allowedAnnotationValue(value)) continue;
      const path = [...workload.metadataPath, 'annotations', key];
      violations.push({
        path,
        message: `forbidden AppArmor profile: annotation ${key}=${JSON.stringify(value)} must be runtime/default or localhost/<profile>`,
        evidence: value,
        fix: [{ op: 'replace', path: jsonPointer(path), value: 'runtime/default' }],
      });
    }
    return violations;
  },
};

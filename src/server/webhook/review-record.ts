/**
 * What the webhook records of a review (audit mode and every evaluated request): who asked for what, the profile,
 * the decision with every violation per mode, waivers and break-glass, and — for `aspis policy simulate` — the
 * object with what may hold credentials left out (managedFields, the last-applied-configuration annotation and
 * literal env values). One JSON object per line.
 */
import type { KubeObject, ResourceRef } from '../../core/model/resource.js';
import { workloadOf } from '../../core/k8s/workload.js';
import { asArray } from '../../core/model/untrusted-value.js';
import type { AdmissionRequest } from '../../sources/admission/admission-review.js';
import type { AdmissionDecision, ModeViolation, WaivedViolation } from './admission-evaluator.js';
import type { Mode } from './namespace-profile.js';
import { MODES, formatLevelVersion } from './namespace-profile.js';

export const REVIEW_RECORD_VERSION = 'aspis.io/review/v1';

export interface ReviewRecord {
  type: 'review';
  version: typeof REVIEW_RECORD_VERSION;
  time: string;
  uid: string;
  operation: string;
  user: { username: string; groups: string[] };
  kind: { group: string; version: string; kind: string };
  resource: ResourceRef;
  allowed: boolean;
  skipped?: string;
  profile?: Record<Mode, string>;
  violations?: Partial<Record<Mode, ModeViolation[]>>;
  waived?: WaivedViolation[];
  breakGlass?: { reason: string; used: boolean; permitted: boolean };
  object?: KubeObject;
}

export interface BreakGlassAlert {
  type: 'break-glass';
  version: typeof REVIEW_RECORD_VERSION;
  time: string;
  uid: string;
  user: { username: string; groups: string[] };
  resource: ResourceRef;
  reason: string;
  declaredAt: string;
  /** Whether it admitted enforce violations (false: the object would have been admitted anyway). */
  used: boolean;
  violations: ModeViolation[];
}

export type HistoryEntry = ReviewRecord | BreakGlassAlert;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** JSON text of `object` without managedFields, the last-applied annotation and literal env values. */
export function redactedJson(value: unknown, object: KubeObject): string {
  const envEntries = new Set<unknown>();
  const workload = workloadOf(object);
  for (const c of workload?.containers ?? []) for (const entry of asArray(c.container['env'])) envEntries.add(entry);
  return JSON.stringify(value, function (this: unknown, key: string, v: unknown) {
    if (key === 'managedFields' || key === LAST_APPLIED) return undefined;
    if (key === 'value' && envEntries.has(this) && typeof v === 'string') return '';
    return v;
  });
}

export function reviewRecordOf(request: AdmissionRequest, decision: AdmissionDecision, time: Date, withObject: boolean): ReviewRecord {
  const ref = decision.resource?.ref ?? { apiVersion: '', kind: request.kind.kind, name: request.name, ...(request.namespace ? { namespace: request.namespace } : {}) };
  const record: ReviewRecord = {
    type: 'review',
    version: REVIEW_RECORD_VERSION,
    time: time.toISOString(),
    uid: request.uid,
    operation: request.operation,
    user: { username: request.userInfo.username, groups: request.userInfo.groups },
    kind: request.kind,
    resource: ref,
    allowed: decision.allowed,
  };
  if (decision.skipped) record.skipped = decision.skipped;
  if (decision.profile) {
    const profile = decision.profile;
    record.profile = { enforce: formatLevelVersion(profile.enforce), warn: formatLevelVersion(profile.warn), audit: formatLevelVersion(profile.audit) };
  }
  const violations: Partial<Record<Mode, ModeViolation[]>> = {};
  for (const mode of MODES) if (decision.violations[mode].length > 0) violations[mode] = decision.violations[mode];
  if (Object.keys(violations).length > 0) record.violations = violations;
  if (decision.waived.length > 0) record.waived = decision.waived;
  if (decision.breakGlass) record.breakGlass = { reason: decision.breakGlass.reason, used: decision.breakGlass.used, permitted: decision.breakGlass.permitted };
  if (withObject && request.object) record.object = request.object;
  return record;
}

export function breakGlassAlertOf(request: AdmissionRequest, decision: AdmissionDecision, time: Date): BreakGlassAlert | undefined {
  const glass = decision.breakGlass;
  if (!glass || !decision.resource) return undefined;
  return {
    type: 'break-glass',
    version: REVIEW_RECORD_VERSION,
    time: time.toISOString(),
    uid: request.uid,
    user: { username: request.userInfo.username, groups: request.userInfo.groups },
    resource: decision.resource.ref,
    reason: glass.reason,
    declaredAt: glass.declaredAt,
    used: glass.used,
    violations: decision.violations.enforce,
  };
}

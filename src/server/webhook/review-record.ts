/**
 * What the webhook records of a review (audit mode and every evaluated request): who asked for what, the profile,
 * the decision with every violation per mode, waivers and break-glass, and — for `aspis policy simulate` — the
 * object with what may hold credentials left out (managedFields, the last-applied-configuration annotation and
 * literal env values). One JSON object per line.
 */
import type { KubeObject, ResourceRef } from '../../core/model/resource.js';
import { CONTAINER_TYPES, workloadOf } from '../../core/k8s/workload.js';
import { asRecord } from '../../core/model/untrusted-value.js';
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
  /** The namespace's image gating mode, when the webhook gates images. */
  imageMode?: string;
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

/**
 * JSON text of a history entry whose `object` leaves out managedFields, the last-applied annotation and literal env
 * values. Copies only the parts it changes (metadata, the containers with env, the lists holding them) and lets
 * the native serializer do the rest: a replacer function would be called for every key of every object.
 */
export function redactedJson(entry: { object?: KubeObject }, object: KubeObject): string {
  return JSON.stringify({ ...entry, object: redacted(object) });
}

function redacted(object: KubeObject): KubeObject {
  const copy: KubeObject = { ...object };
  if (object.metadata) {
    const metadata = { ...object.metadata };
    delete metadata['managedFields'];
    const annotations = asRecord(metadata.annotations);
    if (annotations && LAST_APPLIED in annotations) {
      const { [LAST_APPLIED]: _dropped, ...rest } = annotations;
      metadata.annotations = rest as Record<string, string>;
    }
    copy.metadata = metadata;
  }
  const workload = workloadOf(object);
  if (!workload || !workload.containers.some((c) => Array.isArray(c.container['env']))) return copy;
  // Rebuild the path down to each container list whose entries carry env, copying every level on the way.
  const spec = { ...workload.podSpec };
  for (const type of CONTAINER_TYPES) {
    const list = spec[type];
    if (!Array.isArray(list)) continue;
    spec[type] = list.map((c) => {
      const container = asRecord(c);
      if (!container || !Array.isArray(container['env'])) return c;
      return { ...container, env: container['env'].map((e) => (asRecord(e) && typeof asRecord(e)!['value'] === 'string' ? { ...asRecord(e), value: '' } : e)) };
    });
  }
  return setAt(copy, workload.specPath, spec) as KubeObject;
}

/** A copy of `root` with the value at `path` replaced, copying each object on the way. */
function setAt(root: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  const node = asRecord(root) ?? {};
  return { ...node, [head]: setAt(node[head as string], rest, value) };
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
  if (decision.imageMode) record.imageMode = decision.imageMode;
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

/**
 * Break-glass: `aspis.io/break-glass: "<reason>"` on an object (or its pod template, so the Pods a workload creates
 * carry it too) admits what enforce would deny. It is never silent: every use is recorded as an alert naming the
 * user, and the response carries a warning and an audit annotation. The webhook configuration can turn it off or
 * limit it to some users and groups; anyone else gets the normal decision, with the refusal in the message.
 */
import type { KubeObject } from '../../core/model/resource.js';
import { workloadOf } from '../../core/k8s/workload.js';
import { asRecord } from '../../core/model/untrusted-value.js';
import type { AdmissionUser } from '../../sources/admission/admission-review.js';
import type { WebhookConfig } from './webhook-config.js';

export const BREAK_GLASS_ANNOTATION = 'aspis.io/break-glass';

export interface BreakGlass {
  reason: string;
  /** Where the annotation was found: `metadata` or the pod template's metadata path. */
  declaredAt: string;
  permitted: boolean;
  refusal?: string;
}

export function breakGlassOf(object: KubeObject, user: AdmissionUser, config: WebhookConfig['breakGlass']): BreakGlass | undefined {
  let value = asRecord(object.metadata?.annotations)?.[BREAK_GLASS_ANNOTATION];
  let declaredAt = 'metadata.annotations';
  if (value === undefined) {
    const workload = workloadOf(object);
    if (workload && workload.metadataPath.length > 1) {
      value = asRecord(workload.podMetadata.annotations)?.[BREAK_GLASS_ANNOTATION];
      declaredAt = `${workload.metadataPath.join('.')}.annotations`;
    }
  }
  if (value === undefined) return undefined;
  const reason = typeof value === 'string' ? value.trim() : '';
  const found = { reason, declaredAt: `${declaredAt}["${BREAK_GLASS_ANNOTATION}"]` };
  if (!config.enabled) return { ...found, permitted: false, refusal: 'break-glass is disabled in the webhook configuration' };
  if (reason === '') return { ...found, permitted: false, refusal: `${BREAK_GLASS_ANNOTATION} needs a reason as its value` };
  const restricted = config.usernames.length > 0 || config.groups.length > 0;
  if (restricted && !config.usernames.includes(user.username) && !user.groups.some((g) => config.groups.includes(g))) {
    return { ...found, permitted: false, refusal: `user "${user.username}" may not use break-glass (allowed: listed users and groups only)` };
  }
  return { ...found, permitted: true };
}

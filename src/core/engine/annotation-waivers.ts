/**
 * Waivers written on the objects themselves: `waiver.aspis.dev/<check-id>: "<reason>"` waives that check on that
 * object only. Pure: takes resources, returns waivers (and reports for annotations that cannot be waivers).
 *
 * Value: either a plain reason, or a structured form starting with one of the keys, `;`-separated:
 *   waiver.aspis.dev/privileged-containers: "CNI agent needs host access"
 *   waiver.aspis.dev/privileged-containers: "reason=CNI agent needs host access; owner=team-net; expires=2027-01-31"
 * Keys: `reason` (required), `owner`, `expires` (a date, through the end of that day UTC, or a date-time with an
 * offset). Each key at most once; a structured reason cannot contain `;` (write a plain reason for that).
 *
 * Where: the object's own `metadata.annotations`, and for workloads also the pod template's annotations
 * (`spec.template.metadata.annotations`). Template annotations are copied by Kubernetes onto every Pod the workload
 * creates, so a waiver written there follows the workload from the manifest scan to admission and cluster scans of its
 * Pods. When both carry the same key, the object's own annotation wins.
 *
 * An empty reason, an unknown key, a bad expiry or (when the catalog is given) an id that names no check does not waive
 * anything: the waiver carries a `problem`, and applyWaivers reports it `status: 'invalid'` saying what to fix.
 */
import type { CheckMeta } from '../model/check.js';
import type { KubeObject, ResourceRef } from '../model/resource.js';
import { formatRef } from '../model/resource.js';
import type { Waiver } from '../model/waiver.js';
import type { CheckIdIndex } from '../model/waiver.js';
import { checkIdIndex, parseExpiry, suggestCheckId } from '../model/waiver.js';
import { workloadOf } from '../k8s/workload.js';
import { compareText } from '../model/text-order.js';

export const WAIVER_ANNOTATION_PREFIX = 'waiver.aspis.dev/';

export interface WaiverAnnotationValue {
  reason: string;
  owner?: string;
  expires?: string;
}

const STRUCTURED_KEYS = ['reason', 'owner', 'expires'] as const;
const STRUCTURED_START = /^\s*(reason|owner|expires)\s*=/;

/** Parses an annotation value: a plain reason, or `reason=...; owner=...; expires=...`. */
export function parseWaiverAnnotationValue(value: string): WaiverAnnotationValue | { error: string } {
  if (!STRUCTURED_START.test(value)) {
    const reason = value.trim();
    if (reason === '') return { error: 'a reason is required: write why the risk is accepted as the annotation value' };
    return { reason };
  }
  const fields: Partial<Record<(typeof STRUCTURED_KEYS)[number], string>> = {};
  for (const segment of value.split(';')) {
    if (segment.trim() === '') continue;
    const eq = segment.indexOf('=');
    const key = (eq < 0 ? segment : segment.slice(0, eq)).trim();
    if (eq < 0 || !(STRUCTURED_KEYS as readonly string[]).includes(key)) {
      return { error: `"${segment.trim()}" is not one of reason=, owner=, expires= (separate them with ";")` };
    }
    const k = key as (typeof STRUCTURED_KEYS)[number];
    if (fields[k] !== undefined) return { error: `${k}= is given twice` };
    fields[k] = segment.slice(eq + 1).trim();
  }
  if (!fields.reason) return { error: 'a reason is required: add reason=<why the risk is accepted>' };
  const parsed: WaiverAnnotationValue = { reason: fields.reason };
  if (fields.owner !== undefined) {
    if (fields.owner === '') return { error: 'owner= is empty' };
    parsed.owner = fields.owner;
  }
  if (fields.expires !== undefined) {
    const expiry = parseExpiry(fields.expires);
    if ('error' in expiry) return { error: `expires: ${expiry.error}` };
    parsed.expires = fields.expires;
  }
  return parsed;
}

export interface AnnotationWaiverOptions {
  /** The check catalog: when given, an annotation naming no check (nor a former id) is reported invalid. */
  checks?: readonly Pick<CheckMeta, 'id' | 'aliases'>[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The id index of each catalog, built once: a scan passes the same catalog for every object. */
const catalogIndexes = new WeakMap<readonly Pick<CheckMeta, 'id' | 'aliases'>[], CheckIdIndex>();

function indexOfCatalog(checks: readonly Pick<CheckMeta, 'id' | 'aliases'>[]): CheckIdIndex {
  let index = catalogIndexes.get(checks);
  if (!index) catalogIndexes.set(checks, (index = checkIdIndex(checks)));
  return index;
}

/**
 * Waivers declared by `waiver.aspis.dev/<check-id>` annotations on one object, sorted by annotation key. Annotations
 * that cannot be waivers come back as waivers with a `problem` (they never apply; applyWaivers reports them invalid).
 */
export function annotationWaivers(resource: { object: KubeObject; ref: ResourceRef }, options: AnnotationWaiverOptions = {}): Waiver[] {
  const { object, ref } = resource;
  const entries = new Map<string, { value: unknown; declaredAt: string }>();
  // Called for every scanned object, most of which carry no waiver: nothing is formatted until one is found.
  let where: string | undefined;
  const workload = workloadOf(object);
  if (workload && workload.metadataPath.length > 1) {
    const annotations = workload.podMetadata.annotations;
    if (isRecord(annotations)) {
      for (const key of Object.keys(annotations)) {
        if (!key.startsWith(WAIVER_ANNOTATION_PREFIX)) continue;
        where ??= formatRef(ref);
        entries.set(key, { value: annotations[key], declaredAt: `${where} pod template annotation ${key}` });
      }
    }
  }
  const own = object.metadata?.annotations;
  if (isRecord(own)) {
    for (const key of Object.keys(own)) {
      if (!key.startsWith(WAIVER_ANNOTATION_PREFIX)) continue;
      where ??= formatRef(ref);
      entries.set(key, { value: own[key], declaredAt: `${where} annotation ${key}` });
    }
  }
  if (entries.size === 0) return [];

  const index = options.checks ? indexOfCatalog(options.checks) : undefined;
  const waivers: Waiver[] = [];
  for (const [key, { value, declaredAt }] of [...entries].sort(([a], [b]) => compareText(a, b))) {
    const checkId = key.slice(WAIVER_ANNOTATION_PREFIX.length);
    const waiver: Waiver = {
      checks: checkId === '' ? [] : [checkId],
      // This object only: its kind, namespace ("" when it has none) and name. (A generateName object's name is the
      // glob `prefix*`, which may also select its siblings of the same kind in the same input.)
      selector: { kinds: [ref.kind], namespaces: [ref.namespace ?? ''], names: [ref.name] },
      reason: '',
      source: 'annotation',
      declaredAt,
    };
    const parsed = typeof value === 'string' ? parseWaiverAnnotationValue(value) : { error: 'the annotation value must be a string (the reason)' };
    if (checkId === '') waiver.problem = `the annotation names no check: write ${WAIVER_ANNOTATION_PREFIX}<check-id>`;
    else if (index && !index.has(checkId)) {
      const suggestion = suggestCheckId(checkId, new Set(index.values()));
      waiver.problem = `no check has the id "${checkId}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
    } else if ('error' in parsed) waiver.problem = parsed.error;
    if (!('error' in parsed)) {
      waiver.reason = parsed.reason;
      if (parsed.owner !== undefined) waiver.owner = parsed.owner;
      if (parsed.expires !== undefined) waiver.expires = parsed.expires;
    }
    waivers.push(waiver);
  }
  return waivers;
}

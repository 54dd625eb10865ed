/**
 * What a scan keeps of a live object: the object as a manifest would declare it, plus the few fields of `status` that
 * network analysis reads. Dropped: the rest of `status` (observed state, which no check reads),
 * `metadata.managedFields` (server-side apply bookkeeping, often the largest part of an object) and the
 * `kubectl.kubernetes.io/last-applied-configuration` annotation (a second copy of the object as last applied). LIST
 * items carry no kind and apiVersion: they are set from the kind listed, first, as in a manifest.
 *
 * Status kept (KEPT_STATUS): a Pod's addresses and lifetime (`podIP(s)`, `hostIP(s)`, `phase`, `startTime`), which
 * flows known only by address are attributed through (`aspis netpol generate|replay|harden`), and each container's
 * running image (`name`, `image`, `imageID`, and when it ended), which image scan reports are matched to by digest;
 * a Service's load-balancer addresses. A few hundred bytes per Pod.
 */
import type { KubeObject } from '../../core/model/resource.js';
import type { ScannedKind } from './scanned-kinds.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** A projection: `true` keeps a value whole, an object keeps those fields of an object (of each item of a list). */
type Projection = true | { readonly [field: string]: Projection };

const CONTAINER_STATUS: Projection = { name: true, image: true, imageID: true, state: { terminated: { finishedAt: true } } };

/** The status fields kept, by `group/Kind`. */
const KEPT_STATUS: Readonly<Record<string, Projection>> = {
  '/Pod': {
    phase: true,
    podIP: true,
    podIPs: true,
    hostIP: true,
    hostIPs: true,
    startTime: true,
    initContainerStatuses: CONTAINER_STATUS,
    containerStatuses: CONTAINER_STATUS,
    ephemeralContainerStatuses: CONTAINER_STATUS,
  },
  '/Service': { loadBalancer: { ingress: { ip: true, hostname: true } } },
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function project(value: unknown, projection: Projection): unknown {
  if (projection === true) return value;
  if (Array.isArray(value)) return value.map((item) => project(item, projection));
  if (!isRecord(value)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [field, inner] of Object.entries(projection)) {
    if (!(field in value)) continue;
    const kept = project(value[field], inner);
    // `state: {running: …}` keeps nothing: left out rather than written as an empty object.
    if (kept !== undefined && !(inner !== true && isRecord(kept) && Object.keys(kept).length === 0)) out[field] = kept;
  }
  return out;
}

export function apiVersionOf(kind: ScannedKind): string {
  return kind.group === '' ? kind.version : `${kind.group}/${kind.version}`;
}

export function projectObject(item: Record<string, unknown>, kind: ScannedKind): KubeObject {
  const object: KubeObject = { apiVersion: apiVersionOf(kind), kind: kind.kind };
  const keptStatus = KEPT_STATUS[`${kind.group}/${kind.kind}`];
  for (const key of Object.keys(item)) {
    if (key === 'apiVersion' || key === 'kind') continue;
    if (key === 'status') {
      const status = keptStatus ? project(item[key], keptStatus) : undefined;
      if (isRecord(status) && Object.keys(status).length > 0) object[key] = status;
      continue;
    }
    object[key] = key === 'metadata' ? projectMetadata(item[key]) : item[key];
  }
  return object;
}

function projectMetadata(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const metadata: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'managedFields') continue;
    if (key === 'annotations' && field !== null && typeof field === 'object' && LAST_APPLIED_ANNOTATION in field) {
      const { [LAST_APPLIED_ANNOTATION]: _dropped, ...rest } = field as Record<string, unknown>;
      if (Object.keys(rest).length > 0) metadata[key] = rest;
      continue;
    }
    metadata[key] = field;
  }
  return metadata;
}

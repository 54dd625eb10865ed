/**
 * What a scan keeps of a live object: the object as a manifest would declare it. Dropped: `status` (observed state,
 * which no check reads), `metadata.managedFields` (server-side apply bookkeeping, often the largest part of an
 * object) and the `kubectl.kubernetes.io/last-applied-configuration` annotation (a second copy of the object as
 * last applied). LIST items carry no kind and apiVersion: they are set from the kind listed, first, as in a manifest.
 */
import type { KubeObject } from '../../core/model/resource.js';
import type { ScannedKind } from './scanned-kinds.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

export function apiVersionOf(kind: ScannedKind): string {
  return kind.group === '' ? kind.version : `${kind.group}/${kind.version}`;
}

export function projectObject(item: Record<string, unknown>, kind: ScannedKind): KubeObject {
  const object: KubeObject = { apiVersion: apiVersionOf(kind), kind: kind.kind };
  for (const key of Object.keys(item)) {
    if (key === 'apiVersion' || key === 'kind' || key === 'status') continue;
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

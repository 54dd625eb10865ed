/**
 * Reading the ContainerImage object an image scan builds (aspis.io/v1alpha1; built by
 * src/image/hygiene/container-image-object.ts, documented in docs/images.md "Image checks"). Fields are untrusted
 * here as everywhere (fixtures and manifests can hold such objects): every reader tests types.
 */
import type { KubeObject } from '../../core/model/resource.js';

export const CONTAINER_IMAGE_KIND = 'ContainerImage';

export type Fields = Readonly<Record<string, unknown>>;

export function fieldsAt(object: unknown, key: string): Fields | undefined {
  if (object === null || typeof object !== 'object') return undefined;
  const value = (object as Fields)[key];
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : undefined;
}

export function stringAt(fields: Fields | undefined, key: string): string | undefined {
  const value = fields?.[key];
  return typeof value === 'string' ? value : undefined;
}

export function numberAt(fields: Fields | undefined, key: string): number | undefined {
  const value = fields?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The object entries of a status list, with their index (for the finding path `status.<key>[i]`). */
export function statusList(object: KubeObject, key: string): { index: number; entry: Fields }[] {
  const list = fieldsAt(object, 'status')?.[key];
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry, index) => (entry !== null && typeof entry === 'object' && !Array.isArray(entry) ? [{ index, entry: entry as Fields }] : []));
}

/** `path (layer sha256:…)`, how findings name a file of a layer. */
export function inLayer(entry: Fields): string {
  const layer = stringAt(entry, 'layerDigest');
  return `${stringAt(entry, 'path') ?? '?'}${layer ? ` (layer ${layer})` : ''}`;
}

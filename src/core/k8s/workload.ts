import type { FieldPath } from '../model/field-path.js';
import { valueAt } from '../model/field-path.js';
import type { KubeObject, ObjectMeta } from '../model/resource.js';
import { groupOf } from '../model/resource.js';
import { POD_TEMPLATE_PATHS } from './workload-kinds.js';

export type ContainerType = 'containers' | 'initContainers' | 'ephemeralContainers';
export const CONTAINER_TYPES: readonly ContainerType[] = ['initContainers', 'containers', 'ephemeralContainers'];

/** A container as decoded: fields are untrusted and may have any type. */
export type Container = Record<string, unknown>;
export type PodSpec = Record<string, unknown>;

export interface ContainerView {
  container: Container;
  type: ContainerType;
  index: number;
  /** Name for messages (falls back to the position when missing). */
  name: string;
  /** Path of the container inside the object, e.g. `spec.template.spec.containers[1]`. */
  path: FieldPath;
}

/** The pod part of any workload object, with the paths that lead to it. */
export interface Workload {
  object: KubeObject;
  kind: string;
  podSpec: PodSpec;
  /** Path of the pod spec in the object: `spec` for a Pod, `spec.template.spec` for a Deployment… */
  specPath: FieldPath;
  podMetadata: ObjectMeta;
  /** Path of the pod (template) metadata: `metadata` for a Pod, `spec.template.metadata` for a Deployment… */
  metadataPath: FieldPath;
  containers: ContainerView[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Where each workload kind keeps its pod metadata and spec, built once (the paths are read-only). */
const VIEW_PATHS = new Map(
  Object.entries(POD_TEMPLATE_PATHS).map(([kind, entry]) => [
    kind,
    { ...entry, kind, metadataPath: [...entry.template, 'metadata'] as FieldPath, specPath: [...entry.template, 'spec'] as FieldPath },
  ]),
);

/** Where the object's kind keeps its pod template, when the object is a workload (of that kind's API group). */
function viewPathsOf(object: KubeObject) {
  if (typeof object.kind !== 'string') return undefined;
  const entry = VIEW_PATHS.get(object.kind);
  if (!entry) return undefined;
  // A kind name alone is ambiguous across groups (e.g. a CRD named Deployment); require the known group.
  if (typeof object.apiVersion === 'string' && groupOf(object.apiVersion) !== entry.group) {
    if (!(entry.group === 'apps' && groupOf(object.apiVersion) === 'extensions')) return undefined;
  }
  return entry;
}

/** Whether workloadOf gives a view of the object, without building it. */
export function isWorkload(object: KubeObject): boolean {
  return viewPathsOf(object) !== undefined;
}

/** The workload view of an object, or undefined when the object carries no pod spec. */
export function workloadOf(object: KubeObject): Workload | undefined {
  const entry = viewPathsOf(object);
  if (!entry) return undefined;
  const { metadataPath, specPath } = entry;
  const template = entry.template.length === 0 ? object : valueAt(object, entry.template);
  const spec = isRecord(template) ? template['spec'] : undefined;
  const podSpec: PodSpec = isRecord(spec) ? spec : {};
  const metadata = isRecord(template) ? template['metadata'] : undefined;
  const podMetadata: ObjectMeta = isRecord(metadata) ? (metadata as ObjectMeta) : {};
  const containers: ContainerView[] = [];
  for (const type of CONTAINER_TYPES) {
    const list = podSpec[type];
    if (!Array.isArray(list)) continue;
    for (let index = 0; index < list.length; index++) {
      const item: unknown = list[index];
      if (!isRecord(item)) continue;
      const name = typeof item['name'] === 'string' ? item['name'] : `${type}[${index}]`;
      containers.push({ container: item, type, index, name, path: [...specPath, type, index] });
    }
  }
  return { object, kind: entry.kind, podSpec, specPath, podMetadata, metadataPath, containers };
}

import type { KubeObject, ObjectMeta, Origin, Resource } from '../core/model/resource.js';
import type { Workload } from '../core/k8s/workload.js';
import { ProjectedLocator } from './projected-locator.js';

/**
 * What a scan keeps of an object until the inventory (cross-object) checks run at its end.
 *
 * Of a workload, its identity (apiVersion, kind) and metadata without annotations: the only inventory check that
 * lists workload kinds (namespace-without-network-policy) reads a workload's namespace and whether `workloadOf`
 * recognises it (kind and API group), and keeping the pod specs of every workload until the end of the scan would
 * hold most of the input in memory. Labels stay so that waivers selecting by labels still match findings about it.
 * Other kinds (Namespace, NetworkPolicy…) are kept whole. Either way the locator is replaced by a ProjectedLocator,
 * which knows the positions of the identity fields only, so nothing kept refers to the source text.
 * An inventory check that needs more of a workload, or positions of deeper fields, must extend this projection.
 */
export function projectForInventory(resource: Resource, workload: Workload | undefined): Resource {
  const { object, ref, origin } = resource;
  let projection = object;
  if (workload) {
    const metadata: ObjectMeta = {};
    const meta = object.metadata;
    if (meta) {
      for (const key of ['name', 'generateName', 'namespace', 'uid', 'labels'] as const) {
        if (meta[key] !== undefined) (metadata as Record<string, unknown>)[key] = meta[key];
      }
    }
    projection = { apiVersion: object.apiVersion, kind: object.kind, metadata } satisfies KubeObject;
  }
  let projectedOrigin: Origin = origin;
  if (origin.type === 'file' && origin.locator) {
    projectedOrigin = { type: 'file', file: origin.file, documentIndex: origin.documentIndex, locator: ProjectedLocator.of(origin.locator) };
  }
  return { object: projection, ref, origin: projectedOrigin };
}

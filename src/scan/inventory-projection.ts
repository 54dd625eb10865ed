import type { KubeObject, ObjectMeta, Origin, Resource } from '../core/model/resource.js';
import type { FieldPath } from '../core/model/field-path.js';
import type { Workload } from '../core/k8s/workload.js';
import { ProjectedLocator } from './projected-locator.js';

/**
 * What a scan keeps of an object until the inventory (cross-object) checks run at its end.
 *
 * Of a workload, its identity (apiVersion, kind) and metadata without annotations (ownerReferences included: the
 * network checks judge a workload through its top-most owner), plus what NetworkPolicy needs of
 * its pods: the pod template's labels, `hostNetwork`, and each container's name and ports (init containers with their
 * restartPolicy, since sidecars' ports count for named ports). namespace-without-network-policy reads a workload's
 * namespace and whether `workloadOf` recognises it (kind and API group); the network checks (src/checks/network)
 * select pods by their labels and resolve named ports. Keeping whole pod specs of every workload until the end of the
 * scan would hold most of the input in memory. Labels stay so that waivers selecting by labels still match findings.
 * Other kinds (Namespace, NetworkPolicy…) are kept whole. Either way the locator is replaced by a ProjectedLocator,
 * which knows the positions of the fields kept (of a workload: its identity and its pod template's metadata and
 * labels, where network checks report it), so nothing kept refers to the source text.
 * An inventory check that needs more of a workload, or positions of deeper fields, must extend this projection.
 */
export function projectForInventory(resource: Resource, workload: Workload | undefined): Resource {
  const { object, ref, origin } = resource;
  let projection = object;
  if (workload) {
    const metadata: ObjectMeta = {};
    const meta = object.metadata;
    if (meta) {
      for (const key of ['name', 'generateName', 'namespace', 'uid', 'labels', 'ownerReferences'] as const) {
        if (meta[key] !== undefined) (metadata as Record<string, unknown>)[key] = meta[key];
      }
    }
    projection = { apiVersion: object.apiVersion, kind: object.kind, metadata } satisfies KubeObject;
    keepPodNetwork(projection, workload);
  }
  let projectedOrigin: Origin = origin;
  if (origin.type === 'file' && origin.locator) {
    projectedOrigin = {
      type: 'file',
      file: origin.file,
      documentIndex: origin.documentIndex,
      locator: workload
        ? ProjectedLocator.ofWorkload(origin.locator, workload.metadataPath)
        : ProjectedLocator.ofWhole(origin.locator, object),
    };
  }
  return { object: projection, ref, origin: projectedOrigin };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Sets `value` at `path` of `root`, creating the mappings on the way. */
function setAt(root: Record<string, unknown>, path: FieldPath, value: unknown): void {
  let current = root;
  path.forEach((segment, i) => {
    if (i === path.length - 1) current[segment] = value;
    else {
      const next = current[segment];
      current = (current[segment] = isRecord(next) ? next : {}) as Record<string, unknown>;
    }
  });
}

/** The pod template's labels and the pod spec fields NetworkPolicy analysis reads, at their paths in the projection. */
function keepPodNetwork(projection: KubeObject, workload: Workload): void {
  const labels = workload.podMetadata.labels;
  // A Pod's own metadata (labels included) is already kept.
  if (labels !== undefined && workload.metadataPath.length > 1) setAt(projection, [...workload.metadataPath, 'labels'], labels);
  const spec: Record<string, unknown> = {};
  if (workload.podSpec['hostNetwork'] !== undefined) spec['hostNetwork'] = workload.podSpec['hostNetwork'];
  for (const type of ['containers', 'initContainers'] as const) {
    const list = workload.podSpec[type];
    if (!Array.isArray(list)) continue;
    spec[type] = list.map((container: unknown) => {
      if (!isRecord(container)) return container;
      const kept: Record<string, unknown> = {};
      for (const key of ['name', 'ports', 'restartPolicy']) if (container[key] !== undefined) kept[key] = container[key];
      return kept;
    });
  }
  setAt(projection, workload.specPath, spec);
}

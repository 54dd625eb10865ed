import type { InputError } from '../core/model/report.js';
import type { KubeObject, Resource } from '../core/model/resource.js';
import { formatFieldPath } from '../core/model/field-path.js';
import type { FieldPath } from '../core/model/field-path.js';
import { ClusterAccessError } from '../sources/cluster/api-error.js';
import { clusterBatches } from '../sources/cluster/cluster-batches.js';
import type { ScannedKind } from '../sources/cluster/scanned-kinds.js';
import { manifestBatches } from '../sources/manifests/load-manifests.js';

/** Objects read for an analysis (rbac, netpol), each with where it came from. */
export interface ReadObjects {
  resources: Map<KubeObject, Resource>;
  errors: InputError[];
  source: 'manifests' | 'cluster';
  /** The namespace of the kubeconfig context, when reading a cluster whose context names one. */
  contextNamespace?: string;
}

/**
 * Reads manifests (`paths`) or, without paths, the `kinds` of the live cluster the kubeconfig names (controlled
 * objects included). Bad input is in `errors`; throws only when nothing can be read at all.
 */
export async function readObjects(input: { paths?: string[]; kubeconfig?: string; context?: string; kinds: readonly ScannedKind[] }): Promise<ReadObjects> {
  const resources = new Map<KubeObject, Resource>();
  const errors: InputError[] = [];
  const keep = (batch: { resources: Resource[]; errors: InputError[] }): void => {
    errors.push(...batch.errors);
    for (const resource of batch.resources) resources.set(resource.object, resource);
  };
  if (input.paths && input.paths.length > 0) {
    if (input.kubeconfig !== undefined || input.context !== undefined) throw new Error('use either -f/--filename or --kubeconfig/--context, not both');
    for await (const batch of manifestBatches(input.paths, { stdin: process.stdin, cwd: process.cwd() })) keep(batch);
    return { resources, errors, source: 'manifests' };
  }
  const connectOptions = { ...(input.kubeconfig !== undefined ? { kubeconfig: input.kubeconfig } : {}), ...(input.context !== undefined ? { context: input.context } : {}) };
  let connection;
  let contextNamespace: string | undefined;
  try {
    // Loaded when needed: @kubernetes/client-node takes about a second to import.
    const { connect, loadKubeConfig } = await import('../sources/cluster/kube-connection.js');
    const { config } = loadKubeConfig(connectOptions);
    contextNamespace = config.getContextObject(config.getCurrentContext())?.namespace || undefined;
    connection = connect(connectOptions);
  } catch (error) {
    if (!(error instanceof ClusterAccessError)) throw error;
    throw new Error(`${error.message} (or read manifests with -f)`);
  }
  try {
    for await (const batch of clusterBatches({ connection, kinds: input.kinds, includeControlled: true })) keep(batch);
  } finally {
    connection.close();
  }
  return { resources, errors, source: 'cluster', ...(contextNamespace ? { contextNamespace } : {}) };
}

/** `Kind/namespace/name` of an object as read (fields untrusted). */
export function describeObject(object: KubeObject): string {
  const meta = object.metadata ?? {};
  const name = typeof meta.name === 'string' ? meta.name : '?';
  return `${String(object.kind)}/${typeof meta.namespace === 'string' ? `${meta.namespace}/` : ''}${name}`;
}

/** Where a field of an object read is: `file:line` for manifests, else `Kind/ns/name field`. */
export function objectLocator(resources: ReadonlyMap<KubeObject, Resource>): (object: KubeObject, path: FieldPath) => string {
  return (object, path) => {
    const resource = resources.get(object);
    const field = formatFieldPath(path);
    if (resource?.origin.type === 'file') {
      const position = resource.origin.locator?.locate(path);
      return position ? `${resource.origin.file}:${position.line}` : `${resource.origin.file} (${describeObject(object)}${field ? ` ${field}` : ''})`;
    }
    return `${describeObject(object)}${field ? ` ${field}` : ''}`;
  };
}

/** An input error about one field of an object read, at its file:line:column when it came from a file. */
export function objectError(resources: ReadonlyMap<KubeObject, Resource>, object: KubeObject, path: FieldPath, field: string, message: string): InputError {
  const resource = resources.get(object);
  const position = resource?.origin.type === 'file' ? resource.origin.locator?.locate(path) : undefined;
  return {
    source: resource?.origin.type === 'file' ? resource.origin.file : describeObject(object),
    ...(position ? { line: position.line, column: position.column } : {}),
    field,
    message: `${describeObject(object)}: ${message}`,
  };
}

/**
 * Where `aspis netpol` commands read their objects from: manifests (`-f`: files, directories, Kustomize, `-` for
 * stdin) or a live cluster (`--kubeconfig`, `--context`; the default when no -f is given, as kubectl). Manifests give
 * pods from workload templates; a cluster gives its Pods, grouped under their top-most owner. Either way the result
 * is a NetworkModel (src/network) plus every problem of the input with file:line or object and field.
 */
import type { Command } from 'commander';
import type { InputError } from '../../core/model/report.js';
import type { KubeObject, Resource } from '../../core/model/resource.js';
import { formatFieldPath } from '../../core/model/field-path.js';
import type { FieldPath } from '../../core/model/field-path.js';
import { buildNetworkModel } from '../../network/index.js';
import type { NetworkModel } from '../../network/index.js';
import { POD_TEMPLATE_PATHS } from '../../core/k8s/workload-kinds.js';
import { clusterBatches } from '../../sources/cluster/cluster-batches.js';
import { ClusterAccessError } from '../../sources/cluster/api-error.js';
import { manifestBatches } from '../../sources/manifests/load-manifests.js';
import { SCANNED_KINDS } from '../../sources/cluster/scanned-kinds.js';

export interface NetpolInputOptions {
  filename?: string[];
  kubeconfig?: string;
  context?: string;
  defaultNamespace?: string;
}

export interface NetpolInput {
  model: NetworkModel;
  /** Every object read (the other netpol commands, e.g. generate, may need more than the model keeps). */
  objects: KubeObject[];
  /** `file:line` (or `Kind/ns/name`) of a field of an object of the input. */
  locate(object: KubeObject, path: FieldPath): string;
  /** Unreadable input, objects the API server would reject: the answer is still given, the exit code says it. */
  errors: InputError[];
  source: 'manifests' | 'cluster';
}

/** Adds -f, --kubeconfig, --context and --default-namespace to a command. */
export function addNetpolInputOptions(command: Command, what = 'objects'): Command {
  return command
    .option('-f, --filename <paths...>', `read ${what} from manifests (files, directories, Kustomize, - for stdin) instead of a cluster`)
    .option('--kubeconfig <file>', 'kubeconfig of the cluster to read (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
    .option('--context <name>', 'kubeconfig context to use (default: its current context)')
    .option('--default-namespace <namespace>', 'namespace of manifests without metadata.namespace (where kubectl apply would put them)', 'default');
}

/** The kinds read from a cluster: namespaces, pods and their owners, Services, Ingresses, NetworkPolicies. */
const CLUSTER_KINDS = SCANNED_KINDS.filter(
  (kind) =>
    (kind.group === '' && ['Namespace', 'Service'].includes(kind.kind)) ||
    (kind.group === 'networking.k8s.io' && ['NetworkPolicy', 'Ingress'].includes(kind.kind)) ||
    POD_TEMPLATE_PATHS[kind.kind]?.group === kind.group,
);

export function describeObject(object: KubeObject): string {
  const meta = object.metadata ?? {};
  const name = typeof meta.name === 'string' ? meta.name : '?';
  return `${String(object.kind)}/${typeof meta.namespace === 'string' ? `${meta.namespace}/` : ''}${name}`;
}

export function describeInputError(error: InputError): string {
  const where = [error.source, error.line, error.line !== undefined ? error.column : undefined].filter((x) => x !== undefined).join(':');
  return `${where}: ${error.field ? `${error.field}: ` : ''}${error.message}`;
}

/** Objects read, with where each came from. */
export interface NetpolObjects {
  resources: Map<KubeObject, Resource>;
  errors: InputError[];
  source: 'manifests' | 'cluster';
}

/** Reads manifests (`paths`) or, without paths, the live cluster of the options; throws only when nothing can be read. */
export async function readNetpolObjects(paths: string[] | undefined, options: NetpolInputOptions): Promise<NetpolObjects> {
  const resources = new Map<KubeObject, Resource>();
  const errors: InputError[] = [];
  if (paths && paths.length > 0) {
    for await (const batch of manifestBatches(paths, { stdin: process.stdin, cwd: process.cwd() })) {
      errors.push(...batch.errors);
      for (const resource of batch.resources) resources.set(resource.object, resource);
    }
    return { resources, errors, source: 'manifests' };
  }
  const connectOptions = { ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}), ...(options.context !== undefined ? { context: options.context } : {}) };
  let connection;
  try {
    // Loaded when needed: @kubernetes/client-node takes about a second to import.
    const { connect } = await import('../../sources/cluster/kube-connection.js');
    connection = connect(connectOptions);
  } catch (error) {
    if (!(error instanceof ClusterAccessError)) throw error;
    throw new Error(`${error.message} (or read manifests with -f)`);
  }
  try {
    for await (const batch of clusterBatches({ connection, kinds: CLUSTER_KINDS, includeControlled: true })) {
      errors.push(...batch.errors);
      for (const resource of batch.resources) resources.set(resource.object, resource);
    }
  } finally {
    connection.close();
  }
  return { resources, errors, source: 'cluster' };
}

/** Builds the model of objects read, and turns its issues (invalid policies) into input errors with file:line. */
export function netpolInputOf(read: NetpolObjects, options: NetpolInputOptions): NetpolInput {
  const { resources, source } = read;
  const errors = [...read.errors];
  const objects = [...resources.keys()];
  const model = buildNetworkModel(objects, {
    defaultNamespace: options.defaultNamespace ?? 'default',
    podsFrom: source === 'cluster' ? 'pods' : 'templates',
  });

  const locate = (object: KubeObject, path: FieldPath): string => {
    const resource = resources.get(object);
    const field = formatFieldPath(path);
    if (resource?.origin.type === 'file') {
      const position = resource.origin.locator?.locate(path);
      return position ? `${resource.origin.file}:${position.line}` : `${resource.origin.file} (${describeObject(object)}${field ? ` ${field}` : ''})`;
    }
    return `${describeObject(object)}${field ? ` ${field}` : ''}`;
  };
  for (const issue of model.issues) {
    const resource = resources.get(issue.object);
    const position = resource?.origin.type === 'file' ? resource.origin.locator?.locate(issue.path) : undefined;
    errors.push({
      source: resource?.origin.type === 'file' ? resource.origin.file : describeObject(issue.object),
      ...(position ? { line: position.line, column: position.column } : {}),
      field: issue.field,
      message: `${describeObject(issue.object)}: ${issue.message} (the API server would reject it: left out)`,
    });
  }
  return { model, objects, locate, errors, source };
}

/** Reads the objects named by the options (-f, else the cluster) and builds their model. */
export async function loadNetpolInput(options: NetpolInputOptions): Promise<NetpolInput> {
  if (options.filename && options.filename.length > 0 && (options.kubeconfig !== undefined || options.context !== undefined)) {
    throw new Error('use either -f/--filename or --kubeconfig/--context, not both');
  }
  return netpolInputOf(await readNetpolObjects(options.filename, options), options);
}

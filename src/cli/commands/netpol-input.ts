/**
 * Where `aspis netpol` commands read their objects from: manifests (`-f`: files, directories, Kustomize, `-` for
 * stdin) or a live cluster (`--kubeconfig`, `--context`; the default when no -f is given, as kubectl). Manifests give
 * pods from workload templates; a cluster gives its Pods, grouped under their top-most owner. Either way the result
 * is a NetworkModel (src/network) plus every problem of the input with file:line or object and field.
 */
import type { Command } from 'commander';
import type { InputError } from '../../core/model/report.js';
import type { KubeObject } from '../../core/model/resource.js';
import type { FieldPath } from '../../core/model/field-path.js';
import { buildNetworkModel } from '../../network/index.js';
import type { NetworkModel } from '../../network/index.js';
import { POD_TEMPLATE_PATHS } from '../../core/k8s/workload-kinds.js';
import { SCANNED_KINDS } from '../../sources/cluster/scanned-kinds.js';
import { describeObject, objectError, objectLocator, readObjects } from '../read-objects.js';
import type { ReadObjects } from '../read-objects.js';

export { describeObject };

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

/**
 * The kinds read from a cluster: namespaces, pods and their owners, Services, Ingresses, NetworkPolicies, and
 * AdminNetworkPolicies and the BaselineAdminNetworkPolicy where their API is installed.
 */
const CLUSTER_KINDS = SCANNED_KINDS.filter(
  (kind) =>
    (kind.group === '' && ['Namespace', 'Service'].includes(kind.kind)) ||
    (kind.group === 'networking.k8s.io' && ['NetworkPolicy', 'Ingress'].includes(kind.kind)) ||
    kind.group === 'policy.networking.k8s.io' ||
    POD_TEMPLATE_PATHS[kind.kind]?.group === kind.group,
);

export function describeInputError(error: InputError): string {
  const where = [error.source, error.line, error.line !== undefined ? error.column : undefined].filter((x) => x !== undefined).join(':');
  return `${where}: ${error.field ? `${error.field}: ` : ''}${error.message}`;
}

/** Objects read, with where each came from. */
export type NetpolObjects = ReadObjects;

/** Reads manifests (`paths`) or, without paths, the live cluster of the options; throws only when nothing can be read. */
export async function readNetpolObjects(paths: string[] | undefined, options: NetpolInputOptions): Promise<NetpolObjects> {
  // `diff cluster NEW` reads NEW from files while --kubeconfig names the cluster: files win here.
  if (paths && paths.length > 0) return readObjects({ paths, kinds: CLUSTER_KINDS });
  return readObjects({
    ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
    ...(options.context !== undefined ? { context: options.context } : {}),
    kinds: CLUSTER_KINDS,
  });
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

  const locate = objectLocator(resources);
  for (const issue of model.issues) {
    errors.push(objectError(resources, issue.object, issue.path, issue.field, `${issue.message} (the API server would reject it: left out)`));
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

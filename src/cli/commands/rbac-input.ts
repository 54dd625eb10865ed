/**
 * Where `aspis rbac` reads RBAC objects from: manifests (`-f`, files, directories, Kustomize, `-` for stdin) or a
 * live cluster (`--kubeconfig`, `--context`; the default when no -f is given, as kubectl). From a cluster it lists
 * Namespaces, ServiceAccounts, Roles, ClusterRoles, RoleBindings and ClusterRoleBindings, the bootstrap roles and
 * bindings the API server creates included, so answers match the server's.
 */
import type { Command } from 'commander';
import type { InputError } from '../../core/model/report.js';
import type { KubeObject } from '../../core/model/resource.js';
import { formatFieldPath } from '../../core/model/field-path.js';
import type { FieldPath } from '../../core/model/field-path.js';
import { buildRbacGraph } from '../../rbac/rbac-graph.js';
import type { RbacGraph } from '../../rbac/rbac-graph.js';
import { RBAC_GRAPH_KINDS } from '../../rbac/rbac-objects.js';
import { SCANNED_KINDS } from '../../sources/cluster/scanned-kinds.js';
import { objectError, objectLocator, readObjects } from '../read-objects.js';

export interface RbacInputOptions {
  filename?: string[];
  kubeconfig?: string;
  context?: string;
}

export interface RbacInput {
  graph: RbacGraph;
  /** `file:line` (or `Kind/ns/name (context)`) of a field of an object of the input. */
  locate(object: KubeObject, path: FieldPath): string;
  /** Problems of the input (unreadable files, objects the API server would reject); the answer is still given. */
  errors: InputError[];
  /** Worth knowing, not wrong: e.g. a live aggregated ClusterRole whose stored rules lag its selectors. */
  warnings: string[];
  /** The namespace of the kubeconfig context, for a live cluster (kubectl's default namespace). */
  contextNamespace?: string;
  /** `manifests` or `cluster`. */
  source: 'manifests' | 'cluster';
}

export function addRbacInputOptions(command: Command): Command {
  return command
    .option('-f, --filename <paths...>', 'read RBAC objects from manifests (files, directories, Kustomize, - for stdin) instead of a cluster')
    .option('--kubeconfig <file>', 'kubeconfig of the cluster to read (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
    .option('--context <name>', 'kubeconfig context to use (default: its current context)');
}

const READ_KINDS = new Set<string>(['Namespace', ...RBAC_GRAPH_KINDS]);

export async function loadRbacInput(options: RbacInputOptions): Promise<RbacInput> {
  const read = await readObjects({
    ...(options.filename ? { paths: options.filename } : {}),
    ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
    ...(options.context !== undefined ? { context: options.context } : {}),
    kinds: SCANNED_KINDS.filter((kind) => READ_KINDS.has(kind.kind)),
  });
  const { resources, errors, source, contextNamespace } = read;
  const graph = buildRbacGraph(resources.keys(), { aggregation: 'compute' });
  if (![...resources.keys()].some((object) => typeof object.kind === 'string' && READ_KINDS.has(object.kind) && object.kind !== 'Namespace')) {
    errors.push({ source: source === 'manifests' ? options.filename!.join(', ') : 'cluster', message: 'the input holds no Role, ClusterRole, RoleBinding, ClusterRoleBinding or ServiceAccount' });
  }

  const locate = objectLocator(resources);
  for (const issue of graph.issues) {
    const ignored = issue.ignored ? ' (the API server would reject it: left out)' : '';
    errors.push(objectError(resources, issue.object, issue.path, formatFieldPath(issue.path), `${issue.message}${ignored}`));
  }
  const warnings = source === 'cluster' ? aggregationLag(graph) : [];
  const input: RbacInput = { graph, locate, errors, warnings, source };
  if (contextNamespace) input.contextNamespace = contextNamespace;
  return input;
}

/**
 * Aggregated ClusterRoles whose rules, as kube-controller-manager stored them, differ from what their selectors give
 * (the controller is behind, or not running): answers use the computed rules, which the cluster will have once the
 * controller catches up.
 */
function aggregationLag(graph: RbacGraph): string[] {
  const key = (rule: Record<string, unknown>) =>
    JSON.stringify(['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'].map((field) => rule[field] ?? []));
  const lagging: string[] = [];
  for (const [name, computed] of graph.aggregatedRules) {
    const stored = graph.clusterRoles.get(name)!.object['rules'];
    const storedKeys = (Array.isArray(stored) ? stored : []).map((rule) => key(rule as Record<string, unknown>));
    const computedKeys = computed.map((source) => key(source.rule as unknown as Record<string, unknown>));
    if (JSON.stringify(storedKeys) !== JSON.stringify(computedKeys)) lagging.push(name);
  }
  if (lagging.length === 0) return [];
  return [
    `the stored rules of aggregated ClusterRole${lagging.length > 1 ? 's' : ''} ${lagging.join(', ')} differ from what their aggregationRule selects ` +
      '(kube-controller-manager is behind or not running): answers use the rules the selectors give',
  ];
}

export function describeInputError(error: InputError): string {
  const where = [error.source, error.line, error.line !== undefined ? error.column : undefined].filter((x) => x !== undefined).join(':');
  return `${where}: ${error.field ? `${error.field}: ` : ''}${error.message}`;
}

import type { Command } from 'commander';
import { Option } from 'commander';
import type { InputError } from '../core/model/report.js';
import { ClusterAccessError } from '../sources/cluster/api-error.js';
import type { KubeConnection } from '../sources/cluster/kube-connection.js';

/** The options of every command that reads a live cluster (scan cluster, inventory cluster), so they read the same. */
export interface ClusterOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string[];
  allNamespaces?: boolean;
  selector?: string;
}

export function addClusterOptions(command: Command): Command {
  return command
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then the in-cluster service account)')
    .option('--context <name>', 'kubeconfig context to use (default: its current context)')
    .option('-n, --namespace <names>', 'only these namespaces (repeatable or comma-separated)', commaList)
    .option('-A, --all-namespaces', 'every namespace and the cluster-scoped kinds (the default without -n)')
    .addOption(new Option('-l, --selector <selector>', 'only objects with these labels (e.g. app=web,tier!=db); matching nothing is an error'));
}

export interface ClusterTarget {
  /** Undefined when the kubeconfig could not be used: `errors` says why. */
  connection?: KubeConnection;
  namespaces: string[];
  /** What is read, for the report's `inputs`: context and server, scope, selector. */
  input: string;
  errors: InputError[];
}

/**
 * Checks the options (contradictions are usage errors: thrown) and opens the connection the kubeconfig describes
 * (a kubeconfig that cannot be used is an input error, reported with the rest).
 */
export async function clusterTarget(options: ClusterOptions): Promise<ClusterTarget> {
  const namespaces = options.namespace ?? [];
  if (options.allNamespaces && namespaces.length > 0) throw new Error('use either -n/--namespace or -A/--all-namespaces, not both');
  if (options.namespace && namespaces.length === 0) throw new Error('-n/--namespace names no namespace');
  if (options.selector !== undefined && options.selector.trim() === '') throw new Error('-l/--selector is empty');

  let connection: KubeConnection | undefined;
  const errors: InputError[] = [];
  try {
    // Loaded when needed: @kubernetes/client-node takes about a second to import.
    const { connect } = await import('../sources/cluster/kube-connection.js');
    connection = connect({
      ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
      ...(options.context !== undefined ? { context: options.context } : {}),
    });
  } catch (error) {
    if (!(error instanceof ClusterAccessError)) throw error;
    errors.push({ source: 'kubeconfig', message: error.message });
  }
  const scope = namespaces.length > 0 ? `namespace${namespaces.length > 1 ? 's' : ''} ${namespaces.join(', ')}` : 'all namespaces';
  const selector = options.selector ? `, selector ${options.selector}` : '';
  const input = connection ? `${connection.label}, ${scope}${selector}` : `cluster (${scope}${selector})`;
  return { ...(connection ? { connection } : {}), namespaces, input, errors };
}

function commaList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((name) => name.trim()).filter(Boolean)];
}

/**
 * What `aspis netpol generate` and `aspis netpol replay` share: the --flows options, and reading the flow files
 * through the flow source (src/sources/flows) into the aggregator of the network engine (src/network/flows), with
 * addresses attributed through the inventory read by netpol-input.ts.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { InputError } from '../../core/model/report.js';
import type { KubeObject } from '../../core/model/resource.js';
import { buildNetworkModel } from '../../network/index.js';
import type { NetworkModel } from '../../network/index.js';
import { DEFAULT_CLUSTER_NETWORKS, FlowAttributor } from '../../network/flows/flow-attribution.js';
import type { FlowAggregatorOptions } from '../../network/flows/flow-aggregator.js';
import { FlowAggregator } from '../../network/flows/flow-aggregator.js';
import type { FlowObservation } from '../../network/flows/workload-edge.js';
import { parseCidr } from '../../network/index.js';
import { FLOW_FORMATS, readFlowFiles } from '../../sources/flows/read-flow-files.js';
import type { FlowFormat } from '../../sources/flows/read-flow-files.js';
import type { NetpolInput } from './netpol-input.js';
import { NetpolUsageError } from './netpol-run.js';

export interface FlowOptions {
  flows: string[];
  flowFormat: FlowFormat;
  clusterCidr?: string[];
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function addFlowOptions(command: Command): Command {
  return command
    .requiredOption('--flows <files...>', 'flow files: Hubble JSON (hubble observe -o json), Aspis flow JSON Lines (docs/flow.schema.json) or conntrack -E -o timestamp text; .gz is decompressed, - reads stdin')
    .addOption(new Option('--flow-format <format>', 'format of the flow files (auto: told apart by their first line)').choices(FLOW_FORMATS).default('auto'))
    .option(
      '--cluster-cidr <cidr>',
      `pod or Service network of the cluster (repeatable): an unknown address inside is unattributed, outside is an external peer (default: ${DEFAULT_CLUSTER_NETWORKS.join(', ')})`,
      collect,
    );
}

/**
 * The model flows are attributed through. Manifests give workloads from templates, unless they hold Pods with owners
 * (a dump of a live cluster, `kubectl get deploy,rs,pods -o yaml`): then, as for a cluster, its Pods with their
 * addresses, grouped under their owners.
 */
export function flowModel(objects: readonly KubeObject[], source: NetpolInput['source'], defaultNamespace: string): NetworkModel {
  const ownedPods = objects.some((o) => o.kind === 'Pod' && Array.isArray(o.metadata?.['ownerReferences']) && (o.metadata['ownerReferences'] as unknown[]).length > 0);
  return buildNetworkModel(objects, { defaultNamespace, podsFrom: source === 'cluster' || ownedPods ? 'pods' : 'templates' });
}

export interface ObservedFlows {
  observation: FlowObservation;
  /** Flow file problems (bad lines, unreadable files), with file:line; `observation.errorCount` counts them all. */
  errors: InputError[];
}

/** Reads the flow files and aggregates them to workload edges. */
export async function observeFlows(model: NetworkModel, options: FlowOptions, aggregatorOptions: FlowAggregatorOptions = {}): Promise<ObservedFlows> {
  for (const cidr of options.clusterCidr ?? []) {
    const parsed = parseCidr(cidr);
    if (typeof parsed === 'string') throw new NetpolUsageError(`--cluster-cidr ${parsed}`);
  }
  if (options.flows.filter((f) => f === '-').length > 1) throw new NetpolUsageError('--flows: standard input (-) can be read once');
  const attributor = new FlowAttributor(model, options.clusterCidr && options.clusterCidr.length > 0 ? { clusterNetworks: options.clusterCidr } : {});
  const aggregator = new FlowAggregator(attributor, aggregatorOptions);
  await readFlowFiles(options.flows, aggregator, { format: options.flowFormat });
  const observation = aggregator.result();
  const errors = [...observation.errors];
  if (observation.errorCount > observation.errors.length) {
    errors.push({ source: options.flows.join(', '), message: `and ${observation.errorCount - observation.errors.length} more errors in the flow files (only the first ${observation.errors.length} are listed)` });
  }
  return { observation, errors };
}

/** Hints about the unattributed flows that the input's kind explains. */
export function flowHints(source: NetpolInput['source'], observation: FlowObservation): string[] {
  const addressOnly = observation.unattributed.some((u) => u.reason.startsWith('an address of the cluster networks'));
  if (source !== 'cluster' || !addressOnly) return [];
  // A live read knows the Pods that exist now, with their addresses; those deleted since the recording are gone.
  return [
    'Hint: a live cluster read knows the addresses of the Pods that exist now, not of those deleted since the flows were recorded: ' +
      'write address records for them (docs/network-segmentation.md), or read a dump taken during the recording (kubectl get namespaces,pods,replicasets,deployments,statefulsets,daemonsets,jobs,cronjobs,services -A -o yaml > cluster.yaml; -f cluster.yaml).',
  ];
}

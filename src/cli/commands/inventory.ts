/**
 * `aspis inventory manifests <paths...>` and `aspis inventory cluster`: what runs where, as whom, from which images,
 * exposed how, and each namespace's Pod Security labels against what its workloads satisfy. The sources are the
 * scan's (same grammar as `aspis scan manifests|cluster`, same flags); the inventory is fed batch by batch.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { closeSync, openSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import { LATEST_PSS_VERSION, parsePssVersion } from '../../core/model/check-context.js';
import type { PssVersion } from '../../core/model/check-context.js';
import type { InputError } from '../../core/model/report.js';
import { InventoryBuilder } from '../../inventory/inventory-builder.js';
import { isInventoriedKind } from '../../inventory/inventoried-kinds.js';
import { INVENTORY_FORMATS, inventoryChunks } from '../../outputs/inventory-output.js';
import type { InventoryFormat } from '../../outputs/inventory-output.js';
import { formatErrorSource } from '../../outputs/text.js';
import { ClusterAccessError } from '../../sources/cluster/api-error.js';
import { clusterBatches } from '../../sources/cluster/cluster-batches.js';
import { connect } from '../../sources/cluster/kube-connection.js';
import type { KubeConnection } from '../../sources/cluster/kube-connection.js';
import { SCANNED_KINDS } from '../../sources/cluster/scanned-kinds.js';
import { manifestBatches } from '../../sources/manifests/load-manifests.js';
import { EXIT } from '../exit-codes.js';

interface InventoryOptions {
  output?: InventoryFormat;
  outputFile?: string;
  pssVersion?: string;
}

interface ClusterInventoryOptions extends InventoryOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string[];
  allNamespaces?: boolean;
  selector?: string;
}

interface Env {
  version: string;
  setExitCode(code: number): void;
}

export function registerInventory(program: Command, env: Env): void {
  const inventory = program
    .command('inventory')
    .description('list namespaces, workloads and their owners, images, service accounts and tokens, exposure, and Pod Security fit');
  const manifests = inventory
    .command('manifests')
    .description('inventory Kubernetes manifests: files, directories (recursive, Kustomize), or - for stdin')
    .argument('<paths...>', 'files or directories; - reads stdin (e.g. helm template ... | aspis inventory manifests -)');
  addOutputOptions(manifests).action(async (paths: string[], options: InventoryOptions) => {
    env.setExitCode(await inventoryManifests(paths, options, env.version));
  });
  const cluster = inventory
    .command('cluster')
    .description('inventory a live cluster: every namespace (or those of -n), read-only, with paged LISTs')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then the in-cluster service account)')
    .option('--context <name>', 'kubeconfig context to use (default: its current context)')
    .option('-n, --namespace <names>', 'only these namespaces (repeatable or comma-separated)', commaList)
    .option('-A, --all-namespaces', 'every namespace (the default without -n)')
    .addOption(new Option('-l, --selector <selector>', 'only objects with these labels (e.g. app=web,tier!=db); matching nothing is an error'));
  addOutputOptions(cluster).action(async (options: ClusterInventoryOptions) => {
    env.setExitCode(await inventoryCluster(options, env.version));
  });
}

function addOutputOptions(command: Command): Command {
  return command
    .addOption(new Option('-o, --output <format>', 'output format (default: table on a terminal, json otherwise)').choices(INVENTORY_FORMATS))
    .option('--output-file <file>', 'write the inventory to a file instead of stdout')
    .option(
      '--pss-version <version>',
      'Pod Security version that `latest` (and an unversioned label) stands for: latest or v1.N (default: the cluster\'s version with `cluster`, else the newest known)',
    );
}

function commaList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((name) => name.trim()).filter(Boolean)];
}

async function inventoryManifests(paths: string[], options: InventoryOptions, version: string): Promise<number> {
  const cwd = process.cwd();
  const builder = new InventoryBuilder({
    pssVersion: options.pssVersion ? parsePssVersion(options.pssVersion) : LATEST_PSS_VERSION,
    inputs: paths,
    toolVersion: version,
    now: new Date(),
  });
  // One file (or stdin, or Kustomize build) at a time: its objects are released once projected.
  for await (const batch of manifestBatches(paths, { stdin: process.stdin, cwd })) {
    builder.addErrors(batch.errors);
    builder.add(batch.resources);
  }
  return finish(builder, options);
}

async function inventoryCluster(options: ClusterInventoryOptions, version: string): Promise<number> {
  const namespaces = options.namespace ?? [];
  if (options.allNamespaces && namespaces.length > 0) throw new Error('use either -n/--namespace or -A/--all-namespaces, not both');
  if (options.namespace && namespaces.length === 0) throw new Error('-n/--namespace names no namespace');
  if (options.selector !== undefined && options.selector.trim() === '') throw new Error('-l/--selector is empty');
  const pinned = options.pssVersion ? parsePssVersion(options.pssVersion) : undefined;

  let connection: KubeConnection | undefined;
  const errors: InputError[] = [];
  try {
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
  const pssVersion = pinned ?? (connection ? await serverPssVersion(connection) : LATEST_PSS_VERSION);
  const builder = new InventoryBuilder({ pssVersion, inputs: [input], toolVersion: version, now: new Date() });
  builder.addErrors(errors);
  if (connection) {
    try {
      const batches = clusterBatches({
        connection,
        kinds: SCANNED_KINDS.filter((kind) => isInventoriedKind(kind.group, kind.kind)),
        // The inventory lists owned objects too: a Deployment's ReplicaSets and Pods, with their owner chains.
        includeControlled: true,
        ...(namespaces.length > 0 ? { namespaces } : {}),
        ...(options.selector ? { labelSelector: options.selector } : {}),
        onProgress: (event) => {
          if (event.type === 'note') process.stderr.write(`aspis: note: ${event.message}\n`);
        },
      });
      // One LIST page at a time: its objects are released once projected.
      for await (const batch of batches) {
        builder.addErrors(batch.errors);
        builder.add(batch.resources);
      }
    } finally {
      connection.close();
    }
  }
  return finish(builder, options);
}

/**
 * PodSecurity admission evaluates `latest` as the API server's own minor version: ask the server. A server that does
 * not say (or an unparsable answer) is evaluated at the newest version known, as with manifests.
 */
async function serverPssVersion(connection: KubeConnection): Promise<PssVersion> {
  try {
    const response = await connection.get('/version');
    const body = response.body as { major?: unknown; minor?: unknown } | undefined;
    const minor = typeof body?.minor === 'string' ? /^(\d+)/.exec(body.minor)?.[1] : undefined;
    if (response.status === 200 && body?.major === '1' && minor !== undefined) return parsePssVersion(`v1.${minor}`);
  } catch (error) {
    if (!(error instanceof ClusterAccessError)) throw error;
    // Unreachable: the listing that follows reports it.
  }
  return LATEST_PSS_VERSION;
}

async function finish(builder: InventoryBuilder, options: InventoryOptions): Promise<number> {
  const inventory = builder.finish();
  const toFile = options.outputFile !== undefined;
  const format: InventoryFormat = options.output ?? (process.stdout.isTTY && !toFile ? 'table' : 'json');
  const chunks = inventoryChunks(inventory, format);
  if (toFile) writeToFile(options.outputFile!, chunks);
  else await writeToStdout(chunks);
  for (const error of inventory.errors) {
    process.stderr.write(`aspis: ${formatErrorSource(error)}: ${error.field ? `${error.field}: ` : ''}${error.message}\n`);
  }
  return inventory.errors.length > 0 ? EXIT.error : EXIT.ok;
}

function writeToFile(path: string, chunks: Iterable<string>): void {
  const fd = openSync(path, 'w');
  try {
    for (const chunk of chunks) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
}

async function writeToStdout(chunks: Iterable<string>): Promise<void> {
  for (const chunk of chunks) {
    if (chunk !== '' && !process.stdout.write(chunk)) await once(process.stdout, 'drain');
  }
}

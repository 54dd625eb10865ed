/**
 * `aspis inventory manifests <paths...>` and `aspis inventory cluster`: what runs where, as whom, from which images,
 * exposed how, and each namespace's Pod Security labels against what its workloads satisfy. The sources are the
 * scan's (same grammar as `aspis scan manifests|cluster`, same flags); the inventory is fed batch by batch.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { LATEST_PSS_VERSION, parsePssVersion } from '../../core/model/check-context.js';
import type { PssVersion } from '../../core/model/check-context.js';
import { InventoryBuilder } from '../../inventory/inventory-builder.js';
import { isInventoriedKind } from '../../inventory/inventoried-kinds.js';
import { INVENTORY_FORMATS, inventoryChunks } from '../../outputs/inventory-output.js';
import type { InventoryFormat } from '../../outputs/inventory-output.js';
import { formatErrorSource } from '../../outputs/text.js';
import { ClusterAccessError } from '../../sources/cluster/api-error.js';
import { clusterBatches } from '../../sources/cluster/cluster-batches.js';
import type { KubeConnection } from '../../sources/cluster/kube-connection.js';
import { SCANNED_KINDS } from '../../sources/cluster/scanned-kinds.js';
import { manifestBatches } from '../../sources/manifests/load-manifests.js';
import { EXIT } from '../exit-codes.js';
import { addClusterOptions, clusterTarget } from '../cluster-options.js';
import type { ClusterOptions } from '../cluster-options.js';
import { ProgressLine } from '../cluster-progress.js';
import { writeChunksToFile, writeChunksToStdout } from '../write-chunks.js';

interface InventoryOptions {
  output?: InventoryFormat;
  outputFile?: string;
  pssVersion?: string;
}

type ClusterInventoryOptions = InventoryOptions & ClusterOptions;

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
    .description('inventory a live cluster: every namespace (or those of -n), read-only, with paged LISTs');
  addOutputOptions(addClusterOptions(cluster)).action(async (options: ClusterInventoryOptions) => {
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
  const pinned = options.pssVersion ? parsePssVersion(options.pssVersion) : undefined;
  const { connection, namespaces, input, errors } = await clusterTarget(options);
  const pssVersion = pinned ?? (connection ? await serverPssVersion(connection) : LATEST_PSS_VERSION);
  const builder = new InventoryBuilder({ pssVersion, inputs: [input], toolVersion: version, now: new Date() });
  builder.addErrors(errors);
  if (connection) {
    const progress = new ProgressLine();
    try {
      const batches = clusterBatches({
        connection,
        kinds: SCANNED_KINDS.filter((kind) => isInventoriedKind(kind.group, kind.kind)),
        // The inventory lists owned objects too: a Deployment's ReplicaSets and Pods, with their owner chains.
        includeControlled: true,
        ...(namespaces.length > 0 ? { namespaces } : {}),
        ...(options.selector ? { labelSelector: options.selector } : {}),
        onProgress: (event) => progress.update(event),
      });
      // One LIST page at a time: its objects are released once projected.
      for await (const batch of batches) {
        builder.addErrors(batch.errors);
        builder.add(batch.resources);
      }
    } finally {
      progress.end();
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
  if (toFile) writeChunksToFile(options.outputFile!, chunks);
  else await writeChunksToStdout(chunks);
  for (const error of inventory.errors) {
    process.stderr.write(`aspis: ${formatErrorSource(error)}: ${error.field ? `${error.field}: ` : ''}${error.message}\n`);
  }
  return inventory.errors.length > 0 ? EXIT.error : EXIT.ok;
}

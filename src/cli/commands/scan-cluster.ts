import type { Command } from 'commander';
import { Option } from 'commander';
import { clusterBatches } from '../../sources/cluster/cluster-batches.js';
import type { ClusterProgress } from '../../sources/cluster/cluster-batches.js';
import { ClusterAccessError } from '../../sources/cluster/api-error.js';
import { connect } from '../../sources/cluster/kube-connection.js';
import type { KubeConnection } from '../../sources/cluster/kube-connection.js';
import { addScanOptions } from '../scan/scan-options.js';
import type { ScanOptions } from '../scan/scan-options.js';
import { startScan } from '../scan/start-scan.js';
import { finishScan } from '../scan/finish-scan.js';

interface ScanClusterOptions extends ScanOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string[];
  allNamespaces?: boolean;
  selector?: string;
}

export function registerScanCluster(scan: Command, env: { version: string; setExitCode(code: number): void }): void {
  const command = scan
    .command('cluster')
    .description('scan a live cluster: every namespace (or those of -n), read-only, with paged LISTs')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then the in-cluster service account)')
    .option('--context <name>', 'kubeconfig context to use (default: its current context)')
    .option('-n, --namespace <names>', 'scan only these namespaces (repeatable or comma-separated)', commaList)
    .option('-A, --all-namespaces', 'scan every namespace and the cluster-scoped kinds (the default without -n)')
    .addOption(new Option('-l, --selector <selector>', 'only objects with these labels (e.g. app=web,tier!=db); matching nothing is an error'));
  addScanOptions(command).action(async (options: ScanClusterOptions) => {
    env.setExitCode(await scanCluster(options, env.version));
  });
}

function commaList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((name) => name.trim()).filter(Boolean)];
}

async function scanCluster(options: ScanClusterOptions, version: string): Promise<number> {
  const namespaces = options.namespace ?? [];
  if (options.allNamespaces && namespaces.length > 0) throw new Error('use either -n/--namespace or -A/--all-namespaces, not both');
  if (options.namespace && namespaces.length === 0) throw new Error('-n/--namespace names no namespace');
  if (options.selector !== undefined && options.selector.trim() === '') throw new Error('-l/--selector is empty');

  let connection: KubeConnection | undefined;
  let connectError: string | undefined;
  try {
    connection = connect({ ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}), ...(options.context !== undefined ? { context: options.context } : {}) });
  } catch (error) {
    if (!(error instanceof ClusterAccessError)) throw error;
    connectError = error.message;
  }
  const scope = namespaces.length > 0 ? `namespace${namespaces.length > 1 ? 's' : ''} ${namespaces.join(', ')}` : 'all namespaces';
  const selector = options.selector ? `, selector ${options.selector}` : '';
  const input = connection ? `${connection.label}, ${scope}${selector}` : `cluster (${scope}${selector})`;
  const { session, checks } = startScan(options, { inputs: [input], version, cwd: process.cwd() });
  if (!connection) {
    session.addErrors([{ source: 'kubeconfig', message: connectError! }]);
    return finishScan(session, checks, options);
  }

  const progress = new ProgressLine();
  try {
    const batches = clusterBatches({
      connection,
      ...(namespaces.length > 0 ? { namespaces } : {}),
      ...(options.selector ? { labelSelector: options.selector } : {}),
      onProgress: (event) => progress.update(event),
    });
    // One LIST page at a time: its objects are released once scanned.
    for await (const batch of batches) {
      session.addErrors(batch.errors);
      session.add(batch.resources);
    }
  } finally {
    progress.end();
    connection.close();
  }
  return finishScan(session, checks, options);
}

/**
 * Progress on standard error when it is a terminal: the kind being listed and the objects read so far, rewritten in
 * place, then one closing line with what was left out as controlled by a workload. Notes (an expired continue token,
 * kinds not read with -n) are printed whatever stderr is.
 */
class ProgressLine {
  private readonly tty = Boolean(process.stderr.isTTY);
  private lastDraw = 0;
  private shown = false;
  private started = performance.now();

  update(event: ClusterProgress): void {
    switch (event.type) {
      case 'start':
        this.started = performance.now();
        return;
      case 'note':
        this.clear();
        process.stderr.write(`aspis: note: ${event.message}\n`);
        return;
      case 'page': {
        if (!this.tty) return;
        const now = performance.now();
        if (now - this.lastDraw < 100) return;
        this.lastDraw = now;
        const where = event.namespace !== undefined ? ` in ${event.namespace}` : '';
        process.stderr.write(`\r\x1b[Kaspis: listing ${event.resource}${where}: ${event.listed + event.skipped} · ${event.total} objects so far`);
        this.shown = true;
        return;
      }
      case 'done': {
        if (!this.tty) return;
        this.clear();
        const seconds = ((performance.now() - this.started) / 1000).toFixed(1);
        const skipped = Object.entries(event.skippedByKind).map(([kind, count]) => `${count} ${kind}`).join(', ');
        process.stderr.write(
          `aspis: read ${event.objects + event.skipped} objects in ${seconds} s; scanned ${event.objects}` +
            (event.skipped > 0 ? `; left out ${event.skipped} controlled by a scanned workload (${skipped}), reported through their controller` : '') +
            '\n',
        );
        return;
      }
    }
  }

  private clear(): void {
    if (this.shown) process.stderr.write('\r\x1b[K');
    this.shown = false;
  }

  end(): void {
    this.clear();
  }
}

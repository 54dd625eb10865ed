import type { Command } from 'commander';
import { clusterBatches } from '../../sources/cluster/cluster-batches.js';
import { addClusterOptions, clusterTarget } from '../cluster-options.js';
import type { ClusterOptions } from '../cluster-options.js';
import { ProgressLine } from '../cluster-progress.js';
import { addScanOptions } from '../scan/scan-options.js';
import type { ScanOptions } from '../scan/scan-options.js';
import { startScan } from '../scan/start-scan.js';
import { finishScan } from '../scan/finish-scan.js';

type ScanClusterOptions = ScanOptions & ClusterOptions;

export function registerScanCluster(scan: Command, env: { version: string; setExitCode(code: number): void }): void {
  const command = scan
    .command('cluster')
    .description('scan a live cluster: every namespace (or those of -n), read-only, with paged LISTs');
  addScanOptions(addClusterOptions(command)).action(async (options: ScanClusterOptions) => {
    env.setExitCode(await scanCluster(options, env.version));
  });
}

async function scanCluster(options: ScanClusterOptions, version: string): Promise<number> {
  const { connection, namespaces, input, errors } = await clusterTarget(options);
  const { session, checks } = startScan(options, { inputs: [input], version, cwd: process.cwd() });
  session.addErrors(errors);
  if (!connection) return finishScan(session, checks, options);

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

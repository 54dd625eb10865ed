import type { Command } from 'commander';
import { clusterBatches } from '../../sources/cluster/cluster-batches.js';
import { addClusterOptions, clusterTarget } from '../cluster-options.js';
import type { ClusterOptions } from '../cluster-options.js';
import { ProgressLine } from '../cluster-progress.js';
import { addScanOptions } from '../scan/scan-options.js';
import type { ScanOptions } from '../scan/scan-options.js';
import { startScan } from '../scan/start-scan.js';
import { finishScan } from '../scan/finish-scan.js';
import { scanClusterImages, DEFAULT_IMAGE_CONCURRENCY, type ClusterImagesOptions } from '../scan/scan-cluster-images.js';
import { addVulnerabilityTriageOptions } from './scan-image.js';

type ScanClusterOptions = ScanOptions & ClusterOptions & ClusterImagesOptions & { images?: boolean };

export function registerScanCluster(scan: Command, env: { version: string; setExitCode(code: number): void }): void {
  const command = scan
    .command('cluster')
    .description('scan a live cluster: every namespace (or those of -n), read-only, with paged LISTs');
  addScanOptions(addClusterOptions(command), ['cyclonedx']);
  // --images: the images of the running Pods instead of the objects (see scan-cluster-images.ts).
  command.option('--images', 'scan every image the running Pods use, each once: vulnerabilities and image checks, as scan image');
  addVulnerabilityTriageOptions(command)
    .option('--image-concurrency <n>', `with --images: images scanned at a time (default ${DEFAULT_IMAGE_CONCURRENCY})`)
    .option('--platform <os/arch[/variant]>', 'with --images: platform to pick from multi-platform images (default: linux/<this machine>)')
    .option('--insecure', 'with --images: plain HTTP to registries on loopback (refused for any other host)')
    .option('--record [file]', "with --images: record each image's result for the admission webhook's image gating (default store: $ASPIS_SCAN_RESULTS or ~/.cache/aspis/results/scans.sqlite)")
    .action(async (options: ScanClusterOptions) => {
      const imageOnly = (['db', 'vex', 'severity', 'ignoreUnfixed', 'imageConcurrency', 'platform', 'insecure', 'record'] as const).filter((k) => options[k] !== undefined);
      if (!options.images && imageOnly.length > 0) throw new Error(`--${imageOnly[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --images`);
      if (!options.images && (options.output as string | undefined) === 'cyclonedx') throw new Error('--output cyclonedx needs --images (it describes images)');
      env.setExitCode(options.images ? await scanClusterImages(options, env.version) : await scanCluster(options, env.version));
    });
}

async function scanCluster(options: ScanClusterOptions, version: string): Promise<number> {
  const { connection, namespaces, input, errors } = await clusterTarget(options);
  const { session, checks } = await startScan(options, { inputs: [input], version, cwd: process.cwd() });
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

import type { Command } from 'commander';
import { addScanOptions } from '../scan/scan-options.js';
import type { ScanOptions } from '../scan/scan-options.js';
import { startScanWorkersFor } from '../scan/scan-workers.js';
import { tuneCompilerForShortRun } from '../short-run-compiler.js';

export function registerScanManifests(scan: Command, env: { version: string; setExitCode(code: number): void }): void {
  const command = scan
    .command('manifests')
    .description('scan Kubernetes manifests: files, directories (recursive, Kustomize), or - for stdin')
    .argument('<paths...>', 'files or directories to scan; - reads stdin (e.g. helm template ... | aspis scan manifests -)');
  addScanOptions(command).action(async (paths: string[], options: ScanOptions) => {
    env.setExitCode(await scanManifests(paths, options, env.version));
  });
}

async function scanManifests(paths: string[], options: ScanOptions, version: string): Promise<number> {
  const cwd = process.cwd();
  const setup = { options, inputs: paths, version, cwd };
  // Before any worker starts and any scanning code is optimized.
  tuneCompilerForShortRun();
  // Workers first: they load the check library while this thread loads it too (imported below, not above).
  const started = startScanWorkersFor(setup);
  const [{ startScan }, { finishScan }, { scanManifestsInParallel }] = await Promise.all([
    import('../scan/start-scan.js'),
    import('../scan/finish-scan.js'),
    import('../scan/scan-manifests-in-parallel.js'),
  ]);
  try {
    const { session, checks } = await startScan(options, { inputs: paths, version, cwd });
    // One document at a time, on every core: its text and objects are released once scanned.
    await scanManifestsInParallel(session, setup, { stdin: process.stdin }, started);
    return await finishScan(session, checks, options);
  } finally {
    await Promise.all(started.workers.map((worker) => worker.terminate()));
  }
}

import type { Command } from 'commander';
import { addScanOptions } from '../scan/scan-options.js';
import type { ScanOptions } from '../scan/scan-options.js';
import { startScan } from '../scan/start-scan.js';
import { finishScan } from '../scan/finish-scan.js';
import { scanManifestsInParallel } from '../scan/scan-manifests-in-parallel.js';

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
  const { session, checks } = startScan(options, { inputs: paths, version, cwd });
  // One document at a time, on every core: its text and objects are released once scanned.
  await scanManifestsInParallel(session, { options, inputs: paths, version, cwd }, { stdin: process.stdin });
  return finishScan(session, checks, options);
}

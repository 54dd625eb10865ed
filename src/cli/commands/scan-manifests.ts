import type { Command } from 'commander';
import { manifestBatches } from '../../sources/manifests/load-manifests.js';
import { addScanOptions } from '../scan/scan-options.js';
import type { ScanOptions } from '../scan/scan-options.js';
import { startScan } from '../scan/start-scan.js';
import { finishScan } from '../scan/finish-scan.js';

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
  // One file (or stdin, or Kustomize build) at a time: its text and objects are released once scanned.
  for await (const batch of manifestBatches(paths, { stdin: process.stdin, cwd })) {
    session.addErrors(batch.errors);
    session.add(batch.resources);
  }
  return finishScan(session, checks, options);
}

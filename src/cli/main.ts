import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { registerScanManifests } from './commands/scan-manifests.js';
import { registerScanCluster } from './commands/scan-cluster.js';
import { registerRbac } from './commands/rbac.js';
import { registerInventory } from './commands/inventory.js';
import { registerWebhook } from './commands/webhook.js';
import { registerPolicySimulate } from './commands/policy-simulate.js';
import { registerPolicyTest } from './commands/policy-test.js';
import { registerNetpol } from './commands/netpol.js';
import { registerDb } from './commands/db.js';
import { EXIT } from './exit-codes.js';

export function packageVersion(): string {
  // src/cli and dist/cli are both two levels below the package root.
  const url = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

/** The whole command tree. Also read by tools/generate-cli-docs.ts to write docs/cli.md. */
export function createProgram(version: string, setExitCode: (code: number) => void): Command {
  const program = new Command('aspis')
    .description('Kubernetes security: images, manifests, clusters, admission, runtime and segmentation in one tool')
    .version(version)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  const scan = program.command('scan').description('scan objects for security findings');
  registerScanManifests(scan, { version, setExitCode });
  registerScanCluster(scan, { version, setExitCode });
  registerRbac(program, { setExitCode });
  registerInventory(program, { version, setExitCode });
  registerWebhook(program, { version, setExitCode });
  registerPolicySimulate(program, { setExitCode });
  registerPolicyTest(program, { setExitCode });
  registerNetpol(program, { version, setExitCode });
  registerDb(program, { setExitCode });
  return program;
}

/** Runs the CLI and returns the exit code (see exit-codes.ts) instead of exiting, so tests can call it. */
export async function main(argv: string[]): Promise<number> {
  const exit = { code: EXIT.ok as number };
  const program = createProgram(packageVersion(), (code) => (exit.code = code));
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    process.stderr.write(`aspis: ${(error as Error).message}\n`);
    return EXIT.error;
  }
  return exit.code;
}

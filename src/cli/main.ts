import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { EXIT } from './exit-codes.js';
import { packageRoot } from './package-root.js';

export function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('package.json', packageRoot()), 'utf8')) as { version: string }).version;
}

interface Env {
  version: string;
  setExitCode(code: number): void;
}

/**
 * The top-level commands, each with the modules that register it. A run loads only the command it runs (a command
 * module pulls in its engines and libraries: loading all of them costs more than `scan manifests` on a small input);
 * help, an unknown command and the docs generator load them all. To add a command, add it here.
 */
const COMMANDS: readonly { name: string; register(program: Command, env: Env, sub?: string): Promise<void> }[] = [
  {
    name: 'scan',
    // `scan manifests` is the most run command, and image scanning's libraries (SBOM, archives…) take longer to load
    // than a small scan: each subcommand is loaded only when it runs (all of them for help).
    async register(program, env, sub) {
      const scan = program.command('scan').description('scan objects for security findings');
      const all = !['manifests', 'cluster', 'image', 'sbom'].includes(sub ?? '');
      if (all || sub === 'manifests') (await import('./commands/scan-manifests.js')).registerScanManifests(scan, env);
      if (all || sub === 'cluster') (await import('./commands/scan-cluster.js')).registerScanCluster(scan, env);
      if (all || sub === 'image' || sub === 'sbom') {
        const image = await import('./commands/scan-image.js');
        image.registerScanImage(scan, env);
        image.registerScanSbom(scan, env);
      }
    },
  },
  { name: 'rbac', register: async (program, env) => (await import('./commands/rbac.js')).registerRbac(program, env) },
  { name: 'inventory', register: async (program, env) => (await import('./commands/inventory.js')).registerInventory(program, env) },
  { name: 'webhook', register: async (program, env) => (await import('./commands/webhook.js')).registerWebhook(program, env) },
  {
    name: 'policy',
    async register(program, env) {
      const [simulate, test] = await Promise.all([import('./commands/policy-simulate.js'), import('./commands/policy-test.js')]);
      simulate.registerPolicySimulate(program, env);
      test.registerPolicyTest(program, env);
    },
  },
  { name: 'netpol', register: async (program, env) => (await import('./commands/netpol.js')).registerNetpol(program, env) },
  { name: 'db', register: async (program, env) => (await import('./commands/db.js')).registerDb(program, env) },
  { name: 'sbom', register: async (program, env) => (await import('./commands/sbom.js')).registerSbom(program, env) },
];

/**
 * The command tree: only `only` when it names a top-level command (and only its subcommand `sub` where a command
 * loads them one by one), else every command (help, docs/cli.md through tools/generate-cli-docs.ts).
 */
export async function createProgram(version: string, setExitCode: (code: number) => void, only?: string, sub?: string): Promise<Command> {
  const program = createBareProgram(version);
  const env = { version, setExitCode };
  const chosen = COMMANDS.filter((command) => command.name === only);
  for (const command of chosen.length > 0 ? chosen : COMMANDS) await command.register(program, env, chosen.length > 0 ? sub : undefined);
  return program;
}

/** The program without its commands. */
function createBareProgram(version: string): Command {
  return new Command('aspis')
    .description('Kubernetes security: images, manifests, clusters, admission, runtime and segmentation in one tool')
    .version(version)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
}

/** Runs the CLI and returns the exit code (see exit-codes.ts) instead of exiting, so tests can call it. */
export async function main(argv: string[]): Promise<number> {
  const exit = { code: EXIT.ok as number };
  const args = argv.slice(2);
  const [first, second] = args.filter((arg) => !arg.startsWith('-'));
  // `aspis --version` needs no command: loading them all would take it from ~0.1 s to ~0.5 s.
  const versionOnly = first === undefined && args.some((arg) => arg === '-V' || arg === '--version') && !args.some((arg) => arg === '-h' || arg === '--help');
  const version = packageVersion();
  const program = versionOnly ? createBareProgram(version) : await createProgram(version, (code) => (exit.code = code), first, second);
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

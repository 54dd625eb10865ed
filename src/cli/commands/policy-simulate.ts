/**
 * `aspis policy simulate --profile restricted --history reviews.jsonl`: what a policy set would have denied or
 * warned over the reviews the webhook recorded, per policy, with examples. Wiring and flags only; the replay is
 * src/server/webhook/policy-simulation.ts.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { formatErrorSource } from '../../outputs/text.js';
import { loadAdmissionPolicy } from '../../server/webhook/load-admission-policy.js';
import { PolicySimulation } from '../../server/webhook/policy-simulation.js';
import type { PolicyTally, SimulationResult } from '../../server/webhook/policy-simulation.js';
import type { LevelVersion } from '../../server/webhook/namespace-profile.js';
import { LEVELS, parseLevel, parseProfileVersion } from '../../server/webhook/namespace-profile.js';
import { EXIT } from '../exit-codes.js';

interface SimulateOptions {
  history: string;
  profile?: string;
  policies?: string;
  warnProfile?: string;
  checks?: string[];
  warnChecks?: string[];
  config?: string;
  webhookConfig?: string;
  output: 'text' | 'json';
}

function list(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

/** `restricted`, `baseline:v1.30`, `restricted:latest`. */
function parseProfileOption(text: string, flag: string): LevelVersion {
  const [levelText, versionText = 'latest'] = text.split(':');
  const level = parseLevel(levelText ?? '');
  if (!level) throw new Error(`${flag} "${text}": the level must be one of ${LEVELS.join(', ')}`);
  const version = parseProfileVersion(versionText);
  if (!version) throw new Error(`${flag} "${text}": the version must be "latest" or v1.N`);
  return { level, version, versionText };
}

/** The `policy` command group, shared with other policy subcommands whichever registers first. */
function policyCommand(program: Command): Command {
  return program.commands.find((c) => c.name() === 'policy') ?? program.command('policy').description('admission policies: test and simulate');
}

export function registerPolicySimulate(program: Command, env: { setExitCode(code: number): void }): void {
  policyCommand(program)
    .command('simulate')
    .description('replay recorded admission reviews (aspis webhook history) through a policy set: what it would deny or warn, per policy')
    .requiredOption('--history <file>', 'JSON Lines history written by aspis webhook serve (--history / history.file)')
    .option('--profile <level[:version]>', 'Pod Security level enforced in every namespace: restricted, baseline:v1.30…')
    .option('--policies <dir>', 'ValidatingAdmissionPolicies and bindings (YAML/JSON files): Deny bindings count as denials, Warn as warnings')
    .option('--warn-profile <level[:version]>', 'Pod Security level warned in every namespace')
    .option('--checks <ids>', 'library checks to enforce, comma-separated, or * for every check .aspis.yaml selects', list)
    .option('--warn-checks <ids>', 'library checks to warn, comma-separated, or *', list)
    .option('-c, --config <file>', '.aspis.yaml whose exceptions (waivers) and settings apply (default: ./.aspis.yaml when present)')
    .option('--webhook-config <file>', 'webhook configuration whose exemptions apply (its defaults are replaced by the options above)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (options: SimulateOptions) => env.setExitCode(await simulate(options)));
}

async function simulate(options: SimulateOptions): Promise<number> {
  if (!options.profile && !options.policies && !options.warnProfile && !options.checks && !options.warnChecks) {
    throw new Error('give a policy set to simulate: --profile, --policies, --warn-profile, --checks or --warn-checks');
  }
  const enforce = options.profile ? parseProfileOption(options.profile, '--profile') : undefined;
  const warn = options.warnProfile ? parseProfileOption(options.warnProfile, '--warn-profile') : undefined;
  const selection = (ids: string[] | undefined) => (ids === undefined ? [] : ids.includes('*') ? ('*' as const) : ids);
  const { policy, errors } = loadAdmissionPolicy({
    cwd: process.cwd(),
    ...(options.config !== undefined ? { config: options.config } : {}),
    ...(options.webhookConfig !== undefined ? { webhookConfig: options.webhookConfig } : {}),
    ...(options.policies !== undefined ? { policies: options.policies } : {}),
    override: (config) => {
      const privileged = { level: 'privileged' as const, version: config.defaults.enforce.version, versionText: 'latest' };
      config.defaults = { enforce: enforce ?? privileged, warn: warn ?? privileged, audit: privileged };
      config.checks = { enforce: selection(options.checks), warn: selection(options.warnChecks), audit: [] };
      // Image gating is not simulated: past reviews would be judged by today's scan results.
      delete config.images;
    },
  });
  if (errors.length > 0) {
    printErrors(errors);
    return EXIT.error;
  }
  if (!existsSync(options.history) || !statSync(options.history).isFile()) throw new Error(`--history ${options.history}: no such file`);
  const simulation = new PolicySimulation(policy, options.history);
  const lines = createInterface({ input: createReadStream(options.history, 'utf8'), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) simulation.addLine(text, ++line);
  const result = simulation.finish();
  process.stdout.write(options.output === 'json' ? `${JSON.stringify(result, null, 2)}\n` : renderText(result));
  if (result.errors.length > 0) {
    if (options.output === 'json') printErrors(result.errors);
    return EXIT.error;
  }
  return EXIT.ok;
}

function printErrors(errors: SimulationResult['errors']): void {
  for (const error of errors) process.stderr.write(`aspis: ${formatErrorSource(error)}${error.field ? ` ${error.field}` : ''}: ${error.message}\n`);
}

function renderTallies(title: string, tallies: PolicyTally[]): string {
  if (tallies.length === 0) return `${title}: none\n`;
  let out = `${title}:\n`;
  for (const t of tallies) {
    out += `  ${t.policy} (${t.source}): ${t.reviews} review(s), ${t.objects} object(s), ${t.newlyAffected} admitted when recorded\n`;
    for (const e of t.examples) {
      out += `    e.g. ${e.time} ${e.user} ${e.resource} ${e.path}: ${e.message}${e.wasAllowed ? '' : ' (was denied)'}\n`;
    }
  }
  return out;
}

function renderText(result: SimulationResult): string {
  let out = `${result.history}: ${result.reviewsRead} review(s) read, ${result.replayed} replayed`;
  const { withoutObject, exempt } = result.skipped;
  if (withoutObject + exempt > 0) out += ` (${withoutObject} recorded without the object, ${exempt} exempt)`;
  out += '\n';
  out += `would deny ${result.summary.deny.reviews} review(s) (${result.summary.deny.newlyAffected} admitted when recorded); would warn on ${result.summary.warn.reviews}\n`;
  out += renderTallies('would deny', result.deny);
  out += renderTallies('would warn', result.warn);
  for (const error of result.errors) out += `error: ${formatErrorSource(error)}${error.field ? ` ${error.field}` : ''}: ${error.message}\n`;
  return out;
}

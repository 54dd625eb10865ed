/**
 * The `aspis netpol` command group: NetworkPolicy analysis on manifests (-f) or a live cluster.
 *
 * Each subcommand lives in its own file `netpol-<name>.ts` exporting `register(netpol: Command, env: NetpolEnv)`, and
 * is registered by one line in NETPOL_SUBCOMMANDS below (in the order of `aspis netpol --help`). Shared pieces for
 * subcommands: netpol-input.ts (-f/--kubeconfig/--context → NetworkModel + input errors), netpol-run.ts (exit codes,
 * printing input errors).
 */
import type { Command } from 'commander';
import { registerNetpolReach } from './netpol-reach.js';
import { registerNetpolExplain } from './netpol-explain.js';
import { registerNetpolDiff } from './netpol-diff.js';
import { registerNetpolGenerate } from './netpol-generate.js';
import { registerNetpolReplay } from './netpol-replay.js';
import { registerNetpolHarden } from './netpol-harden.js';

export interface NetpolEnv {
  version: string;
  setExitCode(code: number): void;
}

export type NetpolSubcommand = (netpol: Command, env: NetpolEnv) => void;

/** One entry per subcommand file. */
const NETPOL_SUBCOMMANDS: readonly NetpolSubcommand[] = [registerNetpolReach, registerNetpolExplain, registerNetpolDiff, registerNetpolGenerate, registerNetpolReplay, registerNetpolHarden];

export function registerNetpol(program: Command, env: NetpolEnv): void {
  const netpol = program
    .command('netpol')
    .description('NetworkPolicy analysis with Kubernetes\' exact semantics, on manifests (-f) or a live cluster');
  for (const register of NETPOL_SUBCOMMANDS) register(netpol, env);
}

/**
 * `aspis netpol generate --flows FILES [-f manifests | --kubeconfig …]`: least-privilege NetworkPolicies (or
 * CiliumNetworkPolicies) from observed flows, proven by replaying every observed flow against them; exits 1 when any
 * observed flow would be denied.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { generatePolicies } from '../../network/generate/generate-policies.js';
import { PlanError } from '../../network/generate/policy-plan.js';
import { renderNetpolReplayText } from '../../outputs/netpol-replay-text.js';
import { printable } from '../../outputs/text.js';
import { replayReport } from './netpol-flow-report.js';
import { EXIT } from '../exit-codes.js';
import type { NetpolEnv } from './netpol.js';
import type { FlowOptions } from './netpol-flows.js';
import { addFlowOptions, flowHints, flowModel, observeFlows } from './netpol-flows.js';
import type { NetpolInputOptions } from './netpol-input.js';
import { addNetpolInputOptions, loadNetpolInput } from './netpol-input.js';
import { finishNetpol, NetpolUsageError, runNetpol } from './netpol-run.js';

interface GenerateCommandOptions extends NetpolInputOptions, FlowOptions {
  namespace?: string[];
  dns: boolean;
  cilium?: boolean;
  outputDir?: string;
  externalPrefixV4: string;
  externalPrefixV6: string;
  withExisting?: boolean;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function prefixLength(value: string, max: number, flag: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || n > max) throw new NetpolUsageError(`${flag} must be a prefix length from 0 to ${max}, got "${value}"`);
  return n;
}

export function registerNetpolGenerate(netpol: Command, env: NetpolEnv): void {
  const command = netpol
    .command('generate')
    .description(
      'least-privilege policies from observed flows: per namespace a default deny, per workload one policy allowing exactly what was observed, with comments naming the flows; every observed flow is replayed against them and the command exits 1 if any would be denied',
    );
  addFlowOptions(addNetpolInputOptions(command, 'the inventory (workloads, pods, Services)'))
    .option('-n, --namespace <namespace>', 'generate for this namespace (repeatable; default: every namespace with observed traffic except kube-system, kube-public, kube-node-lease)', collect)
    .option('--no-dns', 'do not allow egress to the cluster DNS (kube-system pods labelled k8s-app=kube-dns, UDP and TCP 53)')
    .option('--cilium', 'write CiliumNetworkPolicies (cilium.io/v2) instead of NetworkPolicies; the replay proves the same plan as NetworkPolicies')
    .option('--output-dir <dir>', 'write one file per policy, DIR/NAMESPACE/NAME.yaml, instead of one YAML stream on stdout')
    .addOption(new Option('--external-prefix-v4 <bits>', 'aggregate external IPv4 peers to blocks of this prefix length (narrowed where a block would hold a pod address)').default('32'))
    .addOption(new Option('--external-prefix-v6 <bits>', 'aggregate external IPv6 peers to blocks of this prefix length (narrowed where a block would hold a pod address)').default('128'))
    .option('--with-existing', 'replay with the inventory\'s existing NetworkPolicies as well (what applying the output gives)')
    .action((options: GenerateCommandOptions) =>
      runNetpol(env, async () => {
        const externalPrefix = { v4: prefixLength(options.externalPrefixV4, 32, '--external-prefix-v4'), v6: prefixLength(options.externalPrefixV6, 128, '--external-prefix-v6') };
        if (options.filename?.includes('-') && options.flows.includes('-')) throw new NetpolUsageError('standard input (-) can feed either -f or --flows, not both');
        const input = await loadNetpolInput(options);
        const model = flowModel(input.objects, input.source, options.defaultNamespace ?? 'default');
        const { observation, errors } = await observeFlows(model, options);
        const problems = [...input.errors, ...errors];
        if (observation.edges.length === 0) {
          problems.push({ source: options.flows.join(', '), message: 'no flow could be attributed to a workload: nothing to generate (see the unattributed flows above)' });
        }
        let result;
        try {
          result = generatePolicies(observation, model, input.objects, {
            ...(options.namespace ? { namespaces: options.namespace } : {}),
            dns: options.dns,
            externalPrefix,
            dialect: options.cilium ? 'cilium' : 'networkpolicy',
            withExisting: options.withExisting ?? false,
          });
        } catch (error) {
          if (error instanceof PlanError) throw new NetpolUsageError(error.message);
          throw error;
        }
        if (options.outputDir !== undefined) {
          for (const policy of result.output) {
            const dir = join(options.outputDir, policy.namespace);
            mkdirSync(dir, { recursive: true });
            writeFileSync(join(dir, `${policy.name}.yaml`), policy.yaml);
          }
        } else if (result.output.length > 0) {
          process.stdout.write(result.output.map((policy) => policy.yaml).join('---\n'));
        }
        const report = replayReport(observation, result.replay, { proposed: result.networkPolicies.length, existing: options.withExisting ? model.policies.length : 0 });
        const notes: string[] = [];
        if (options.outputDir !== undefined) notes.push(`Wrote ${result.output.length} policies to ${options.outputDir}/NAMESPACE/NAME.yaml.`);
        for (const ns of result.plan.skippedNamespaces) notes.push(`Namespace ${ns} has workloads but no observed flow: no policy generated for it (name it with -n to isolate it anyway).`);
        for (const problem of result.plan.problems) notes.push(`Warning: ${problem}.`);
        notes.push(...flowHints(input.source, observation));
        process.stderr.write(`${notes.map((n) => `${printable(n)}\n`).join('')}${renderNetpolReplayText(report)}`);
        if (result.replay.deniedFlows > 0) process.stderr.write('aspis: the generated policies would deny observed flows (above): not safe to apply as is\n');
        return finishNetpol(problems, result.replay.deniedFlows > 0 ? EXIT.findings : EXIT.ok);
      }),
    );
}

/** `aspis netpol reach`: the connectivity matrix between workloads, as table, JSON, Graphviz dot or HTML. */
import type { Command } from 'commander';
import { Option } from 'commander';
import { Reachability, formatPolicyRef, reachMatrix } from '../../network/index.js';
import { renderNetpolReachDot } from '../../outputs/netpol-reach-dot.js';
import { renderNetpolReachHtml } from '../../outputs/netpol-reach-html.js';
import { renderNetpolReachTable } from '../../outputs/netpol-reach-table.js';
import { EXIT } from '../exit-codes.js';
import type { NetpolEnv } from './netpol.js';
import type { NetpolInputOptions } from './netpol-input.js';
import { addNetpolInputOptions, loadNetpolInput } from './netpol-input.js';
import { reachReport } from './netpol-reports.js';
import { finishNetpol, NetpolUsageError, runNetpol } from './netpol-run.js';

const FORMATS = ['table', 'json', 'dot', 'html'] as const;
type Format = (typeof FORMATS)[number];

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function registerNetpolReach(netpol: Command, env: NetpolEnv): void {
  const command = netpol
    .command('reach')
    .description('which workloads may connect to which, on which ports, under the NetworkPolicies (pods grouped by owner), and with addresses outside the cluster');
  addNetpolInputOptions(command)
    .option('-n, --namespace <namespace>', 'show only workloads of this namespace and their connections (repeatable; all are analysed)', collect)
    .addOption(new Option('-o, --output <format>', 'output format').choices(FORMATS).default('table'))
    .action((options: NetpolInputOptions & { namespace?: string[]; output: Format }) =>
      runNetpol(env, async () => {
        const input = await loadNetpolInput(options);
        const { model } = input;
        if (model.groups.length === 0) {
          input.errors.push({ source: input.source === 'manifests' ? options.filename!.join(', ') : 'cluster', message: 'the input holds no workload (no Pod, Deployment, StatefulSet, DaemonSet, Job, CronJob…)' });
        }
        const wanted = options.namespace ? new Set(options.namespace) : undefined;
        if (wanted) {
          const missing = [...wanted].filter((ns) => !model.groups.some((g) => g.namespace === ns));
          if (missing.length > 0) throw new NetpolUsageError(`--namespace ${missing.join(', ')}: no workload of the input is in ${missing.length > 1 ? 'these namespaces' : 'this namespace'}`);
        }
        const engine = new Reachability(model);
        const matrix = reachMatrix(model, engine);
        const policiesOf = (group: number) => ({
          ingress: engine.isolating(group, 'ingress').map(formatPolicyRef),
          egress: engine.isolating(group, 'egress').map(formatPolicyRef),
        });
        const report = reachReport(matrix, policiesOf, input.source, wanted ? (group) => wanted.has(matrix.groups[group]!.namespace) : undefined);
        const text =
          options.output === 'json'
            ? `${JSON.stringify(report, null, 2)}\n`
            : options.output === 'dot'
              ? renderNetpolReachDot(report)
              : options.output === 'html'
                ? renderNetpolReachHtml(report)
                : renderNetpolReachTable(report);
        process.stdout.write(text);
        return finishNetpol(input.errors, EXIT.ok);
      }),
    );
}

/**
 * `aspis netpol replay --policies DIR --flows FILES [-f manifests | --kubeconfig …]`: for every recorded flow,
 * whether the proposed NetworkPolicies (plus the existing ones with --with-existing) would allow it; "N flows would
 * break" grouped by edge. Exits 1 when any flow would break.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { InputError } from '../../core/model/report.js';
import type { KubeObject } from '../../core/model/resource.js';
import { isNetworkPolicy } from '../../network/index.js';
import { FlowAttributor } from '../../network/flows/flow-attribution.js';
import { FlowAggregator } from '../../network/flows/flow-aggregator.js';
import { replayEdges } from '../../network/flows/replay.js';
import { renderNetpolReplayText } from '../../outputs/netpol-replay-text.js';
import { replayReport } from './netpol-flow-report.js';
import { edgeKey, formatEnd } from '../../network/flows/workload-edge.js';
import { readFlowFiles } from '../../sources/flows/read-flow-files.js';
import { manifestBatches } from '../../sources/manifests/load-manifests.js';
import { EXIT } from '../exit-codes.js';
import type { NetpolEnv } from './netpol.js';
import type { FlowOptions } from './netpol-flows.js';
import { addFlowOptions, flowHints, flowModel, observeFlows } from './netpol-flows.js';
import type { NetpolInputOptions } from './netpol-input.js';
import { addNetpolInputOptions, describeObject, loadNetpolInput } from './netpol-input.js';
import { finishNetpol, NetpolUsageError, runNetpol } from './netpol-run.js';

const FORMATS = ['table', 'json', 'flows'] as const;
type Format = (typeof FORMATS)[number];

interface ReplayCommandOptions extends NetpolInputOptions, FlowOptions {
  policies: string[];
  withExisting?: boolean;
  output: Format;
}

/** The NetworkPolicies of --policies; other objects there are errors (left out). */
async function loadPolicies(paths: string[], errors: InputError[]): Promise<KubeObject[]> {
  const policies: KubeObject[] = [];
  for await (const batch of manifestBatches(paths, { stdin: process.stdin, cwd: process.cwd() })) {
    errors.push(...batch.errors);
    for (const resource of batch.resources) {
      if (isNetworkPolicy(resource.object)) policies.push(resource.object);
      else {
        const where = resource.origin.type === 'file' ? resource.origin.file : describeObject(resource.object);
        errors.push({ source: where, message: `${describeObject(resource.object)}: not a NetworkPolicy (networking.k8s.io/v1): replay evaluates Kubernetes NetworkPolicies only; left out` });
      }
    }
  }
  if (policies.length === 0) errors.push({ source: paths.join(', '), message: 'no NetworkPolicy in --policies: nothing to replay against' });
  return policies;
}

export function registerNetpolReplay(netpol: Command, env: NetpolEnv): void {
  const command = netpol
    .command('replay')
    .description('whether proposed NetworkPolicies would allow every recorded flow: "N flows would break", grouped by edge; exits 1 if any would');
  addFlowOptions(addNetpolInputOptions(command, 'the inventory (workloads, pods, Services)'))
    .requiredOption('--policies <paths...>', 'the proposed NetworkPolicies: files or directories (recursive), Kustomize, - for stdin')
    .option('--with-existing', 'evaluate the inventory\'s existing NetworkPolicies as well (by default only the proposed ones)')
    .addOption(new Option('-o, --output <format>', 'table, json, or flows (one JSON line per recorded flow with file:line and verdict)').choices(FORMATS).default('table'))
    .action((options: ReplayCommandOptions) =>
      runNetpol(env, async () => {
        const stdinUsers = [options.filename?.includes('-'), options.flows.includes('-'), options.policies.includes('-')].filter(Boolean).length;
        if (stdinUsers > 1) throw new NetpolUsageError('standard input (-) can feed only one of -f, --flows and --policies');
        if (options.output === 'flows' && options.flows.includes('-')) throw new NetpolUsageError('-o flows reads the flow files twice: give files, not standard input');
        const input = await loadNetpolInput(options);
        const errors: InputError[] = [...input.errors];
        const proposed = await loadPolicies(options.policies, errors);
        const inventory = options.withExisting ? input.objects : input.objects.filter((object) => !isNetworkPolicy(object));
        const existing = options.withExisting ? input.objects.filter(isNetworkPolicy).length : 0;
        const defaultNamespace = options.defaultNamespace ?? 'default';
        const model = flowModel([...inventory, ...proposed], input.source, defaultNamespace);
        // Invalid proposed policies are left out of the model: say so (the inventory's are in input.errors already).
        for (const issue of model.issues) {
          if (!proposed.includes(issue.object)) continue;
          errors.push({ source: describeObject(issue.object), field: issue.field, message: `${issue.message} (the API server would reject it: left out)` });
        }
        const { observation, errors: flowErrors } = await observeFlows(model, options);
        errors.push(...flowErrors);
        const replay = replayEdges(observation.edges, observation.workloads, model.lookup);
        const report = replayReport(observation, replay, { proposed: proposed.length, existing });
        if (options.output === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else if (options.output === 'table') process.stdout.write(renderNetpolReplayText(report));
        else {
          // Second pass: each flow, attributed again in file order, gets its edge's verdict.
          const verdicts = new Map(replay.verdicts.map((v) => [edgeKey(v.edge), v.allowed]));
          const aggregator = new FlowAggregator(new FlowAttributor(model, options.clusterCidr && options.clusterCidr.length > 0 ? { clusterNetworks: options.clusterCidr } : {}), {
            onFlow: (at, record, edges) => {
              const verdict = edges === undefined ? 'unattributed' : edges.length === 0 ? 'not-pod-traffic' : edges.every((e) => verdicts.get(edgeKey(e)) === true) ? 'allowed' : 'denied';
              const line = {
                file: at.file,
                line: at.line,
                ...(record.time !== undefined ? { time: new Date(record.time).toISOString() } : {}),
                source: edges?.[0] ? formatEnd(edges[0].from) : undefined,
                destination: edges && edges.length > 0 ? edges.map((e) => formatEnd(e.to)).join(', ') : undefined,
                protocol: record.protocol,
                port: edges?.[0]?.port ?? record.port,
                count: record.count,
                verdict,
              };
              process.stdout.write(`${JSON.stringify(line)}\n`);
            },
          });
          await readFlowFiles(options.flows, aggregator, { format: options.flowFormat });
        }
        for (const hint of flowHints(input.source, observation)) process.stderr.write(`${hint}\n`);
        if (options.output !== 'table' && replay.deniedFlows > 0) process.stderr.write(`aspis: ${replay.deniedFlows} flows would break (${replay.deniedEdges} edges)\n`);
        return finishNetpol(errors, replay.deniedFlows > 0 ? EXIT.findings : EXIT.ok);
      }),
    );
}

/**
 * `aspis netpol harden --images REPORTS [--flows FILES] [-f manifests | --kubeconfig …]`: stricter NetworkPolicies for
 * the workloads running images with vulnerabilities no version fixes (src/network/harden), proven by the semantic
 * diff of the connectivity before and after and, with flows, by replaying every observed flow. Exits 1 when an
 * observed flow allowed today would be denied, or a workload could not be hardened; 2 on bad input.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { parseImageReference } from '../../checks/workload/image-reference.js';
import { SEVERITIES } from '../../core/model/severity.js';
import type { Severity } from '../../core/model/severity.js';
import type { InputError } from '../../core/model/report.js';
import { parseCidr, resolveEndpoint } from '../../network/index.js';
import { DEFAULT_CLUSTER_NETWORKS } from '../../network/flows/flow-attribution.js';
import type { ParseImageName } from '../../network/harden/image-match.js';
import { hardenWorkloads, selectTargets } from '../../network/harden/harden-workloads.js';
import { renderNetpolHardenText } from '../../outputs/netpol-harden-text.js';
import { printable } from '../../outputs/text.js';
import { FLOW_FORMATS } from '../../sources/flows/read-flow-files.js';
import type { FlowFormat } from '../../sources/flows/read-flow-files.js';
import { readImageScanReports } from '../../sources/scan-reports/image-scan-reports.js';
import { EXIT } from '../exit-codes.js';
import type { NetpolEnv } from './netpol.js';
import { flowHints, flowModel, observeFlows } from './netpol-flows.js';
import { hardenReport } from './netpol-harden-report.js';
import type { NetpolInputOptions } from './netpol-input.js';
import { addNetpolInputOptions, loadNetpolInput } from './netpol-input.js';
import { finishNetpol, NetpolUsageError, runNetpol } from './netpol-run.js';

interface HardenCommandOptions extends NetpolInputOptions {
  images: string[];
  flows?: string[];
  flowFormat: FlowFormat;
  clusterCidr?: string[];
  severity: Severity;
  namespace?: string[];
  workload?: string[];
  allowEgress?: string[];
  closeInternetIngress?: boolean;
  dns: boolean;
  outputDir?: string;
  report?: string;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const parseImageName: ParseImageName = (text) => {
  const ref = parseImageReference(text);
  return ref ? { repository: ref.repository, ...(ref.tag !== undefined ? { tag: ref.tag } : {}), ...(ref.digest !== undefined ? { digest: ref.digest } : {}) } : undefined;
};

export function registerNetpolHarden(netpol: Command, env: NetpolEnv): void {
  const command = netpol
    .command('harden')
    .description(
      'stricter policies for workloads running images with vulnerabilities no version fixes: ingress only from observed (or, without flows, in-cluster allowed) sources, no egress outside the cluster; proven by the diff before/after and by replaying the flows; exits 1 if an observed flow would break',
    );
  addNetpolInputOptions(command, 'the inventory (workloads, pods, Services, NetworkPolicies)')
    .requiredOption('--images <reports...>', 'image scan reports: aspis scan image IMAGE -o json (one report, an array of them, or {images: [...]})')
    .option('--flows <files...>', 'observed flows (Hubble JSON, Aspis flow JSON Lines, conntrack text; .gz read): ingress and egress only as observed')
    .addOption(new Option('--flow-format <format>', 'format of the flow files (auto: told apart by their first line)').choices(FLOW_FORMATS).default('auto'))
    .option('--cluster-cidr <cidr>', `pod or Service network of the cluster, for flows (repeatable; default: ${DEFAULT_CLUSTER_NETWORKS.join(', ')})`, collect)
    .addOption(new Option('--severity <severity>', 'harden for vulnerabilities at or above this severity that have no fixed version').choices([...SEVERITIES]).default('critical'))
    .option('-n, --namespace <namespace>', 'harden only workloads of this namespace (repeatable)', collect)
    .option('--workload <name>', 'harden only this workload: Kind/namespace/name, namespace/name or name (repeatable)', collect)
    .option('--allow-egress <cidr>', 'a block outside the cluster hardened workloads may still reach, e.g. a database or a NodeLocal DNS address (repeatable)', collect)
    .option('--close-internet-ingress', 'also close ingress from outside the cluster to internet-facing workloads (LoadBalancer, NodePort, Ingress backends)')
    .option('--no-dns', 'do not keep egress to the cluster DNS (with flows)')
    .option('--output-dir <dir>', 'write one file per policy, DIR/NAMESPACE/NAME.yaml, instead of one YAML stream on stdout')
    .option('--report <file>', 'write the report as JSON to this file (- for stdout when the policies go to --output-dir)')
    .action((options: HardenCommandOptions) =>
      runNetpol(env, async () => {
        const stdinUsers = [options.filename?.includes('-'), options.flows?.includes('-')].filter(Boolean).length;
        if (stdinUsers > 1) throw new NetpolUsageError('standard input (-) can feed either -f or --flows, not both');
        if (options.report === '-' && options.outputDir === undefined) throw new NetpolUsageError('--report - writes to stdout, where the policies go: give --output-dir too');
        for (const cidr of options.allowEgress ?? []) {
          const parsed = parseCidr(cidr);
          if (typeof parsed === 'string') throw new NetpolUsageError(`--allow-egress ${parsed}`);
        }
        const input = await loadNetpolInput(options);
        const defaultNamespace = options.defaultNamespace ?? 'default';
        const model = flowModel(input.objects, input.source, defaultNamespace);
        const errors: InputError[] = [...input.errors];
        const read = await readImageScanReports(options.images);
        errors.push(...read.errors);
        if (read.reports.length === 0) errors.push({ source: options.images.join(', '), message: 'no image scan report could be read: nothing to harden' });

        const selection = selectTargets(model, read.reports, parseImageName, options.severity);
        for (const report of selection.unmatched) {
          errors.push({ source: report.source, message: `no workload of the input runs the image ${report.name} (compared by digest, else by repository and tag): the report was not used` });
        }
        let targets = selection.targets;
        if (options.namespace) {
          const missing = options.namespace.filter((ns) => ![...selection.workloads.values()].some((w) => w.namespace === ns));
          if (missing.length > 0) throw new NetpolUsageError(`--namespace ${missing.join(', ')}: no workload of the input is in ${missing.length > 1 ? 'these namespaces' : 'this namespace'}`);
          targets = targets.filter((t) => options.namespace!.includes(t.workload.namespace));
        }
        if (options.workload) {
          const wanted = new Set<string>();
          for (const name of options.workload) {
            const resolved = resolveEndpoint(model, name);
            if (resolved.kind !== 'workload') throw new NetpolUsageError(`--workload ${name}: name a workload (Kind/namespace/name), not a Service or an address`);
            const id = `${resolved.groups[0]!.owner.namespace}/${resolved.groups[0]!.owner.kind}/${resolved.groups[0]!.owner.name}`;
            if (!targets.some((t) => t.workload.id === id)) {
              const images = selection.containers.filter((c) => c.workload === id).map((c) => c.image);
              throw new NetpolUsageError(`--workload ${name}: ${id} runs no image with ${options.severity} vulnerabilities without a fix in the reports given (its images: ${[...new Set(images)].join(', ') || 'none'})`);
            }
            wanted.add(id);
          }
          targets = targets.filter((t) => wanted.has(t.workload.id));
        }

        const observation = options.flows
          ? await observeFlows(model, { flows: options.flows, flowFormat: options.flowFormat, ...(options.clusterCidr ? { clusterCidr: options.clusterCidr } : {}) })
          : undefined;
        if (observation) errors.push(...observation.errors);
        const result =
          targets.length > 0
            ? hardenWorkloads(model, input.objects, targets, {
                severity: options.severity,
                ...(observation ? { observation: observation.observation } : {}),
                dns: options.dns,
                allowEgress: options.allowEgress ?? [],
                closeInternetIngress: options.closeInternetIngress ?? false,
                buildModel: (objects) => flowModel(objects, input.source, defaultNamespace),
              })
            : undefined;

        const output = result?.plan.output ?? [];
        if (options.outputDir !== undefined) {
          for (const policy of output) {
            const dir = join(options.outputDir, policy.namespace);
            mkdirSync(dir, { recursive: true });
            writeFileSync(join(dir, `${policy.name}.yaml`), policy.yaml);
          }
        } else if (output.length > 0) {
          process.stdout.write(output.map((policy) => policy.yaml).join('---\n'));
        }
        const report = hardenReport(read.reports, selection, result, { severity: options.severity, flows: observation !== undefined });
        if (options.report === '-') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else if (options.report !== undefined) writeFileSync(options.report, `${JSON.stringify(report, null, 2)}\n`);
        const notes: string[] = [];
        if (targets.length === 0 && read.reports.length > 0) {
          notes.push(`Nothing to harden: no workload${options.namespace || options.workload ? ' selected' : ''} runs an image with ${options.severity} (or worse) vulnerabilities that have no fix in the reports given.`);
        }
        if (options.outputDir !== undefined && output.length > 0) notes.push(`Wrote ${output.length} policies to ${options.outputDir}/NAMESPACE/NAME.yaml.`);
        if (observation) notes.push(...flowHints(input.source, observation.observation));
        process.stderr.write(`${notes.map((n) => `${printable(n)}\n`).join('')}${renderNetpolHardenText(report)}`);
        const broken = (result?.replay?.brokenFlows ?? 0) > 0;
        const unhardened = report.workloads.some((w) => w.policy === null || w.problems.length > 0);
        if (broken) process.stderr.write('aspis: the hardened policies would deny observed flows that are allowed today (above)\n');
        return finishNetpol(errors, broken || unhardened ? EXIT.findings : EXIT.ok);
      }),
    );
}

/**
 * `aspis netpol diff OLD NEW`: which connections a change opens or closes, compared on the connectivity matrices.
 *
 * OLD and NEW are manifests (a file, a directory, a Kustomize directory, or - for stdin), or OLD is the word
 * `cluster`: the live cluster (--kubeconfig, --context), and NEW then holds changes applied over it (objects of the same
 * kind, namespace and name replace the cluster's, others are added): "what would applying NEW change?".
 * `-f` adds objects common to both sides (say the workloads, when OLD and NEW hold only policies); an object of OLD or
 * NEW replaces a common one of the same kind, namespace and name.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { InputError } from '../../core/model/report.js';
import type { KubeObject, Resource } from '../../core/model/resource.js';
import { groupOf } from '../../core/model/resource.js';
import { diffReach, reachMatrix } from '../../network/index.js';
import { renderNetpolDiffText } from '../../outputs/netpol-diff-text.js';
import { EXIT } from '../exit-codes.js';
import type { NetpolEnv } from './netpol.js';
import type { NetpolInputOptions, NetpolObjects } from './netpol-input.js';
import { addNetpolInputOptions, netpolInputOf, readNetpolObjects } from './netpol-input.js';
import { diffReport } from './netpol-reports.js';
import { finishNetpol, NetpolUsageError, runNetpol } from './netpol-run.js';

function identity(object: KubeObject, defaultNamespace: string): string {
  const group = typeof object.apiVersion === 'string' ? groupOf(object.apiVersion) : '';
  const meta = object.metadata ?? {};
  const namespace = object.kind === 'Namespace' ? '' : typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : defaultNamespace;
  return JSON.stringify([group, object.kind, namespace, meta.name ?? meta.generateName]);
}

/** `base` with `overlay` applied: same identity replaced, the rest added. */
function overlay(base: NetpolObjects, top: NetpolObjects, defaultNamespace: string): NetpolObjects {
  const replaced = new Set([...top.resources.keys()].map((object) => identity(object, defaultNamespace)));
  const resources = new Map<KubeObject, Resource>();
  for (const [object, resource] of base.resources) if (!replaced.has(identity(object, defaultNamespace))) resources.set(object, resource);
  for (const [object, resource] of top.resources) resources.set(object, resource);
  const errors: InputError[] = [...base.errors, ...top.errors];
  return { resources, errors, source: base.source === 'cluster' ? 'cluster' : top.source };
}

const EMPTY: NetpolObjects = { resources: new Map(), errors: [], source: 'manifests' };

export function registerNetpolDiff(netpol: Command, env: NetpolEnv): void {
  const command = netpol
    .command('diff')
    .description('which connections a change opens or closes (semantic: compares what the policies allow, not their text); OLD may be `cluster`')
    .argument('<old>', 'manifests before the change (file, directory, Kustomize directory, -), or cluster')
    .argument('<new>', 'manifests after the change; over `cluster`, the objects to apply');
  addNetpolInputOptions(command, 'objects common to both sides')
    .option('--exit-code', 'exit 1 when the change opens or closes any connection (as git diff --exit-code)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((oldPath: string, newPath: string, options: NetpolInputOptions & { exitCode?: boolean; output: 'table' | 'json' }) =>
      runNetpol(env, async () => {
        const defaultNamespace = options.defaultNamespace ?? 'default';
        const fromCluster = oldPath === 'cluster';
        if (!fromCluster && (options.kubeconfig !== undefined || options.context !== undefined)) {
          throw new NetpolUsageError('--kubeconfig and --context apply when OLD is `cluster`');
        }
        if (fromCluster && options.filename) throw new NetpolUsageError('-f adds common objects to manifests; with OLD `cluster` the cluster is the common base');
        const common = options.filename ? await readNetpolObjects(options.filename, options) : EMPTY;
        const oldRead = fromCluster ? await readNetpolObjects(undefined, options) : overlay(common, await readNetpolObjects([oldPath], options), defaultNamespace);
        const newRead = overlay(fromCluster ? { ...oldRead, errors: [] } : common, await readNetpolObjects([newPath], options), defaultNamespace);
        const before = netpolInputOf(oldRead, options);
        const after = netpolInputOf(newRead, options);
        const diff = diffReach(reachMatrix(before.model), reachMatrix(after.model));
        const report = diffReport(diff, oldPath, newPath);
        process.stdout.write(options.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderNetpolDiffText(report));
        const changed = report.opened.length + report.closed.length + report.external.length + report.addedWorkloads.length + report.removedWorkloads.length > 0;
        // An invalid object of the common input is reported once, not once per side.
        const errors = [...new Set([...before.errors, ...after.errors].map((e) => JSON.stringify(e)))].map((e) => JSON.parse(e) as InputError);
        return finishNetpol(errors, options.exitCode && changed ? EXIT.findings : EXIT.ok);
      }),
    );
}

import type { Command } from 'commander';
import { Option } from 'commander';
import { stringify } from 'yaml';
import { canI } from '../../rbac/can-i.js';
import { formatRequest } from '../../rbac/authorization-request.js';
import { escalationPaths } from '../../rbac/escalation-paths.js';
import { parseServiceAccountUser } from '../../rbac/identity.js';
import type { SubjectRef } from '../../rbac/who-can.js';
import { formatSubjectRef, knownSubjects, whoCan } from '../../rbac/who-can.js';
import { EXIT } from '../exit-codes.js';
import { addRbacInputOptions, describeInputError, loadRbacInput } from './rbac-input.js';
import type { RbacInput, RbacInputOptions } from './rbac-input.js';
import { decisionJson, decisionLines, escalationLines, escalationsJson, whoCanJson, whoCanLines } from './rbac-output.js';
import { formatIdentity, parseRequest, parseSubject, UsageError } from './rbac-request.js';
import type { RequestOptions, SubjectOptions } from './rbac-request.js';
import { scannerRoleObjects } from './rbac-scanner-role.js';

type Output = 'table' | 'json';
interface CommonOptions extends RbacInputOptions {
  output?: Output;
}

interface Env {
  setExitCode(code: number): void;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function outputOption(): Option {
  return new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table');
}

function addRequestOptions(command: Command): Command {
  return command
    .argument('<verb>', 'verb: get, list, watch, create, update, patch, delete, deletecollection, impersonate, bind, escalate, approve, sign, * …')
    .argument('<resource>', 'resource as in RBAC rules: pods, deployments.apps, pods/exec, widgets.example.com (custom resources need .GROUP), or a non-resource URL such as /healthz')
    .argument('[name]', 'name of one object (rules with resourceNames grant only named requests)')
    .option('-n, --namespace <namespace>', 'namespace of the request (default: the kubeconfig context namespace, else default)')
    .option('-A, --all-namespaces', 'ask without a namespace: across all namespaces, or a cluster-scoped custom resource')
    .option('--subresource <subresource>', 'subresource (same as RESOURCE/SUBRESOURCE)');
}

function addSubjectOptions(command: Command): Command {
  return command
    .option('--as <user>', 'user to ask for: a name (alice) or a service account (system:serviceaccount:NAMESPACE:NAME)')
    .option('--as-group <group>', 'group the user belongs to (repeatable); with no --as, a member of the group', collect);
}

/** Prints the input's problems and returns the exit code for them (2) or `otherwise`. */
function finish(input: RbacInput, otherwise: number): number {
  for (const warning of input.warnings) process.stderr.write(`aspis: warning: ${warning}\n`);
  for (const error of input.errors) process.stderr.write(`aspis: ${describeInputError(error)}\n`);
  return input.errors.length > 0 ? EXIT.error : otherwise;
}

function print(lines: string[] | unknown, output: Output): void {
  if (output === 'json') process.stdout.write(`${JSON.stringify(lines, null, 2)}\n`);
  else process.stdout.write(`${(lines as string[]).join('\n')}\n`);
}

/** Runs a subcommand; usage errors exit 2 with the message. */
async function run(env: Env, body: () => Promise<number>): Promise<void> {
  try {
    env.setExitCode(await body());
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`aspis: ${error.message}\n`);
    env.setExitCode(EXIT.usage);
  }
}

function registerCanI(rbac: Command, env: Env, explain: boolean): void {
  const command = rbac
    .command(explain ? 'explain' : 'can-i')
    .description(
      explain
        ? 'say why a subject may or may not do something: every binding and rule that grants it, with file:line; exits 0 if allowed, 1 if denied'
        : 'whether a subject may do something, decided as the API server decides it; exits 0 if allowed, 1 if denied (like kubectl auth can-i)',
    );
  addSubjectOptions(addRequestOptions(command));
  addRbacInputOptions(command)
    .addOption(outputOption())
    .action((verb: string, resource: string, name: string | undefined, options: CommonOptions & RequestOptions & SubjectOptions) =>
      run(env, async () => {
        const input = await loadRbacInput(options);
        const request = parseRequest(verb, resource, name, options, input);
        const who = parseSubject(options, input.graph);
        const decision = canI(input.graph, who, request);
        const answer = decision.allowed ? EXIT.ok : EXIT.findings;
        if (options.output === 'json') print({ subject: who, request, ...decisionJson(decision, input) }, 'json');
        else if (!explain) print([decision.allowed ? 'yes' : 'no'], 'table');
        else {
          const lines = [`${decision.allowed ? 'yes' : 'no'}: ${formatIdentity(who)} ${decision.allowed ? 'may' : 'may not'} ${formatRequest(request)}`];
          lines.push(...decisionLines(decision, input));
          if (!decision.allowed && decision.errors.length === 0) lines.push('  no rule of a binding that applies to this subject allows it');
          print(lines, 'table');
        }
        return finish(input, answer);
      }),
    );
}

function registerWhoCan(rbac: Command, env: Env): void {
  const command = rbac.command('who-can').description('every user, group and service account the input names that may do something, with the bindings that grant it');
  addRequestOptions(command);
  addRbacInputOptions(command)
    .option('--explain', 'also show each granting rule with file:line')
    .addOption(outputOption())
    .action((verb: string, resource: string, name: string | undefined, options: CommonOptions & RequestOptions & { explain?: boolean }) =>
      run(env, async () => {
        const input = await loadRbacInput(options);
        const request = parseRequest(verb, resource, name, options, input);
        const entries = whoCan(input.graph, request);
        print(options.output === 'json' ? whoCanJson(request, entries, input) : whoCanLines(request, entries, input, options.explain ?? false), options.output ?? 'table');
        return finish(input, EXIT.ok);
      }),
    );
}

function parseFrom(value: string, input: RbacInput): SubjectRef {
  const subjects = knownSubjects(input.graph);
  const account = parseServiceAccountUser(value);
  const wanted = value.startsWith('Group/') || value.startsWith('User/') || value.startsWith('ServiceAccount/') ? value : account ? `ServiceAccount/${account.namespace}/${account.name}` : `User/${value}`;
  const found = subjects.find((s) => formatSubjectRef(s) === wanted);
  if (!found) throw new UsageError(`--from ${value}: ${wanted} is not a subject of the input (write User/NAME, Group/NAME, ServiceAccount/NAMESPACE/NAME or system:serviceaccount:NAMESPACE:NAME)`);
  return found;
}

function registerEscalations(rbac: Command, env: Env): void {
  const command = rbac
    .command('escalations')
    .description('escalation paths: which subjects can obtain other service accounts\' tokens, impersonate, or bind/escalate roles, step by step with the granting rules');
  addRbacInputOptions(command)
    .option('--from <subject>', 'only paths starting at this subject (repeatable): alice, User/alice, Group/devs, system:serviceaccount:ns:name', collect)
    .option('--include-system', "also paths starting at Kubernetes' own identities (system: users and groups, kube-system service accounts)")
    .addOption(outputOption())
    .action((options: CommonOptions & { from?: string[]; includeSystem?: boolean }) =>
      run(env, async () => {
        const input = await loadRbacInput(options);
        const from = options.from?.map((value) => parseFrom(value, input));
        const paths = escalationPaths(input.graph, { ...(from ? { from } : {}), skipSystemSources: !options.includeSystem && !from });
        print(options.output === 'json' ? escalationsJson(paths, input) : escalationLines(paths, input), options.output ?? 'table');
        return finish(input, EXIT.ok);
      }),
    );
}

function registerScannerRole(rbac: Command, env: Env): void {
  rbac
    .command('scanner-role')
    .description('print the read-only ClusterRole, ServiceAccount and ClusterRoleBinding `aspis scan cluster` needs (get and list on the kinds it reads)')
    .option('--name <name>', 'name of the ServiceAccount, ClusterRole and ClusterRoleBinding', 'aspis-scanner')
    .option('-n, --namespace <namespace>', 'namespace of the ServiceAccount', 'aspis')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .action((options: { name: string; namespace: string; output: 'yaml' | 'json' }) =>
      run(env, async () => {
        const objects = scannerRoleObjects({ name: options.name, namespace: options.namespace });
        if (options.output === 'json') process.stdout.write(`${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2)}\n`);
        else process.stdout.write(objects.map((o) => stringify(o)).join('---\n'));
        return EXIT.ok;
      }),
    );
}

export function registerRbac(program: Command, env: Env): void {
  const rbac = program
    .command('rbac')
    .description('RBAC analysis with the API server\'s exact semantics, from manifests (-f) or a live cluster: can-i, who-can, explain, escalations');
  registerCanI(rbac, env, false);
  registerWhoCan(rbac, env);
  registerCanI(rbac, env, true);
  registerEscalations(rbac, env);
  registerScannerRole(rbac, env);
}

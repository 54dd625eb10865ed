/**
 * THE verification of the RBAC engine against the Kubernetes API server itself. Random RBAC graphs
 * (rbac-arbitraries.ts) are loaded into a real kube-apiserver running with kube-controller-manager (which aggregates
 * ClusterRoles), and Aspis answers from two inputs, each with the bootstrap roles and bindings the server created:
 *
 * - live: the cluster read back exactly as `aspis rbac --kubeconfig` reads it (paged LISTs, projection);
 * - manifests: the generated objects written to a YAML file, as a user writes them, loaded as `aspis rbac -f` loads it.
 *
 * Compared with the server's SubjectAccessReviews:
 * - can-i: at least 10,000 random (user, groups, verb, group, resource, subresource, namespace, name) and
 *   non-resource questions per run, three in four aimed at the graph's own bindings and rules (rbac-arbitraries.ts);
 * - who-can: for questions the server allows someone, the subjects Aspis lists among the generated ones (users,
 *   groups, service accounts) and every subject the cluster names must be exactly those the server allows;
 * - aggregation: Aspis computes aggregated ClusterRoles from their selectors; the rules kube-controller-manager stored
 *   must equal them, rule for rule and in order.
 *
 * Any disagreement fails the test; minimize-disagreement.ts shrinks the first one to a minimal graph and question,
 * printed with the seed. ASPIS_RBAC_SEED replays a seed; ASPIS_RBAC_GRAPHS runs fewer graphs (no minimum count then).
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import type { V1SubjectAccessReviewSpec } from '@kubernetes/client-node';
import { startControlPlane } from '../harness/control-plane.js';
import type { ControlPlane } from '../harness/control-plane.js';
import type { KubeObject } from '../../src/core/model/resource.js';
import { loadRbacInput } from '../../src/cli/commands/rbac-input.js';
import type { AuthorizationRequest, UserInfo } from '../../src/rbac/authorization-request.js';
import { formatRequest, isNonResourceRequest } from '../../src/rbac/authorization-request.js';
import { canI } from '../../src/rbac/can-i.js';
import type { RbacGraph } from '../../src/rbac/rbac-graph.js';
import type { SubjectRef } from '../../src/rbac/who-can.js';
import { canonicalSubject, formatSubjectRef, knownSubjects, whoCan } from '../../src/rbac/who-can.js';
import { EMPTY_NAMESPACE, GROUPS, NAMESPACES, SERVICE_ACCOUNTS, USERS, queriesFor, rbacGraph } from './rbac-arbitraries.js';
import type { AccessQuery, GeneratedGraph } from './rbac-arbitraries.js';
import { minimizeDisagreement } from './minimize-disagreement.js';
import type { Question } from './minimize-disagreement.js';

const DEFAULT_GRAPHS = 40;
const GRAPHS = Number(process.env['ASPIS_RBAC_GRAPHS'] ?? DEFAULT_GRAPHS);
const QUERIES_PER_GRAPH = 260;
const WHO_CAN_PER_GRAPH = 5;
const CONCURRENCY = 16;
const MIN_QUERIES = GRAPHS === DEFAULT_GRAPHS ? 10_000 : 0;

let cp: ControlPlane;
const seed = process.env['ASPIS_RBAC_SEED'] ? Number(process.env['ASPIS_RBAC_SEED']) : (Math.random() * 2 ** 31) | 0;
const workDir = mkdtempSync(join(tmpdir(), 'aspis-rbac-agreement-'));

before(async () => {
  cp = await startControlPlane({ controllerManager: true });
  for (const ns of [...NAMESPACES, EMPTY_NAMESPACE]) await cp.createNamespace(ns);
  for (const [namespace, name] of SERVICE_ACCOUNTS) {
    const response = await cp.request('POST', `/api/v1/namespaces/${namespace}/serviceaccounts`, { metadata: { name } });
    assert.equal(response.status, 201, JSON.stringify(response.body));
  }
});
after(async () => {
  await cp?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

/** Runs `work` over `items` with at most CONCURRENCY in flight (SubjectAccessReviews over one keep-alive agent). */
async function pool<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  return results;
}

function sarSpec(who: UserInfo, request: AuthorizationRequest): V1SubjectAccessReviewSpec {
  const spec: V1SubjectAccessReviewSpec = {};
  if (who.user) spec.user = who.user;
  if (who.groups.length > 0) spec.groups = [...who.groups];
  if (isNonResourceRequest(request)) spec.nonResourceAttributes = { verb: request.verb, path: request.nonResourceURL };
  else {
    spec.resourceAttributes = {
      verb: request.verb,
      group: request.group,
      resource: request.resource,
      ...(request.subresource ? { subresource: request.subresource } : {}),
      ...(request.namespace ? { namespace: request.namespace } : {}),
      ...(request.name ? { name: request.name } : {}),
    };
  }
  return spec;
}

let sarCount = 0;
async function serverAllows(who: UserInfo, request: AuthorizationRequest): Promise<boolean> {
  sarCount++;
  return (await cp.subjectAccessReview(sarSpec(who, request))).allowed;
}

function pathOf(object: KubeObject): string {
  const meta = object.metadata!;
  const plural = `${(object.kind as string).toLowerCase()}s`;
  const base = '/apis/rbac.authorization.k8s.io/v1';
  return meta.namespace ? `${base}/namespaces/${meta.namespace}/${plural}` : `${base}/${plural}`;
}

/** Creates the graph's RBAC objects (its ServiceAccounts exist from the start) and returns them. */
async function load(objects: KubeObject[]): Promise<KubeObject[]> {
  const created = objects.filter((o) => o.kind !== 'ServiceAccount');
  await pool(created, async (object) => {
    const response = await cp.request('POST', pathOf(object), object);
    if (response.status !== 201) throw new Error(`creating ${pathOf(object)}/${object.metadata!.name}: HTTP ${response.status} ${JSON.stringify(response.body)}`);
  });
  return created;
}

async function unload(objects: KubeObject[]): Promise<void> {
  await pool(objects, async (object) => {
    const response = await cp.request('DELETE', `${pathOf(object)}/${encodeURIComponent(object.metadata!.name!)}`);
    if (response.status !== 200) throw new Error(`deleting ${pathOf(object)}/${object.metadata!.name}: HTTP ${response.status}`);
  });
}

interface StoredRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

function normalRule(rule: StoredRule) {
  return {
    verbs: rule.verbs ?? [],
    apiGroups: rule.apiGroups ?? [],
    resources: rule.resources ?? [],
    resourceNames: rule.resourceNames ?? [],
    nonResourceURLs: rule.nonResourceURLs ?? [],
  };
}

/** Aggregated ClusterRoles whose rules, as Aspis computes them for `graph`, differ from what the controller stored. */
function aggregationDiffs(graph: RbacGraph, stored: RbacGraph, input: string): string[] {
  const diffs: string[] = [];
  for (const [name, computed] of graph.aggregatedRules) {
    const kept = ((stored.clusterRoles.get(name)?.object['rules'] as StoredRule[] | undefined) ?? []).map(normalRule);
    const ours = computed.map((source) => normalRule(source.rule as StoredRule));
    if (JSON.stringify(kept) !== JSON.stringify(ours)) {
      diffs.push(`aggregated ClusterRole ${name}: kube-controller-manager stored ${JSON.stringify(kept)}, Aspis (${input}) computes ${JSON.stringify(ours)}`);
    }
  }
  return diffs;
}

interface Graphs {
  live: RbacGraph;
  manifests: RbacGraph;
  aggregationDiffs: string[];
}

/**
 * Aspis's two graphs once the server has settled: RBAC writes visible to the authorizer, and the controller done
 * aggregating (it has stored what Aspis computes, or 15 s passed: then the differences are disagreements).
 */
async function settledGraphs(objects: KubeObject[]): Promise<Graphs> {
  const deadline = Date.now() + 15_000;
  let live: RbacGraph;
  let diffs: string[];
  for (;;) {
    await cp.waitForRbacPropagation();
    const input = await loadRbacInput({ kubeconfig: cp.adminKubeconfig });
    assert.deepEqual(input.errors, [], 'reading the cluster as `aspis rbac` does');
    live = input.graph;
    diffs = aggregationDiffs(live, live, 'live');
    if (diffs.length === 0 || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // The manifests input: what the server had before this graph (its bootstrap objects, the service accounts), plus
  // the generated objects as written.
  const generated = new Set(objects.map((o) => `${String(o.kind)}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`));
  const existing = [
    ...live.roles.values(),
    ...live.clusterRoles.values(),
    ...[...live.roleBindings.values()].flat(),
    ...live.clusterRoleBindings,
    ...live.serviceAccounts,
  ].map((view) => view.object);
  const before = existing.filter((o) => !generated.has(`${String(o.kind)}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`));
  const file = join(workDir, 'graph.yaml');
  // YAML 1.1, as Kubernetes decodes manifests: a 1.2 writer leaves `y` unquoted, which kubectl (and Aspis) read as true.
  writeFileSync(file, [...before, ...objects].map((o) => stringify(o, { version: '1.1' })).join('---\n'));
  const manifests = await loadRbacInput({ filename: [file] });
  assert.deepEqual(manifests.errors, [], 'reading the manifests as `aspis rbac -f` does');
  // Written aggregated roles have no rules: here Aspis computes nested aggregation from scratch.
  diffs.push(...aggregationDiffs(manifests.graph, live, 'manifests'));
  return { live, manifests: manifests.graph, aggregationDiffs: diffs };
}

async function withGraphs<T>(objects: KubeObject[], ask: (graphs: Graphs) => Promise<T>): Promise<T> {
  const loaded = await load(objects);
  try {
    return await ask(await settledGraphs(objects));
  } finally {
    await unload(loaded);
  }
}

/**
 * The identity the server is asked about for a who-can subject, written here from the Kubernetes documentation rather
 * than taken from the engine (so a mistake there cannot hide by changing both sides): a user with no group, a member
 * of one group, a service account with the groups its token carries.
 */
function principal(subject: SubjectRef): UserInfo {
  if (subject.kind === 'User') return { user: subject.name, groups: [] };
  if (subject.kind === 'Group') return { user: '', groups: [subject.name] };
  const user = `system:serviceaccount:${subject.namespace}:${subject.name}`;
  return { user, groups: ['system:serviceaccounts', `system:serviceaccounts:${subject.namespace}`, 'system:authenticated'] };
}

/** The subjects the generated graphs use, for who-can, as principals (a service account's user name is the account). */
const GENERATED_SUBJECTS: SubjectRef[] = [
  ...USERS.map((name): SubjectRef => ({ kind: 'User', name })),
  ...GROUPS.map((name): SubjectRef => ({ kind: 'Group', name })),
  ...SERVICE_ACCOUNTS.map(([namespace, name]): SubjectRef => ({ kind: 'ServiceAccount', namespace, name })),
].map(canonicalSubject);

interface Disagreement {
  question?: Question;
  message: string;
}

const stats = { canI: 0, allowed: 0, whoCan: 0 };

async function canIDisagreements(graphs: Graphs, queries: readonly AccessQuery[]): Promise<{ disagreements: Disagreement[]; answers: boolean[] }> {
  const answers = await pool(queries, (q) => serverAllows(q.who, q.request));
  const disagreements: Disagreement[] = [];
  queries.forEach((q, i) => {
    for (const input of ['live', 'manifests'] as const) {
      const ours = canI(graphs[input], q.who, q.request).allowed;
      if (ours === answers[i]) continue;
      disagreements.push({
        question: { type: 'can-i', who: q.who, request: q.request },
        message: `can-i ${formatRequest(q.request)} as ${JSON.stringify(q.who)}: the server ${answers[i] ? 'allows' : 'denies'}, Aspis (${input}) ${ours ? 'allows' : 'denies'}`,
      });
    }
  });
  return { disagreements, answers };
}

/** who-can: every generated subject and every subject the cluster names, asked of the server one by one. */
async function whoCanDisagreements(graphs: Graphs, request: AuthorizationRequest): Promise<Disagreement[]> {
  const subjects = new Map<string, SubjectRef>();
  for (const s of [...GENERATED_SUBJECTS, ...knownSubjects(graphs.live), ...knownSubjects(graphs.manifests)]) subjects.set(formatSubjectRef(s), s);
  const candidates = [...subjects.values()];
  const allowedByServer = await pool(candidates, (s) => serverAllows(principal(s), request));
  const server = new Set(candidates.filter((_, i) => allowedByServer[i]).map(formatSubjectRef));
  const out: Disagreement[] = [];
  for (const input of ['live', 'manifests'] as const) {
    const ours = new Set(whoCan(graphs[input], request).map((e) => formatSubjectRef(e.subject)));
    const missing = [...server].filter((s) => !ours.has(s));
    const extra = [...ours].filter((s) => !server.has(s));
    if (missing.length === 0 && extra.length === 0) continue;
    out.push({
      question: { type: 'who-can', request },
      message: `who-can ${formatRequest(request)} (${input}): the server also allows ${missing.join(', ') || 'nobody'}; Aspis also lists ${extra.join(', ') || 'nobody'}`,
    });
  }
  return out;
}

async function disagreements(graph: GeneratedGraph, queries: AccessQuery[]): Promise<Disagreement[]> {
  return withGraphs(graph.objects, async (graphs) => {
    const problems: Disagreement[] = graphs.aggregationDiffs.map((message) => ({ message }));
    const { disagreements: canIProblems, answers } = await canIDisagreements(graphs, queries);
    problems.push(...canIProblems);
    stats.canI += queries.length;
    stats.allowed += answers.filter(Boolean).length;
    // who-can on questions the server allows someone, each request once.
    const requests = new Map<string, AuthorizationRequest>();
    queries.forEach((q, i) => answers[i] && requests.size < WHO_CAN_PER_GRAPH && requests.set(JSON.stringify(q.request), q.request));
    for (const request of requests.values()) {
      stats.whoCan++;
      problems.push(...(await whoCanDisagreements(graphs, request)));
    }
    return problems;
  });
}

const stillDisagrees = (objects: KubeObject[], question: Question): Promise<boolean> =>
  withGraphs(objects, async (graphs) =>
    question.type === 'can-i'
      ? (await canIDisagreements(graphs, [{ who: question.who, request: question.request }])).disagreements.length > 0
      : (await whoCanDisagreements(graphs, question.request)).length > 0,
  );

async function describeMinimal(objects: KubeObject[], question: Question): Promise<string> {
  const found = await withGraphs(objects, async (graphs) =>
    question.type === 'can-i'
      ? (await canIDisagreements(graphs, [{ who: question.who, request: question.request }])).disagreements
      : await whoCanDisagreements(graphs, question.request),
  );
  return found.map((d) => d.message).join('\n') || '(no longer reproduces: flaky?)';
}

it(`Aspis's can-i and who-can agree with the API server's SubjectAccessReview on random RBAC graphs (seed ${seed})`, { timeout: 20 * 60_000 }, async (t) => {
  t.diagnostic(`fast-check seed ${seed} (replay: ASPIS_RBAC_SEED=${seed})`);
  const started = Date.now();
  let found: { graph: GeneratedGraph; problems: Disagreement[] } | undefined;
  const graphAndQueries = rbacGraph.chain((graph) => fc.tuple(fc.constant(graph), queriesFor(graph, QUERIES_PER_GRAPH)));
  const property = fc.asyncProperty(graphAndQueries, async ([graph, queries]) => {
    const problems = await disagreements(graph, queries);
    if (problems.length === 0) return true;
    found = { graph, problems };
    return false;
  });
  // No fast-check shrinking: each of its steps would reload a graph and ask hundreds of questions again;
  // minimizeDisagreement shrinks the first disagreement with a few SubjectAccessReviews per step instead.
  const result = await fc.check(property, { seed, numRuns: GRAPHS, endOnFailure: true });
  if (result.failed && found) {
    const first = found.problems.find((p) => p.question) ?? found.problems[0]!;
    let report = first.message;
    let objects = found.graph.objects;
    let attempts = 0;
    if (first.question) {
      const minimal = await minimizeDisagreement(found.graph.objects, first.question, stillDisagrees);
      ({ objects, attempts } = minimal);
      report = await describeMinimal(objects, minimal.question);
    }
    assert.fail(
      `Aspis disagrees with the API server (seed ${seed}; ${found.problems.length} disagreement(s) on the graph found, ` +
        `the first minimised in ${attempts} attempts).\n` +
        `Minimal case:\n${report}\n` +
        `Minimal graph (service accounts ns-a/sa1, ns-a/sa2, ns-b/sa1 exist):\n${objects.filter((o) => o.kind !== 'ServiceAccount').map((o) => stringify(o)).join('---\n')}\n` +
        `All disagreements on the original graph:\n${found.problems.map((p) => p.message).join('\n')}`,
    );
  }
  assert.ok(!result.failed, `fast-check failed without a disagreement: ${String(result.errorInstance)}`);
  t.diagnostic(
    `${stats.canI} can-i questions (the server allowed ${stats.allowed}) and ${stats.whoCan} who-can questions over ${GRAPHS} graphs, ` +
      `each answered from the live cluster and from manifests (${sarCount} SubjectAccessReviews): 0 disagreements, ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  assert.ok(stats.canI >= MIN_QUERIES, `only ${stats.canI} questions asked`);
});

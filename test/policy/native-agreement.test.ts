/**
 * Aspis's ValidatingAdmissionPolicy evaluation against the apiserver's own (real kube-apiserver v1.34 from
 * test/harness/control-plane.ts). For the shipped Pod Security library and for property-generated policies, the
 * same pods are created with server-side dry-run in a namespace where the policies apply, and Aspis evaluates the
 * pod as the server sees it (its dry-run result in a namespace where nothing applies: defaulted, mutated by
 * admission). Required: 100% agreement on allow/deny, on the denial message, and on the status code.
 *
 * The apiserver reports one denial when several policies deny, and its policy order is a Go map's (random), so a
 * server message must equal one of Aspis's Deny messages. A generated policy the apiserver refuses to create must be
 * one Aspis reports a compile error for. On a disagreement the property is re-run with the same seed so fast-check
 * shrinks it against the server, and the minimal policy and pod are printed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import jsyaml from 'js-yaml';
import { startControlPlane, type ControlPlane } from '../harness/control-plane.js';
import { corpusDir, readCsv, repoRoot } from '../corpora/corpus-location.js';
import type { KubeObject } from '../../src/core/model/resource.js';
import { compilePolicies, creationAttributesOf, evaluate, paramsFromObjects, type CompiledPolicySet } from '../../src/policy/index.js';
import { loadObjects } from '../../src/cli/commands/policy-folder.js';
import { dryRunCreate, forbiddenPrefix, mapLimited, serverView, waitUntilPoliciesEnforced, type Verdict } from './apiserver-verdicts.js';
import { caseArbitrary, paramObject, policyObjects, type GeneratedCase } from './generated-policy-cases.js';

const VIEW_NAMESPACE = 'server-view';
const EXEMPT = { 'pss.policy.aspis.io/exempt': 'true' };
const SEED = Number(process.env['ASPIS_AGREEMENT_SEED'] ?? 20260701);
const CASES = Number(process.env['ASPIS_AGREEMENT_CASES'] ?? 150);

interface Comparison {
  agreed: boolean;
  detail?: string;
}

function namespaceObject(name: string, labels: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } };
}

/** Compares the server's verdict with Aspis's evaluation of the server's view of the pod. */
function compare(server: Verdict, set: CompiledPolicySet, pod: Record<string, unknown>, namespace: KubeObject, params: KubeObject[]): Comparison {
  const object = { ...pod, metadata: { ...(pod['metadata'] as object), namespace: namespace.metadata!.name } } as KubeObject;
  const result = evaluate(set, creationAttributesOf(object, 'pods', { namespaceObject: namespace, params: paramsFromObjects(params), userInfo: { username: 'aspis-admin', groups: ['system:masters', 'system:authenticated'] } }));
  const name = String((pod['metadata'] as { name: string }).name);
  const denials = result.decisions.filter((d) => d.action === 'Deny');
  const mine = denials.map((d) => (d.binding ? `ValidatingAdmissionPolicy '${d.policy}' with binding '${d.binding}' denied request: ${d.message}` : `ValidatingAdmissionPolicy '${d.policy}' denied request: ${d.message}`));
  if (server.allowed) return denials.length === 0 ? { agreed: true } : { agreed: false, detail: `apiserver allows, Aspis denies: ${mine.join(' | ')}` };
  if (denials.length === 0) return { agreed: false, detail: `apiserver denies (${server.message}), Aspis allows` };
  const prefix = forbiddenPrefix(name);
  const serverMessage = server.message.startsWith(prefix) ? server.message.slice(prefix.length) : server.message;
  const index = mine.indexOf(serverMessage);
  if (index < 0) return { agreed: false, detail: `messages differ:\n  apiserver: ${serverMessage}\n  Aspis:     ${mine.join('\n             ')}` };
  const expectedCode = { Forbidden: 403, Unauthorized: 401, RequestEntityTooLarge: 413, Invalid: 422 }[denials[index]!.reason] ?? 422;
  if (server.code !== expectedCode) return { agreed: false, detail: `status code: apiserver ${server.code}, Aspis ${expectedCode} (${denials[index]!.reason})` };
  return { agreed: true };
}

describe('Aspis agrees with the apiserver’s native ValidatingAdmissionPolicy', { timeout: 600_000 }, () => {
  let cp: ControlPlane;

  before(async () => {
    cp = await startControlPlane();
    await cp.createNamespace(VIEW_NAMESPACE, { labels: EXEMPT });
  });
  after(async () => {
    await cp?.stop();
  });

  it('the shipped Pod Security library: every PodSecurity fixture (v1.37) gets the same verdict and message', async (t) => {
    const loaded = await loadObjects([join(repoRoot, 'policies/pss-baseline'), join(repoRoot, 'policies/pss-restricted')]);
    const definitions = loaded.objects.filter((o) => String(o.kind).startsWith('ValidatingAdmissionPolicy'));
    const { policies, errors } = compilePolicies(definitions, { sourceOf: loaded.sourceOf });
    assert.deepEqual(errors, []);
    const namespace = 'pss-library';
    await cp.createNamespace(namespace);
    await cp.apply(definitions as never);
    await waitUntilPoliciesEnforced(cp, VIEW_NAMESPACE, 'library');

    const root = corpusDir('pod-security-admission');
    const rows = readCsv(readFileSync(join(root, 'index.csv'), 'utf8')).filter((r) => r['version'] === 'v1.37');
    const nsObject = namespaceObject(namespace, {});
    const outcomes = await mapLimited(rows, 6, async (row) => {
      const pod = jsyaml.load(readFileSync(join(root, row['path']!), 'utf8'), { schema: jsyaml.CORE_SCHEMA }) as Record<string, unknown>;
      // Fixture names are file stems (capabilities_baseline0); object names must be DNS subdomains.
      const meta = pod['metadata'] as { name: string };
      meta.name = meta.name.replace(/_/g, '-').toLowerCase();
      const view = await serverView(cp, VIEW_NAMESPACE, pod);
      if ('refused' in view) return { path: row['path']!, skipped: view.refused };
      const server = await dryRunCreate(cp, namespace, pod);
      return { path: row['path']!, ...compare(server, policies, view.object, nsObject, []) };
    });
    const skipped = outcomes.filter((o) => 'skipped' in o);
    const compared = outcomes.filter((o): o is { path: string } & Comparison => !('skipped' in o));
    const disagreements = compared.filter((o) => !o.agreed).map((o) => `${o.path}: ${o.detail}`);
    // Fixtures the apiserver's own validation rejects never reach admission (upstream marks them failRequiresError).
    for (const s of skipped) assert.match(s.path, /fail\//, `a pass fixture was refused by API validation: ${s.path}: ${(s as { skipped: string }).skipped}`);
    assert.ok(compared.length >= 140, `compared ${compared.length} fixtures`);
    t.diagnostic(`library: ${compared.length - disagreements.length}/${compared.length} fixtures agree (${skipped.length} refused by API validation)`);
    assert.deepEqual(disagreements, [], `${compared.length - disagreements.length}/${compared.length} agree`);
  });

  it('property-generated policies: same allow/deny, message and code as the apiserver', async (t) => {
    const cases = fc.sample(caseArbitrary, { seed: SEED, numRuns: CASES });
    const stats = { policies: 0, refused: 0, pods: 0, denied: 0 };
    const disagreements = await runCases(cp, cases, 'batch', stats);
    t.diagnostic(`generated: ${cases.length} policies (${stats.refused} refused at creation by both), ${stats.pods} pod verdicts (${stats.denied} denials), ${disagreements.length} disagreements, seed ${SEED}`);
    if (disagreements.length === 0) return;
    // Shrink against the server: the same seed replays the same cases, fast-check minimises the first failing one.
    let round = 0;
    const minimal = await fc
      .check(
        fc.asyncProperty(caseArbitrary, async (c) => (await runCases(cp, [c], `shrink-${round++}`)).length === 0),
        { seed: SEED, numRuns: CASES, endOnFailure: false, maxSkipsPerRun: 0 },
      )
      .catch((e: unknown) => e);
    const counterexample = (minimal as { counterexample?: [GeneratedCase] } | undefined)?.counterexample?.[0];
    assert.fail(
      `${disagreements.length} disagreement(s) among ${cases.length} generated policies:\n${disagreements.slice(0, 8).join('\n')}\n` +
        (counterexample ? `minimal case:\n${jsyaml.dump(counterexample)}` : ''),
    );
  });
});

let roundCounter = 0;

/** Creates every case's policy in its own namespace, waits until enforced, and compares each pod's verdict. */
async function runCases(
  cp: ControlPlane,
  cases: readonly GeneratedCase[],
  label: string,
  stats: { policies: number; refused: number; pods: number; denied: number } = { policies: 0, refused: 0, pods: 0, denied: 0 },
): Promise<string[]> {
  const round = `${label}-${roundCounter++}`;
  const disagreements: string[] = [];
  const prepared = await mapLimited(cases, 4, async (c, i) => {
    const namespace = `case-${round}-${i}`;
    const labels = { ...EXEMPT, 'agreement.aspis.io/case': `${round}-${i}` };
    await cp.createNamespace(namespace, { labels });
    const params = [paramObject(namespace)];
    await cp.apply(params as never);
    const objects = policyObjects(`gen-${round}-${i}`, c.policy, { 'agreement.aspis.io/case': `${round}-${i}` });
    const compiled = compilePolicies(objects as KubeObject[]);
    let created = true;
    let refusal = '';
    for (const object of objects) {
      const plural = object['kind'] === 'ValidatingAdmissionPolicy' ? 'validatingadmissionpolicies' : 'validatingadmissionpolicybindings';
      const response = await cp.request<{ message?: string }>('POST', `/apis/admissionregistration.k8s.io/v1/${plural}`, object);
      if (response.status !== 201) {
        created = false;
        refusal = response.body?.message ?? String(response.status);
        break;
      }
    }
    return { c, namespace, labels, params, compiled, created, refusal, index: i };
  });
  for (const p of prepared) {
    stats.policies++;
    if (!p.created && p.compiled.errors.length > 0) stats.refused++;
    if (p.created && p.compiled.errors.length > 0) disagreements.push(`case ${p.index}: apiserver accepts the policy, Aspis reports ${p.compiled.errors.map((e) => e.message).join('; ')}\n${jsyaml.dump(p.c.policy)}`);
    if (!p.created && p.compiled.errors.length === 0) disagreements.push(`case ${p.index}: apiserver refuses the policy (${p.refusal}), Aspis compiles it\n${jsyaml.dump(p.c.policy)}`);
  }
  await waitUntilPoliciesEnforced(cp, VIEW_NAMESPACE, round);
  const work = prepared.filter((p) => p.created && p.compiled.errors.length === 0).flatMap((p) => p.c.pods.map((pod) => ({ p, pod })));
  const results = await mapLimited(work, 6, async ({ p, pod }) => {
    const view = await serverView(cp, VIEW_NAMESPACE, pod);
    if ('refused' in view) return `pod refused by API validation (generator bug): ${view.refused}`;
    const server = await dryRunCreate(cp, p.namespace, pod);
    stats.pods++;
    if (!server.allowed) stats.denied++;
    const outcome = compare(server, p.compiled.policies, view.object, namespaceObject(p.namespace, p.labels), p.params as KubeObject[]);
    return outcome.agreed ? undefined : `case ${p.index}: ${outcome.detail}\npolicy:\n${jsyaml.dump(p.c.policy)}pod:\n${jsyaml.dump(pod)}`;
  });
  for (const r of results) if (r) disagreements.push(r);
  return disagreements;
}

/**
 * `aspis webhook certs` + `aspis webhook manifests` as a user runs them, then Aspis's own manifests scanned by
 * `aspis scan manifests`: nothing above low remains, and every waived finding carries its reason. Also
 * `aspis policy simulate` over a history the webhook handler wrote.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { pino } from 'pino';
import { runCli } from '../cli/run-cli.js';
import { AdmissionHandler } from '../../src/server/webhook/admission-handler.js';
import { loadAdmissionPolicy } from '../../src/server/webhook/load-admission-policy.js';
import { StaticNamespaceLabels } from '../../src/server/webhook/namespace-labels.js';
import { JsonlReviewRecorder } from '../../src/server/webhook/review-recorder.js';
import { deploymentOf, privilegedPod, restrictedPod, reviewOf } from './review-of.js';

describe('aspis webhook certs and manifests', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aspis-webhook-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('certs: a CA and a serving certificate for the Service names, keys not world-readable', () => {
    const result = runCli(['webhook', 'certs', '--namespace', 'aspis', '--out-dir', dir]);
    assert.equal(result.code, 0, result.stderr);
    const ca = new X509Certificate(readFileSync(join(dir, 'ca.crt')));
    const cert = new X509Certificate(readFileSync(join(dir, 'tls.crt')));
    assert.ok(cert.checkIssued(ca) && cert.verify(ca.publicKey));
    assert.ok(ca.ca && !cert.ca);
    assert.match(cert.subjectAltName ?? '', /DNS:aspis-webhook\.aspis\.svc\b/);
    assert.equal((readFileSync(join(dir, 'tls.key')).length > 0), true);
    const again = runCli(['webhook', 'certs', '--out-dir', dir]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exist: use --force/);
  });

  it('manifests: webhook configuration with caBundle, timeout ≤ 3, failure policy, exclusions; RBAC reads namespaces only', () => {
    const result = runCli(['webhook', 'manifests', '--ca-file', join(dir, 'ca.crt'), '--failure-policy', 'Ignore', '--output-file', join(dir, 'aspis.yaml')]);
    assert.equal(result.code, 0, result.stderr);
    const objects = parseAllDocuments(readFileSync(join(dir, 'aspis.yaml'), 'utf8')).map((d) => d.toJS() as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any
    const kinds = objects.map((o) => o['kind']);
    for (const kind of ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Deployment', 'Service', 'PodDisruptionBudget', 'NetworkPolicy', 'ValidatingWebhookConfiguration']) {
      assert.ok(kinds.includes(kind), kind);
    }
    const hook = objects.find((o) => o['kind'] === 'ValidatingWebhookConfiguration')!['webhooks'][0];
    assert.equal(Buffer.from(hook.clientConfig.caBundle, 'base64').toString('utf8'), readFileSync(join(dir, 'ca.crt'), 'utf8'));
    assert.ok(hook.timeoutSeconds <= 3);
    assert.equal(hook.failurePolicy, 'Ignore');
    assert.deepEqual(hook.namespaceSelector.matchExpressions[0].values, ['kube-system', 'aspis']);
    assert.equal(hook.sideEffects, 'NoneOnDryRun');
    const resources = hook.rules.flatMap((r: { resources: string[] }) => r.resources);
    for (const r of ['pods', 'pods/ephemeralcontainers', 'deployments', 'cronjobs', 'jobs', 'statefulsets', 'daemonsets', 'replicasets']) assert.ok(resources.includes(r), r);
    const role = objects.find((o) => o['kind'] === 'ClusterRole')!;
    assert.deepEqual(role['rules'], [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] }]);
    assert.equal(runCli(['webhook', 'manifests', '--ca-file', join(dir, 'ca.crt'), '--timeout', '10']).code, 2);
  });

  it("Aspis's own manifests pass its checks: nothing above low, waivers explained", () => {
    const result = runCli(['scan', 'manifests', join(dir, 'aspis.yaml'), '-o', 'json', '--fail-on', 'medium']);
    const report = JSON.parse(result.stdout) as { findings: { checkId: string; severity: string; path: string }[]; waived: { checkId: string; waiver: { reason: string } }[]; objects: { resource: { kind: string }; pssLevel?: string }[] };
    assert.equal(result.code, 0, JSON.stringify(report.findings, null, 1));
    assert.deepEqual(report.findings.filter((f) => !['info', 'low'].includes(f.severity)), []);
    for (const w of report.waived) assert.ok(w.waiver.reason.length > 20, w.checkId);
    assert.equal(report.objects.find((o) => o.resource.kind === 'Deployment')!.pssLevel, 'restricted');
  });
});

describe('aspis policy simulate', () => {
  it('replays recorded reviews: what a stricter profile would deny, per check, with examples', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'aspis-simulate-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const history = join(dir, 'history.jsonl');
    writeFileSync(join(dir, '.aspis.yaml'), '{}\n');
    const { policy } = loadAdmissionPolicy({ cwd: dir, config: join(dir, '.aspis.yaml') });
    const recorder = new JsonlReviewRecorder(history);
    const handler = new AdmissionHandler({ policy, namespaces: new StaticNamespaceLabels(new Map([['team-a', { 'aspis.io/enforce': 'baseline' }]])), logger: pino({ level: 'silent' }), recorder });
    const baselineOnly = {
      ...restrictedPod('loose'),
      metadata: { name: 'loose', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"secret":"s3cr3t"}', keep: 'yes' }, managedFields: [{ manager: 'kubectl' }] },
      spec: { containers: [{ name: 'app', image: 'nginx:1', env: [{ name: 'DB_PASSWORD', value: 'hunter2' }, { name: 'FROM', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] }] },
    };
    for (const object of [restrictedPod('ok'), baselineOnly, deploymentOf(baselineOnly, 'loose-deploy'), privilegedPod('bad')]) {
      await handler.answer('validate', JSON.stringify(reviewOf(object, { namespace: 'team-a' })));
    }
    await handler.answer('validate', JSON.stringify(reviewOf(privilegedPod('dry'), { namespace: 'team-a', dryRun: true })));
    await recorder.close();
    const text = readFileSync(history, 'utf8');
    assert.equal(text.trim().split('\n').length, 4, 'dry-run not recorded');
    assert.ok(!text.includes('hunter2'), 'env values are not recorded');
    assert.ok(!text.includes('s3cr3t') && !text.includes('managedFields'), 'last-applied and managedFields are not recorded');
    assert.ok(text.includes('"keep":"yes"') && text.includes('"fieldPath":"metadata.name"'), 'the rest of the object is');

    const json = runCli(['policy', 'simulate', '--history', history, '--profile', 'restricted', '-o', 'json'], { cwd: dir });
    assert.equal(json.code, 0, json.stderr);
    const result = JSON.parse(json.stdout) as { reviewsRead: number; replayed: number; summary: { deny: { reviews: number; newlyAffected: number } }; deny: { policy: string; reviews: number; newlyAffected: number; examples: { resource: string; path: string }[] }[] };
    assert.equal(result.reviewsRead, 4);
    assert.equal(result.replayed, 4);
    assert.deepEqual(result.summary.deny, { reviews: 3, newlyAffected: 2 });
    const runAsNonRoot = result.deny.find((t) => t.policy === 'run-as-non-root')!;
    assert.equal(runAsNonRoot.reviews, 3);
    assert.ok(runAsNonRoot.examples.some((e) => e.resource === 'Deployment/team-a/loose-deploy' && e.path.startsWith('spec.template.spec.containers[0]')));
    const text2 = runCli(['policy', 'simulate', '--history', history, '--profile', 'restricted'], { cwd: dir });
    assert.match(text2.stdout, /would deny 3 review\(s\) \(2 admitted when recorded\)/);

    // CEL policies as the simulated set: every recorded pod lacks the team label.
    mkdirSync(join(dir, 'policies'));
    writeFileSync(
      join(dir, 'policies', 'require-team.yaml'),
      `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: { name: require-team }
spec:
  matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: [v1], operations: [CREATE], resources: [pods] }] }
  validations: [{ expression: "has(object.metadata.labels) && 'team' in object.metadata.labels", message: needs a team label }]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: { name: require-team }
spec: { policyName: require-team, validationActions: [Deny] }
`,
    );
    const cel = runCli(['policy', 'simulate', '--history', history, '--policies', join(dir, 'policies'), '-o', 'json'], { cwd: dir });
    assert.equal(cel.code, 0, cel.stderr);
    const celResult = JSON.parse(cel.stdout) as { deny: { policy: string; source: string; reviews: number }[] };
    assert.deepEqual(celResult.deny.map((t) => [t.policy, t.source, t.reviews]), [['require-team/require-team', 'cel', 3]]);

    writeFileSync(join(dir, 'broken.jsonl'), `${text}not json\n`);
    const broken = runCli(['policy', 'simulate', '--history', join(dir, 'broken.jsonl'), '--profile', 'baseline'], { cwd: dir });
    assert.equal(broken.code, 2);
    assert.match(broken.stdout, /broken\.jsonl:5: not a JSON line/);
    assert.equal(runCli(['policy', 'simulate', '--history', history, '--profile', 'strict'], { cwd: dir }).code, 2);
  });
});

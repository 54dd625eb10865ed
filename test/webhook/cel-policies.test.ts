/**
 * ValidatingAdmissionPolicies in the webhook (`--policies DIR`): Deny, Warn and Audit actions become the webhook's
 * denials, warnings and audit annotations beside the checks; a policy that does not compile stops the load with the
 * expression, position and reason.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWebhook } from './running-webhook.js';
import type { RunningWebhook } from './running-webhook.js';
import { restrictedPod, reviewOf } from './review-of.js';
import { loadAdmissionPolicy } from '../../src/server/webhook/load-admission-policy.js';

const POLICIES = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: { name: require-team }
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules: [{ apiGroups: [''], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [pods] }]
  validations:
    - expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
      message: pods must carry a team label
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: { name: require-team-binding }
spec:
  policyName: require-team
  validationActions: [Deny]
  matchResources: { namespaceSelector: { matchLabels: { tier: prod } } }
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: { name: require-team-warn }
spec:
  policyName: require-team
  validationActions: [Warn]
  matchResources: { namespaceSelector: { matchLabels: { tier: dev } } }
`;

function post(webhook: RunningWebhook, body: unknown): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = httpsRequest(`${webhook.url}/validate`, { method: 'POST', ca: webhook.certs.caCert, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    });
    req.on('error', reject);
    req.end(text);
  });
}

describe('CEL policies in the webhook', () => {
  let webhook: RunningWebhook;
  const dir = mkdtempSync(join(tmpdir(), 'aspis-cel-'));
  before(async () => {
    writeFileSync(join(dir, 'require-team.yaml'), POLICIES);
    const labels = new Map<string, Record<string, string>>([
      ['prod', { tier: 'prod', 'aspis.io/enforce': 'restricted' }],
      ['dev', { tier: 'dev' }],
    ]);
    webhook = await startWebhook({ labels, policies: dir });
  });
  after(async () => {
    await webhook.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('denies with a Deny binding, next to the checks', async () => {
    const answer = await post(webhook, reviewOf(restrictedPod('no-team'), { namespace: 'prod' }));
    assert.equal(answer.response.allowed, false);
    assert.match(answer.response.status.message, /\[require-team\/require-team-binding\] .*pods must carry a team label/);
    const labelled = { ...restrictedPod('ok'), metadata: { name: 'ok', labels: { team: 'a' } } };
    assert.equal((await post(webhook, reviewOf(labelled, { namespace: 'prod' }))).response.allowed, true);
  });

  it('warns with a Warn binding', async () => {
    const answer = await post(webhook, reviewOf(restrictedPod('no-team'), { namespace: 'dev' }));
    assert.equal(answer.response.allowed, true);
    assert.match(answer.response.warnings.join('\n'), /ValidatingAdmissionPolicy: \[require-team\/require-team-warn\]/);
  });

  it('refuses a policy that does not compile, naming the expression, position and reason', () => {
    const broken = join(dir, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'bad.yaml'), POLICIES.replace("'team' in object.metadata.labels", "'team' in object.metadata.labels &&"));
    const { errors } = loadAdmissionPolicy({ cwd: dir, policies: broken });
    assert.ok(errors.length > 0);
    assert.match(errors[0]!.field ?? '', /ValidatingAdmissionPolicy\/require-team spec\.validations\[0\]\.expression/);
    assert.match(errors[0]!.message, /line 1, column \d+\): Syntax error/);
  });
});

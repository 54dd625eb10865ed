/**
 * The webhook server over real HTTPS on loopback (namespace labels fixed): decisions, warnings, audit annotations,
 * history, break-glass, mutation, bad input (each answered with the right HTTP/AdmissionReview error while the server
 * keeps serving), TLS failures, health endpoints and draining on shutdown.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { connect as tlsConnect } from 'node:tls';
import { connect as http2Connect } from 'node:http2';
import jsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { startWebhook } from './running-webhook.js';
import type { RunningWebhook } from './running-webhook.js';
import { deploymentOf, privilegedPod, restrictedPod, reviewOf } from './review-of.js';
import type { KubeObject } from '../../src/core/model/resource.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function post(webhook: RunningWebhook, path: string, body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }, method = 'POST'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${webhook.url}${path}`, { method, ca: webhook.certs.caCert, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // plain text (health endpoints)
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function review(webhook: RunningWebhook, object: KubeObject, options: Parameters<typeof reviewOf>[1] = {}, path = '/validate') {
  return post(webhook, path, JSON.stringify(reviewOf(object, options)));
}

/** The history once `ready` holds (lines are written asynchronously), or as it is after 3 s. */
async function historyWhen(webhook: RunningWebhook, ready: (records: Record<string, unknown>[]) => boolean): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const records = history(webhook);
    if (ready(records) || Date.now() > deadline) return records;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function history(webhook: RunningWebhook): Record<string, unknown>[] {
  return readFileSync(webhook.historyPath, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const labels = new Map<string, Record<string, string>>([
  ['strict', { 'aspis.io/enforce': 'restricted', 'aspis.io/enforce-version': 'v1.34' }],
  ['warned', { 'aspis.io/warn': 'restricted' }],
  ['audited', { 'aspis.io/audit': 'restricted' }],
  ['typo', { 'aspis.io/enforce': 'restriced' }],
  ['open', {}],
]);

const WEBHOOK_CONFIG = `
defaults:
  enforce: baseline
exemptions:
  namespaces: [kube-system]
  usernames: ['system:serviceaccount:kube-system:trusted']
  runtimeClassNames: [kata]
breakGlass:
  groups: [oncall]
mutate: [seccomp-profile-restricted, allow-privilege-escalation, privileged-containers]
checks:
  warn: [image-tag-latest]
`;

const ASPIS_CONFIG = `
exceptions:
  - checks: [host-namespaces]
    resources: { namespaces: [strict], names: [netdebug] }
    reason: network debugging pod, approved
    owner: team-net
`;

describe('webhook server', () => {
  let webhook: RunningWebhook;
  before(async () => {
    webhook = await startWebhook({ labels, webhookConfig: WEBHOOK_CONFIG, aspisConfig: ASPIS_CONFIG, maxBodyBytes: 64 * 1024 });
  });
  after(() => webhook.stop());

  it('answers health and readiness', async () => {
    assert.equal((await post(webhook, '/healthz', '', {}, 'GET')).status, 200);
    assert.equal((await post(webhook, '/readyz', '', {}, 'GET')).status, 200);
  });

  it('admits a restricted pod and denies a violating one, listing every violation with check id and field path', async () => {
    const ok = await review(webhook, restrictedPod(), { namespace: 'strict' });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.kind, 'AdmissionReview');
    assert.equal(ok.body.response.allowed, true);
    const bad = await review(webhook, privilegedPod(), { namespace: 'strict' });
    const response = bad.body.response;
    assert.equal(response.allowed, false);
    assert.equal(response.status.code, 403);
    const causes = response.status.details.causes as { field: string; message: string }[];
    assert.ok(causes.some((c) => c.field === 'spec.containers[0].securityContext.privileged' && c.message.startsWith('[privileged-containers]')));
    assert.ok(causes.some((c) => c.field === 'spec.volumes[0].hostPath' && c.message.startsWith('[restricted-volume-types]')));
    for (const cause of causes) assert.ok(response.status.message.includes(`${cause.field}: `), cause.field);
    assert.match(response.status.message, /enforce restricted:v1\.34/);
    // Denied requests carry no warnings on top (as PodSecurity).
    assert.equal(response.warnings, undefined);
  });

  it('denies a Deployment whose pod template violates, naming the template field path', async () => {
    const answer = await review(webhook, deploymentOf(privilegedPod()), { namespace: 'strict' });
    assert.equal(answer.body.response.allowed, false);
    const fields = (answer.body.response.status.details.causes as { field: string }[]).map((c) => c.field);
    assert.ok(fields.includes('spec.template.spec.containers[0].securityContext.privileged'), fields.join(', '));
  });

  it('uses the cluster default for unlabelled namespaces and warns in warn mode', async () => {
    const baselineOnly = { ...restrictedPod('loose'), spec: { containers: [{ name: 'app', image: 'nginx' }] } };
    const open = await review(webhook, baselineOnly, { namespace: 'open' });
    assert.equal(open.body.response.allowed, true); // default enforce: baseline
    assert.equal((await review(webhook, privilegedPod(), { namespace: 'open' })).body.response.allowed, false);
    const warned = await review(webhook, baselineOnly, { namespace: 'warned' });
    assert.equal(warned.body.response.allowed, true);
    const warnings = warned.body.response.warnings as string[];
    assert.ok(warnings.some((w) => w.includes('[run-as-non-root]') && w.includes('restricted:latest')), warnings.join('\n'));
    assert.ok(warnings.some((w) => w.includes('[image-tag-latest]')), 'library check in warn mode');
  });

  it('audit mode admits and records the violations as audit annotations and in the history', async () => {
    const answer = await review(webhook, { ...restrictedPod('audited-pod'), spec: { containers: [{ name: 'a', image: 'x:1', securityContext: { capabilities: { drop: ['ALL'] }, allowPrivilegeEscalation: false } }], securityContext: { seccompProfile: { type: 'RuntimeDefault' } } } }, { namespace: 'audited' });
    assert.equal(answer.body.response.allowed, true);
    assert.match(answer.body.response.auditAnnotations['audit-violations'], /run-as-non-root spec\.containers\[0\]\.securityContext\.runAsNonRoot/);
    const named = (r: Record<string, unknown>) => (r['resource'] as { name: string }).name === 'audited-pod';
    const record = (await historyWhen(webhook, (records) => records.some(named))).find(named)!;
    assert.ok(record, 'recorded');
    assert.deepEqual((record['violations'] as { audit: { checkId: string }[] }).audit.map((v) => v.checkId), ['run-as-non-root']);
    assert.equal((record['object'] as KubeObject).kind, 'Pod');
  });

  it('reads an invalid level label as restricted and says so', async () => {
    const baselineOnly = { ...restrictedPod('t'), spec: { containers: [{ name: 'app', image: 'nginx:1' }] } };
    const answer = await review(webhook, baselineOnly, { namespace: 'typo' });
    assert.equal(answer.body.response.allowed, false);
    assert.match(answer.body.response.warnings.join('\n'), /aspis\.io\/enforce="restriced" must be one of privileged, baseline, restricted/);
  });

  it('honours exemptions for namespaces, usernames and runtime classes', async () => {
    assert.equal((await review(webhook, privilegedPod(), { namespace: 'kube-system' })).body.response.allowed, true);
    assert.equal((await review(webhook, privilegedPod(), { namespace: 'strict', username: 'system:serviceaccount:kube-system:trusted' })).body.response.allowed, true);
    const kata = { ...privilegedPod(), spec: { ...(privilegedPod()['spec'] as object), runtimeClassName: 'kata' } };
    assert.equal((await review(webhook, kata, { namespace: 'strict' })).body.response.allowed, true);
  });

  it('applies .aspis.yaml exceptions like the scanner, and reports them', async () => {
    const netdebug = { ...restrictedPod('netdebug'), spec: { ...(restrictedPod()['spec'] as object), hostNetwork: true } };
    const answer = await review(webhook, netdebug, { namespace: 'strict' });
    assert.equal(answer.body.response.allowed, true);
    assert.match(answer.body.response.auditAnnotations['waived'], /host-namespaces spec\.hostNetwork \(.*\.aspis\.yaml:3\)/);
    const other = { ...netdebug, metadata: { name: 'other' } };
    assert.equal((await review(webhook, other, { namespace: 'strict' })).body.response.allowed, false);
  });

  it('ignores waiver annotations at admission unless enabled', async () => {
    const annotated = { ...privilegedPod('self-waived'), metadata: { name: 'self-waived', annotations: { 'waiver.aspis.dev/privileged-containers': 'trust me' } } };
    const answer = await review(webhook, annotated, { namespace: 'strict' });
    assert.ok((answer.body.response.status.details.causes as { message: string }[]).some((c) => c.message.startsWith('[privileged-containers]')));
  });

  it('break-glass admits for permitted users only and always records an alert naming the user', async () => {
    const glass = { ...privilegedPod('glass'), metadata: { name: 'glass', annotations: { 'aspis.io/break-glass': 'INC-42 node recovery' } } };
    const refused = await review(webhook, glass, { namespace: 'strict', username: 'mallory', groups: ['developers'] });
    assert.equal(refused.body.response.allowed, false);
    assert.match(refused.body.response.status.message, /break-glass refused: user "mallory"/);
    const used = await review(webhook, glass, { namespace: 'strict', username: 'olivia', groups: ['oncall'] });
    assert.equal(used.body.response.allowed, true);
    assert.match(used.body.response.warnings.join('\n'), /break-glass by olivia/);
    assert.match(used.body.response.auditAnnotations['break-glass'], /olivia: INC-42/);
    const isAlert = (r: Record<string, unknown>) => r['type'] === 'break-glass' && (r['user'] as { username: string }).username === 'olivia';
    const alerts = (await historyWhen(webhook, (records) => records.some(isAlert))).filter((r) => r['type'] === 'break-glass');
    const alert = alerts.find((a) => (a['user'] as { username: string }).username === 'olivia')!;
    assert.ok(alert, JSON.stringify(alerts));
    assert.equal(alert['used'], true);
    assert.equal(alert['reason'], 'INC-42 node recovery');
    assert.ok((alert['violations'] as unknown[]).length > 0);
    // A dry-run break-glass request records nothing.
    const before = (await historyWhen(webhook, (records) => records.filter(isAlert).length === 1 && records.some((r) => r['type'] === 'review' && (r['user'] as { username: string }).username === 'olivia'))).length;
    await review(webhook, glass, { namespace: 'strict', username: 'olivia', groups: ['oncall'], dryRun: true });
    // A marker review written after the dry run: once it is in the file, the dry run would be too.
    await review(webhook, restrictedPod('marker'), { namespace: 'strict' });
    const after = await historyWhen(webhook, (records) => records.some((r) => (r['resource'] as { name: string }).name === 'marker'));
    assert.equal(after.length, before + 1);
  });

  it('skips updates that leave the pod template alone (scale, labels)', async () => {
    const old = deploymentOf(privilegedPod());
    const scaled = { ...old, metadata: { name: 'web', labels: { tier: 'x' } }, spec: { ...(old['spec'] as object), replicas: 5 } };
    const answer = await review(webhook, scaled, { namespace: 'strict', operation: 'UPDATE', oldObject: old });
    assert.equal(answer.body.response.allowed, true);
    const changed = { ...scaled, spec: { ...(scaled['spec'] as Record<string, unknown>), template: { spec: { containers: [{ name: 'x', image: 'y', securityContext: { privileged: true } }] } } } };
    assert.equal((await review(webhook, changed, { namespace: 'strict', operation: 'UPDATE', oldObject: old })).body.response.allowed, false);
  });

  it('admits kinds no check applies to, and DELETE requests', async () => {
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } };
    assert.equal((await review(webhook, configMap, { namespace: 'strict' })).body.response.allowed, true);
    const deletion = reviewOf(privilegedPod(), { namespace: 'strict', operation: 'DELETE' });
    assert.equal((await post(webhook, '/validate', JSON.stringify(deletion))).body.response.allowed, true);
  });

  it('mutates only by adding unset fields of the listed checks', async () => {
    const pod = { ...restrictedPod('m'), spec: { containers: [{ name: 'app', image: 'nginx:1', securityContext: { privileged: true } }] } };
    const answer = await review(webhook, pod, { namespace: 'strict' }, '/mutate');
    assert.equal(answer.body.response.allowed, true);
    assert.equal(answer.body.response.patchType, 'JSONPatch');
    const patch = JSON.parse(Buffer.from(answer.body.response.patch, 'base64').toString('utf8')) as Operation[];
    assert.ok(patch.every((op) => op.op === 'add'));
    const patched = jsonPatch.applyPatch(structuredClone(pod), patch, true, false).newDocument as { spec: { containers: { securityContext: Record<string, unknown> }[] } };
    const sc = patched.spec.containers[0]!.securityContext;
    assert.equal(sc['allowPrivilegeEscalation'], false);
    assert.deepEqual(sc['seccompProfile'], { type: 'RuntimeDefault' });
    assert.equal(sc['privileged'], true, 'an explicit value is never overridden');
  });

  it('serves HTTP/2 (what the apiserver negotiates): many reviews multiplexed on one connection', async () => {
    const session = http2Connect(webhook.url, { ca: webhook.certs.caCert });
    try {
      const ask = (object: KubeObject) =>
        new Promise<{ status: number; body: any }>((resolve, reject) => { // eslint-disable-line @typescript-eslint/no-explicit-any
          const body = JSON.stringify(reviewOf(object, { namespace: 'strict' }));
          const stream = session.request({ ':method': 'POST', ':path': '/validate?timeout=10s', 'content-type': 'application/json' });
          let status = 0;
          const chunks: Buffer[] = [];
          stream.on('response', (headers) => (status = Number(headers[':status'])));
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => resolve({ status, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
          stream.on('error', reject);
          stream.end(body);
        });
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => ask(i % 2 === 0 ? restrictedPod(`p${i}`) : privilegedPod(`p${i}`))));
      answers.forEach((answer, i) => {
        assert.equal(answer.status, 200);
        assert.equal(answer.body.response.allowed, i % 2 === 0);
      });
    } finally {
      session.close();
    }
  });

  describe('bad input', () => {
    it('malformed JSON: 400 with a Status body', async () => {
      const answer = await post(webhook, '/validate', '{"apiVersion": ');
      assert.equal(answer.status, 400);
      assert.equal(answer.body.kind, 'Status');
      assert.match(answer.body.message, /not valid JSON/);
    });

    it('not an AdmissionReview or no request uid: 400 naming the field', async () => {
      assert.match((await post(webhook, '/validate', '[]')).body.message, /not a JSON object/);
      assert.match((await post(webhook, '/validate', JSON.stringify({ apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview' }))).body.message, /apiVersion must be "admission.k8s.io\/v1"/);
      const noUid = reviewOf(restrictedPod()) as { request: Record<string, unknown> };
      delete noUid.request['uid'];
      const answer = await post(webhook, '/validate', JSON.stringify(noUid));
      assert.equal(answer.status, 400);
      assert.match(answer.body.message, /request\.uid/);
    });

    it('a review with a uid but a missing field: the failure policy (Fail) denies, naming the field', async () => {
      const noObject = reviewOf(restrictedPod(), { uid: 'u-missing' }) as { request: Record<string, unknown> };
      delete noObject.request['object'];
      const answer = await post(webhook, '/validate', JSON.stringify(noObject));
      assert.equal(answer.status, 200);
      assert.equal(answer.body.response.uid, 'u-missing');
      assert.equal(answer.body.response.allowed, false);
      assert.match(answer.body.response.status.message, /request\.object is required for CREATE/);
      const badOp = reviewOf(restrictedPod()) as { request: Record<string, unknown> };
      badOp.request['operation'] = 'PATCH';
      assert.match((await post(webhook, '/validate', JSON.stringify(badOp))).body.response.status.message, /request\.operation must be one of/);
    });

    it('wrong content type: 415; wrong method: 405; unknown path: 404', async () => {
      const body = JSON.stringify(reviewOf(restrictedPod()));
      assert.equal((await post(webhook, '/validate', body, { 'content-type': 'text/plain' })).status, 415);
      assert.equal((await post(webhook, '/validate', body, { 'content-type': 'application/yaml' })).status, 415);
      assert.equal((await post(webhook, '/validate', '', {}, 'GET')).status, 405);
      assert.equal((await post(webhook, '/admit', body)).status, 404);
    });

    it('oversized body: 413, and the server keeps serving', async () => {
      const huge = reviewOf({ ...restrictedPod(), metadata: { name: 'huge', annotations: { pad: 'x'.repeat(100_000) } } });
      const answer = await post(webhook, '/validate', JSON.stringify(huge));
      assert.equal(answer.status, 413);
      assert.equal(answer.body.reason, 'RequestEntityTooLarge');
      assert.equal((await review(webhook, restrictedPod(), { namespace: 'strict' })).body.response.allowed, true);
    });

    it('oversized body without a content-length (chunked): 413', async () => {
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpsRequest(`${webhook.url}/validate`, { method: 'POST', ca: webhook.certs.caCert, headers: { 'content-type': 'application/json' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', (error) => ((error as NodeJS.ErrnoException).code === 'ECONNRESET' || (error as NodeJS.ErrnoException).code === 'EPIPE' ? resolve(-1) : reject(error)));
        for (let i = 0; i < 20; i++) req.write('x'.repeat(8 * 1024));
        req.end();
      });
      assert.ok(status === 413 || status === -1, `status ${status}`);
      assert.equal((await review(webhook, restrictedPod(), { namespace: 'strict' })).status, 200);
    });

    it('TLS failures (untrusted server certificate, plain HTTP, garbage) do not stop the server', async () => {
      await assert.rejects(
        new Promise((resolve, reject) => httpsRequest(`${webhook.url}/healthz`, (res) => resolve(res.statusCode)).on('error', reject).end()),
        /self-signed|unable to verify|certificate/i,
      );
      const plain = await new Promise<string>((resolve) => {
        const req = httpRequest(`http://127.0.0.1:${webhook.port}/healthz`, (res) => resolve(String(res.statusCode)));
        req.on('error', (error) => resolve((error as NodeJS.ErrnoException).code ?? 'error'));
        req.end();
      });
      assert.notEqual(plain, '200');
      await new Promise<void>((resolve) => {
        const socket = tlsConnect({ host: '127.0.0.1', port: webhook.port, rejectUnauthorized: false, minVersion: 'TLSv1', maxVersion: 'TLSv1.1' });
        socket.on('error', () => resolve());
        socket.on('secureConnect', () => {
          socket.destroy();
          resolve();
        });
      });
      assert.equal((await review(webhook, restrictedPod(), { namespace: 'strict' })).body.response.allowed, true);
    });
  });
});

describe('webhook server certificate rotation', () => {
  it('serves a new certificate after setCertificate, without a restart', async () => {
    const webhook = await startWebhook({ labels });
    try {
      const { createWebhookCertificates } = await import('../../src/server/webhook/webhook-certs.js');
      const next = await createWebhookCertificates({ service: 'aspis-webhook', namespace: 'aspis', extraNames: ['127.0.0.1'] });
      webhook.server.setCertificate({ cert: next.cert, key: next.key });
      const status = await new Promise<number>((resolve, reject) => {
        httpsRequest(`${webhook.url}/healthz`, { ca: next.caCert, agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
      assert.equal(status, 200);
      await assert.rejects(post(webhook, '/healthz', '', {}, 'GET'), /self-signed|unable to verify|certificate/i);
    } finally {
      await webhook.stop();
    }
  });
});

describe('webhook server shutdown', () => {
  it('drains an in-flight review, then refuses new connections', async () => {
    const webhook = await startWebhook({ labels });
    try {
      const body = JSON.stringify(reviewOf(privilegedPod(), { namespace: 'strict' }));
      let answered: Promise<Answer>;
      const sent = new Promise<void>((ready) => {
        answered = new Promise<Answer>((resolve, reject) => {
          const req = httpsRequest(`${webhook.url}/validate`, { method: 'POST', ca: webhook.certs.caCert, headers: { 'content-type': 'application/json', 'content-length': String(body.length) } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
          });
          req.on('error', reject);
          req.write(body.slice(0, 100));
          // Half the body is on the wire: the review is in flight when stop() starts.
          setTimeout(() => {
            ready();
            setTimeout(() => req.end(body.slice(100)), 200);
          }, 100);
        });
      });
      await sent;
      assert.equal(webhook.server.pending, 1);
      const stopping = webhook.server.stop(5000);
      assert.equal(webhook.server.ready(), false);
      const answer = await answered!;
      assert.equal(answer.status, 200);
      assert.equal(answer.body.response.allowed, false);
      assert.equal(answer.headers['connection'], 'close');
      await stopping;
      await assert.rejects(post(webhook, '/healthz', '', {}, 'GET'), /ECONNREFUSED/);
    } finally {
      await webhook.stop();
    }
  });
});

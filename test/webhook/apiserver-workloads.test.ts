/**
 * Through a real kube-apiserver: every workload kind whose pod template violates the namespace's Aspis profile is
 * denied with the template field path (PodSecurity itself only warns for those); a compliant Deployment is created;
 * a label added to a namespace after the webhook started is enforced (the namespace watch sees it); break-glass
 * admits and records who used it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startControlPlane } from '../harness/control-plane.js';
import type { ControlPlane } from '../harness/control-plane.js';
import { registerWebhook, startWebhook } from './running-webhook.js';
import type { RunningWebhook } from './running-webhook.js';
import { deploymentOf, privilegedPod, restrictedPod } from './review-of.js';

const PRIVILEGED_SPEC = { containers: [{ name: 'app', image: 'nginx:1', securityContext: { privileged: true } }], restartPolicy: 'Never' };
const template = { metadata: { labels: { app: 'x' } }, spec: PRIVILEGED_SPEC };
const WORKLOADS: { path: string; body: Record<string, unknown>; field: string }[] = [
  { path: '/apis/apps/v1/namespaces/NS/deployments', body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'x' } }, template: { ...template, spec: { ...PRIVILEGED_SPEC, restartPolicy: 'Always' } } } }, field: 'spec.template.spec.containers[0].securityContext.privileged' },
  { path: '/apis/apps/v1/namespaces/NS/statefulsets', body: { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's' }, spec: { serviceName: 's', selector: { matchLabels: { app: 'x' } }, template: { ...template, spec: { ...PRIVILEGED_SPEC, restartPolicy: 'Always' } } } }, field: 'spec.template.spec.containers[0].securityContext.privileged' },
  { path: '/apis/apps/v1/namespaces/NS/daemonsets', body: { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ds' }, spec: { selector: { matchLabels: { app: 'x' } }, template: { ...template, spec: { ...PRIVILEGED_SPEC, restartPolicy: 'Always' } } } }, field: 'spec.template.spec.containers[0].securityContext.privileged' },
  { path: '/apis/apps/v1/namespaces/NS/replicasets', body: { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs' }, spec: { selector: { matchLabels: { app: 'x' } }, template: { ...template, spec: { ...PRIVILEGED_SPEC, restartPolicy: 'Always' } } } }, field: 'spec.template.spec.containers[0].securityContext.privileged' },
  { path: '/api/v1/namespaces/NS/replicationcontrollers', body: { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc' }, spec: { selector: { app: 'x' }, template: { ...template, spec: { ...PRIVILEGED_SPEC, restartPolicy: 'Always' } } } }, field: 'spec.template.spec.containers[0].securityContext.privileged' },
  { path: '/apis/batch/v1/namespaces/NS/jobs', body: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: PRIVILEGED_SPEC } } }, field: 'spec.template.spec.containers[0].securityContext.privileged' },
  { path: '/apis/batch/v1/namespaces/NS/cronjobs', body: { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cj' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: PRIVILEGED_SPEC } } } } }, field: 'spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged' },
  { path: '/api/v1/namespaces/NS/podtemplates', body: { apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 'pt' }, template: { spec: PRIVILEGED_SPEC } }, field: 'template.spec.containers[0].securityContext.privileged' },
];

describe('Aspis webhook in a real apiserver: workloads', () => {
  let cp: ControlPlane;
  let webhook: RunningWebhook;
  before(async () => {
    cp = await startControlPlane();
    webhook = await startWebhook({ kubeconfig: cp.kubeconfigFor('admin'), webhookConfig: 'breakGlass:\n  usernames: [aspis-admin]\n' });
    await cp.createNamespace('team-a', { labels: { 'aspis.io/enforce': 'baseline' } });
    await cp.createNamespace('later');
    await registerWebhook(cp, webhook);
    for (const deadline = Date.now() + 30_000; ; ) {
      const r = await cp.request('POST', '/api/v1/namespaces/team-a/pods?dryRun=All', privilegedPod('probe'));
      if (r.status === 403 && JSON.stringify(r.body).includes('validate.aspis.io')) break;
      if (Date.now() > deadline) throw new Error('the webhook is not called');
      await new Promise((done) => setTimeout(done, 100));
    }
  });
  after(async () => {
    await webhook?.stop();
    await cp?.stop();
  });

  for (const workload of WORKLOADS) {
    it(`denies a ${workload.body['kind']} whose pod template violates, naming ${workload.field}`, async () => {
      const r = await cp.request<{ message: string; details?: { causes?: { field: string; message: string }[] } }>('POST', workload.path.replace('NS', 'team-a'), workload.body);
      assert.equal(r.status, 403, JSON.stringify(r.body));
      assert.match(r.body.message, /admission webhook "validate\.aspis\.io" denied the request/);
      assert.ok(r.body.message.includes(`[privileged-containers] ${workload.field}`), r.body.message);
      assert.ok(r.body.details?.causes?.some((c) => c.field === workload.field), JSON.stringify(r.body.details));
    });
  }

  it('creates a compliant Deployment', async () => {
    const r = await cp.request('POST', '/apis/apps/v1/namespaces/team-a/deployments', deploymentOf(restrictedPod(), 'fine'));
    assert.equal(r.status, 201, JSON.stringify(r.body));
  });

  it('enforces a label added to a namespace after the webhook started', async () => {
    assert.equal((await cp.request('POST', '/api/v1/namespaces/later/pods?dryRun=All', privilegedPod('p'))).status, 201);
    const patched = await cp.request('PATCH', '/api/v1/namespaces/later', { metadata: { labels: { 'aspis.io/enforce': 'baseline' } } }, { contentType: 'application/merge-patch+json' });
    assert.equal(patched.status, 200);
    for (const deadline = Date.now() + 10_000; ; ) {
      const r = await cp.request('POST', '/api/v1/namespaces/later/pods?dryRun=All', privilegedPod('p'));
      if (r.status === 403) break;
      assert.ok(Date.now() < deadline, 'the label change was not seen within 10 s');
      await new Promise((done) => setTimeout(done, 50));
    }
  });

  it('break-glass admits a violating Deployment for a permitted user and records the alert', async () => {
    const glass = deploymentOf(privilegedPod(), 'glass');
    glass.metadata = { name: 'glass', annotations: { 'aspis.io/break-glass': 'INC-7 restore' } };
    const r = await cp.request('POST', '/apis/apps/v1/namespaces/team-a/deployments', glass);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    for (const deadline = Date.now() + 5000; ; ) {
      const alerts = readFileSync(webhook.historyPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; user: { username: string }; used: boolean; reason: string });
      const alert = alerts.find((a) => a.type === 'break-glass' && a.used);
      if (alert) {
        assert.equal(alert.user.username, 'aspis-admin');
        assert.equal(alert.reason, 'INC-7 restore');
        break;
      }
      assert.ok(Date.now() < deadline, 'no break-glass alert recorded');
      await new Promise((done) => setTimeout(done, 50));
    }
  });
});

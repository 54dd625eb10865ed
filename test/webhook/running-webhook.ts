/**
 * Test wiring: the webhook server in this process on a loopback port with a fresh CA, and its registration in a
 * real apiserver (by URL with that caBundle: the apiserver calls https://127.0.0.1:<port>/validate).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createWebhookCertificates } from '../../src/server/webhook/webhook-certs.js';
import type { WebhookCertificates } from '../../src/server/webhook/webhook-certs.js';
import { AdmissionHandler } from '../../src/server/webhook/admission-handler.js';
import type { ReviewObservation } from '../../src/server/webhook/admission-handler.js';
import { loadAdmissionPolicy } from '../../src/server/webhook/load-admission-policy.js';
import { StaticNamespaceLabels } from '../../src/server/webhook/namespace-labels.js';
import { startNamespaceSource } from '../../src/server/webhook/namespace-source.js';
import type { Labels, NamespaceLabelSource } from '../../src/server/webhook/namespace-labels.js';
import { JsonlReviewRecorder } from '../../src/server/webhook/review-recorder.js';
import { WebhookServer } from '../../src/server/webhook/webhook-server.js';
import type { ControlPlane } from '../harness/control-plane.js';

export interface RunningWebhook {
  port: number;
  url: string;
  certs: WebhookCertificates;
  server: WebhookServer;
  historyPath: string;
  logPath: string;
  namespaces: NamespaceLabelSource;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Webhook configuration YAML text. */
  webhookConfig?: string;
  /** .aspis.yaml text. */
  aspisConfig?: string;
  /** Namespace labels watched through this kubeconfig; else fixed labels. */
  kubeconfig?: string;
  labels?: Map<string, Labels>;
  maxBodyBytes?: number;
  /** Folder of ValidatingAdmissionPolicies (--policies). */
  policies?: string;
  observe?: (o: ReviewObservation) => void;
  clock?: () => Date;
}

export async function startWebhook(options: StartOptions = {}): Promise<RunningWebhook> {
  const dir = mkdtempSync(join(tmpdir(), 'aspis-webhook-test-'));
  const webhookConfigPath = join(dir, 'webhook.yaml');
  const aspisConfigPath = join(dir, '.aspis.yaml');
  writeFileSync(webhookConfigPath, options.webhookConfig ?? '{}\n');
  writeFileSync(aspisConfigPath, options.aspisConfig ?? '{}\n');
  const { policy, errors } = loadAdmissionPolicy({ cwd: dir, config: aspisConfigPath, webhookConfig: webhookConfigPath, ...(options.policies ? { policies: options.policies } : {}) });
  if (errors.length > 0) throw new Error(`webhook configuration: ${JSON.stringify(errors)}`);
  const historyPath = join(dir, 'history.jsonl');
  const logPath = join(dir, 'webhook.log');
  const logger = pino({ level: 'debug' }, pino.destination({ dest: logPath, sync: true }));
  const certs = await createWebhookCertificates({ service: 'aspis-webhook', namespace: 'aspis', extraNames: ['127.0.0.1', 'localhost'] });
  let namespaces: NamespaceLabelSource;
  if (options.kubeconfig) {
    namespaces = await startNamespaceSource({ kubeconfig: options.kubeconfig, onError: (error) => logger.error({ err: error.message }, 'namespace watch') });
  } else namespaces = new StaticNamespaceLabels(options.labels ?? new Map());
  const recorder = new JsonlReviewRecorder(historyPath);
  const handler = new AdmissionHandler({
    policy,
    namespaces,
    logger,
    recorder,
    ...(options.observe ? { observe: options.observe } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const server = new WebhookServer({
    handler,
    namespaces,
    logger,
    tls: { cert: certs.cert, key: certs.key },
    host: '127.0.0.1',
    port: 0,
    ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
  });
  const { port } = await server.start();
  return {
    port,
    url: `https://127.0.0.1:${port}`,
    certs,
    server,
    historyPath,
    logPath,
    namespaces,
    async stop() {
      await server.stop(5000);
      await namespaces.stop();
      await recorder.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Registers the running webhook in the apiserver for every workload kind, in namespaces matching `namespaceSelector`. */
export async function registerWebhook(
  cp: ControlPlane,
  webhook: RunningWebhook,
  options: { name?: string; failurePolicy?: 'Fail' | 'Ignore'; timeoutSeconds?: number; namespaceSelector?: object; rules?: object[] } = {},
): Promise<void> {
  const { webhookManifests } = await import('../../src/server/webhook/webhook-manifests.js');
  const generated = webhookManifests({
    namespace: 'aspis',
    service: 'aspis-webhook',
    image: 'aspis:test',
    caBundle: webhook.certs.caCert,
    failurePolicy: options.failurePolicy ?? 'Fail',
    timeoutSeconds: 3,
    replicas: 1,
    mutate: false,
    webhookConfig: '',
    aspisConfig: '',
    tlsSecret: 'x',
  });
  const configuration = generated.find((o) => o['kind'] === 'ValidatingWebhookConfiguration') as { webhooks: Record<string, unknown>[]; metadata: Record<string, unknown> };
  const [hook] = configuration.webhooks as [Record<string, unknown>];
  const clientConfig = hook['clientConfig'] as { caBundle: string };
  const registered = {
    ...configuration,
    metadata: { name: options.name ?? 'aspis-webhook' },
    webhooks: [
      {
        ...hook,
        // Called by URL on loopback instead of through a Service; a loaded 2-core test host gets the most time.
        clientConfig: { url: `${webhook.url}/validate`, caBundle: clientConfig.caBundle },
        timeoutSeconds: options.timeoutSeconds ?? 10,
        failurePolicy: options.failurePolicy ?? 'Fail',
        ...(options.namespaceSelector ? { namespaceSelector: options.namespaceSelector } : {}),
        ...(options.rules ? { rules: options.rules } : {}),
        matchConditions: [],
      },
    ],
  };
  await cp.apply(registered as never);
}

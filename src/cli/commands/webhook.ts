/**
 * `aspis webhook serve|certs|manifests`: the admission webhook, its certificates and its Kubernetes manifests.
 * Wiring and flags only; the webhook lives in src/server/webhook/.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { existsSync, mkdirSync, readFileSync, unwatchFile, watchFile, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { formatErrorSource } from '../../outputs/text.js';
import { AdmissionHandler } from '../../server/webhook/admission-handler.js';
import { loadAdmissionPolicy } from '../../server/webhook/load-admission-policy.js';
import { startNamespaceSource } from '../../server/webhook/namespace-source.js';
import { JsonlReviewRecorder } from '../../server/webhook/review-recorder.js';
import { DEFAULT_MAX_BODY_BYTES, WebhookServer } from '../../server/webhook/webhook-server.js';
import { DEFAULT_WEBHOOK_CONFIG, manifestsYaml, webhookManifests } from '../../server/webhook/webhook-manifests.js';
import type { InputError } from '../../core/model/report.js';
import { EXIT } from '../exit-codes.js';

interface Env {
  version: string;
  setExitCode(code: number): void;
}

interface ServeOptions {
  cert: string;
  key: string;
  port: string;
  host: string;
  config?: string;
  webhookConfig?: string;
  policies?: string;
  kubeconfig?: string;
  context?: string;
  history?: string;
  failurePolicy?: 'Fail' | 'Ignore';
  logLevel: string;
  maxBodyBytes: string;
  shutdownTimeout: string;
}

interface CertsOptions {
  namespace: string;
  service: string;
  outDir: string;
  host?: string[];
  days: string;
  force?: boolean;
}

interface ManifestsOptions {
  namespace: string;
  service: string;
  image: string;
  caFile: string;
  failurePolicy: 'Fail' | 'Ignore';
  timeout: string;
  replicas: string;
  mutate?: boolean;
  webhookConfig?: string;
  config?: string;
  tlsSecret: string;
  outputFile?: string;
}

function list(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

function positiveInteger(text: string, flag: string, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`${flag} must be an integer from 1 to ${max}, got "${text}"`);
  return value;
}

function printErrors(errors: readonly InputError[]): void {
  for (const error of errors) {
    process.stderr.write(`aspis: ${formatErrorSource(error)}${error.field ? ` ${error.field}` : ''}: ${error.message}\n`);
  }
}

export function registerWebhook(program: Command, env: Env): void {
  const webhook = program.command('webhook').description('admission webhook: enforce the checks at admission (serve), its certificates and manifests');

  webhook
    .command('serve')
    .description('serve the validating (and mutating) admission webhook over HTTPS until SIGTERM/SIGINT, then drain')
    .requiredOption('--cert <file>', 'serving certificate (PEM), e.g. from aspis webhook certs')
    .requiredOption('--key <file>', 'private key of the serving certificate (PEM)')
    .option('--port <port>', 'HTTPS port', '8443')
    .option('--host <address>', 'address to listen on', '0.0.0.0')
    .option('-c, --config <file>', '.aspis.yaml: checks, severities, settings, exceptions (default: ./.aspis.yaml when present)')
    .option('--webhook-config <file>', 'webhook configuration: defaults, exemptions, checks per mode, break-glass, history (docs/webhook.md)')
    .option('--policies <dir>', 'ValidatingAdmissionPolicies and bindings (YAML/JSON files) evaluated beside the checks; one that does not compile stops the start')
    .option('--kubeconfig <file>', 'kubeconfig for reading Namespace labels (default: $KUBECONFIG, ~/.kube/config, then in-cluster)')
    .option('--context <name>', 'kubeconfig context')
    .option('--history <file>', 'record reviews and break-glass alerts to this JSON Lines file (overrides history.file)')
    .addOption(new Option('--failure-policy <policy>', 'what to do when a review cannot be evaluated (overrides failurePolicy)').choices(['Fail', 'Ignore']))
    .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .option('--max-body-bytes <n>', 'largest AdmissionReview body accepted', String(DEFAULT_MAX_BODY_BYTES))
    .option('--shutdown-timeout <ms>', 'how long to wait for in-flight reviews on shutdown', '10000')
    .action(async (options: ServeOptions) => env.setExitCode(await serve(options)));

  webhook
    .command('certs')
    .description('create a CA and a serving certificate for the webhook Service (ca.crt, ca.key, tls.crt, tls.key)')
    .option('--namespace <name>', 'namespace of the webhook Service', 'aspis')
    .option('--service <name>', 'name of the webhook Service', 'aspis-webhook')
    .option('--out-dir <dir>', 'directory to write the files to', '.')
    .option('--host <names>', 'extra DNS names or IP addresses for the certificate, comma-separated', list)
    .option('--days <n>', 'validity in days', '365')
    .option('--force', 'overwrite existing files')
    .action(async (options: CertsOptions) => env.setExitCode(await certs(options)));

  webhook
    .command('manifests')
    .description('print the Kubernetes manifests of the webhook: Namespace, RBAC, Deployment, Service, PDB, NetworkPolicy, webhook configuration')
    .requiredOption('--ca-file <file>', 'CA certificate (PEM) that signed the serving certificate: becomes the caBundle')
    .option('--namespace <name>', 'namespace to install into', 'aspis')
    .option('--service <name>', 'name of the Service and Deployment', 'aspis-webhook')
    .option('--image <image>', 'container image of aspis', `ghcr.io/aspis-dev/aspis:${env.version}`)
    .addOption(new Option('--failure-policy <policy>', 'what the apiserver does when the webhook cannot answer').choices(['Fail', 'Ignore']).default('Fail'))
    .option('--timeout <seconds>', 'webhook timeoutSeconds (1-3)', '3')
    .option('--replicas <n>', 'Deployment replicas', '2')
    .option('--mutate', 'also register the mutating webhook (/mutate) for the checks listed under mutate')
    .option('--webhook-config <file>', 'webhook configuration to ship in the ConfigMap (default: a commented default)')
    .option('-c, --config <file>', '.aspis.yaml to ship in the ConfigMap (default: ./.aspis.yaml when present, else empty)')
    .option('--tls-secret <name>', 'Secret (kubernetes.io/tls) with the serving certificate', 'aspis-webhook-tls')
    .option('--output-file <file>', 'write the manifests to a file instead of stdout')
    .action((options: ManifestsOptions) => env.setExitCode(manifests(options)));
}

async function serve(options: ServeOptions): Promise<number> {
  const logger = pino({ level: options.logLevel, base: { component: 'aspis-webhook' } });
  // 0 picks a free port (logged as "webhook listening"), for tests and benchmarks.
  const port = options.port === '0' ? 0 : positiveInteger(options.port, '--port', 65535);
  const maxBodyBytes = positiveInteger(options.maxBodyBytes, '--max-body-bytes');
  const shutdownTimeout = positiveInteger(options.shutdownTimeout, '--shutdown-timeout');
  const { policy, errors, scanResults } = loadAdmissionPolicy({
    cwd: process.cwd(),
    onScanResultsError: (error) => logger.error({ err: error.message }, 'scan results not refreshed; keeping the last loaded'),
    ...(options.config !== undefined ? { config: options.config } : {}),
    ...(options.webhookConfig !== undefined ? { webhookConfig: options.webhookConfig } : {}),
    ...(options.policies !== undefined ? { policies: options.policies } : {}),
    override: (config) => {
      if (options.history !== undefined) config.history.file = options.history;
      if (options.failurePolicy !== undefined) config.failurePolicy = options.failurePolicy;
    },
  });
  if (errors.length > 0) {
    printErrors(errors);
    scanResults?.close();
    process.stderr.write('aspis: the webhook does not start with an invalid configuration\n');
    return EXIT.error;
  }
  if (scanResults) logger.info(scanResults.stats(), 'scan results loaded');
  let tls: { cert: Buffer; key: Buffer };
  try {
    tls = { cert: readFileSync(options.cert), key: readFileSync(options.key) };
  } catch (error) {
    process.stderr.write(`aspis: cannot read the serving certificate: ${(error as Error).message}\n`);
    return EXIT.error;
  }
  let namespaces: Awaited<ReturnType<typeof startNamespaceSource>>;
  try {
    namespaces = await startNamespaceSource({
      ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
      ...(options.context !== undefined ? { context: options.context } : {}),
      onError: (error) => logger.error({ err: error.message.split('\n')[0] }, 'namespace watch failed; retrying'),
    });
  } catch (error) {
    process.stderr.write(`aspis: cannot read namespaces from the API: ${(error as Error).message}\n`);
    return EXIT.error;
  }
  logger.info({ via: namespaces.via }, 'namespace labels synced');
  const recorder = policy.config.history.file ? new JsonlReviewRecorder(policy.config.history.file) : undefined;
  const handler = new AdmissionHandler({ policy, namespaces, logger, ...(recorder ? { recorder } : {}) });
  const server = new WebhookServer({ handler, namespaces, logger, tls, port, host: options.host, maxBodyBytes });
  try {
    await server.start();
  } catch (error) {
    process.stderr.write(`aspis: cannot listen on ${options.host}:${port}: ${(error as Error).message}\n`);
    return EXIT.error;
  }
  // Certificate rotation (a Secret volume swaps its files): reload the serving certificate when the files change.
  const reload = () => {
    try {
      server.setCertificate({ cert: readFileSync(options.cert), key: readFileSync(options.key) });
      logger.info('serving certificate reloaded');
    } catch (error) {
      logger.error({ err: (error as Error).message }, 'serving certificate not reloaded; keeping the previous one');
    }
  };
  watchFile(options.cert, { interval: 10_000 }, reload);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  unwatchFile(options.cert);
  await server.stop(shutdownTimeout);
  await namespaces.stop();
  await recorder?.close();
  scanResults?.close();
  if (recorder && recorder.dropped > 0) logger.warn({ dropped: recorder.dropped }, 'history lines dropped (the file fell behind)');
  return EXIT.ok;
}

async function certs(options: CertsOptions): Promise<number> {
  // Loaded on use: the X.509 library installs a global Reflect polyfill other commands do not need.
  const { createWebhookCertificates } = await import('../../server/webhook/webhook-certs.js');
  const days = positiveInteger(options.days, '--days', 3650);
  const files = { 'ca.crt': 'caCert', 'ca.key': 'caKey', 'tls.crt': 'cert', 'tls.key': 'key' } as const;
  const existing = Object.keys(files).filter((name) => existsSync(join(options.outDir, name)));
  if (existing.length > 0 && !options.force) {
    process.stderr.write(`aspis: ${existing.map((name) => join(options.outDir, name)).join(', ')} already exist: use --force to replace them\n`);
    return EXIT.error;
  }
  const made = await createWebhookCertificates({ service: options.service, namespace: options.namespace, extraNames: options.host ?? [], days });
  mkdirSync(options.outDir, { recursive: true });
  for (const [name, field] of Object.entries(files)) {
    writeFileSync(join(options.outDir, name), made[field], { mode: name.endsWith('.key') ? 0o600 : 0o644 });
  }
  process.stdout.write(
    `wrote ${Object.keys(files).map((name) => join(options.outDir, name)).join(', ')}\n` +
      `next: kubectl -n ${options.namespace} create secret tls aspis-webhook-tls --cert=${join(options.outDir, 'tls.crt')} --key=${join(options.outDir, 'tls.key')}\n` +
      `      aspis webhook manifests --ca-file ${join(options.outDir, 'ca.crt')} | kubectl apply -f -\n`,
  );
  return EXIT.ok;
}

function manifests(options: ManifestsOptions): number {
  const read = (file: string, what: string): string => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`cannot read ${what} ${file}: ${(error as Error).message}`);
    }
  };
  const caBundle = read(options.caFile, 'the CA certificate');
  if (!caBundle.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`${options.caFile} is not a PEM certificate`);
  const timeoutSeconds = positiveInteger(options.timeout, '--timeout', 3);
  const aspisConfig = options.config !== undefined ? read(options.config, 'the configuration') : existsSync('.aspis.yaml') ? read('.aspis.yaml', 'the configuration') : '{}\n';
  const yaml = manifestsYaml(
    webhookManifests({
      namespace: options.namespace,
      service: options.service,
      image: options.image,
      caBundle,
      failurePolicy: options.failurePolicy,
      timeoutSeconds,
      replicas: positiveInteger(options.replicas, '--replicas', 100),
      mutate: options.mutate === true,
      webhookConfig: options.webhookConfig !== undefined ? read(options.webhookConfig, 'the webhook configuration') : DEFAULT_WEBHOOK_CONFIG,
      aspisConfig,
      tlsSecret: options.tlsSecret,
    }),
  );
  if (options.outputFile !== undefined) writeFileSync(options.outputFile, yaml);
  else process.stdout.write(yaml);
  return EXIT.ok;
}

/**
 * The webhook server under benchmark, in its own process (so its RSS and CPU are its own): started by
 * bench/admission.bench.ts. Env: ADMISSION_STACK=node (the webhook's server: node:http2, HTTP/1.1 allowed)|https|fastify, ADMISSION_KUBECONFIG (namespace labels from an
 * informer; else every namespace is restricted), ADMISSION_HISTORY (JSONL file). Prints `READY <port> <caCert
 * JSON>` and answers stdin lines: `STATS` (evaluation latency histogram percentiles, RSS) and `STOP`.
 */
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { ALL_CHECKS } from '../src/checks/index.js';
import { defaultCheckContext } from '../src/core/model/check-context.js';
import { AdmissionPolicy } from '../src/server/webhook/admission-policy.js';
import { AdmissionHandler } from '../src/server/webhook/admission-handler.js';
import { resolveWebhookConfig } from '../src/server/webhook/webhook-config.js';
import { startNamespaceSource } from '../src/server/webhook/namespace-source.js';
import type { NamespaceLabelSource } from '../src/server/webhook/namespace-labels.js';
import { JsonlReviewRecorder } from '../src/server/webhook/review-recorder.js';
import { WebhookServer } from '../src/server/webhook/webhook-server.js';
import { createWebhookCertificates } from '../src/server/webhook/webhook-certs.js';

/** Evaluation latency histogram: 1 µs buckets up to 100 ms (bounded memory however long the soak). */
const BUCKETS = 100_000;
const histogram = new Uint32Array(BUCKETS + 1);
let count = 0;
let peakRss = 0;

function observe(ns: number): void {
  histogram[Math.min(BUCKETS, Math.floor(ns / 1000))]!++;
  count++;
}

function percentileUs(p: number): number {
  const target = Math.ceil((p / 100) * count);
  let seen = 0;
  for (let i = 0; i <= BUCKETS; i++) {
    seen += histogram[i]!;
    if (seen >= target) return i + 1;
  }
  return BUCKETS;
}

const stack = process.env['ADMISSION_STACK'] ?? 'node';
const logger = pino({ level: 'warn' });
const policy = new AdmissionPolicy({
  config: resolveWebhookConfig({ ...(process.env['ADMISSION_HISTORY'] ? { history: { file: process.env['ADMISSION_HISTORY'] } } : {}) }),
  catalog: ALL_CHECKS,
  selected: ALL_CHECKS,
  ctx: defaultCheckContext(),
  waivers: [],
});
let namespaces: NamespaceLabelSource;
if (process.env['ADMISSION_KUBECONFIG']) {
  namespaces = await startNamespaceSource({ kubeconfig: process.env['ADMISSION_KUBECONFIG'], onError: (e) => logger.error(e.message) });
} else {
  // Every namespace enforces, warns and audits the full PSS restricted set.
  const restricted = { 'aspis.io/enforce': 'restricted', 'aspis.io/warn': 'restricted', 'aspis.io/audit': 'restricted' };
  namespaces = { labelsOf: () => restricted, ready: () => true, stop: async () => undefined } satisfies NamespaceLabelSource;
}
const recorder = process.env['ADMISSION_HISTORY'] ? new JsonlReviewRecorder(process.env['ADMISSION_HISTORY']) : undefined;
const handler = new AdmissionHandler({ policy, namespaces, logger, ...(recorder ? { recorder } : {}), observe: (o) => observe(o.evaluationNs) });
const certs = await createWebhookCertificates({ service: 'aspis-webhook', namespace: 'aspis', extraNames: ['127.0.0.1'] });

let port: number;
let stop: () => Promise<void>;
if (stack === 'https') {
  // Plain node:https (HTTP/1.1 only) around the same handler, for the stack comparison.
  const { createServer } = await import('node:https');
  const server = createServer({ cert: certs.cert, key: certs.key, keepAliveTimeout: 65_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handler.answer('validate', Buffer.concat(chunks)).then((answer) => {
        res.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer.body) });
        res.end(answer.body);
      });
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  port = (server.address() as { port: number }).port;
  stop = () => new Promise<void>((done) => {
    server.close(() => done());
    server.closeAllConnections();
  });
} else if (stack === 'fastify') {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ https: { cert: certs.cert, key: certs.key }, logger: false, bodyLimit: 8 * 1024 * 1024 });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post('/validate', async (request, reply) => {
    const answer = await handler.answer('validate', request.body as Buffer);
    return reply.code(answer.status).type('application/json').send(answer.body);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as { port: number }).port;
  stop = () => app.close();
} else {
  const server = new WebhookServer({ handler, namespaces, logger, tls: { cert: certs.cert, key: certs.key }, host: '127.0.0.1', port: 0 });
  port = (await server.start()).port;
  stop = () => server.stop(5000);
}

const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
process.stdout.write(`READY ${port} ${JSON.stringify(certs.caCert)}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'STATS') {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const stats = {
      reviews: count,
      evaluationUs: { p50: percentileUs(50), p99: percentileUs(99), p999: percentileUs(99.9) },
      rssMb: Math.round(process.memoryUsage().rss / 1e5) / 10,
      peakRssMb: Math.round(peakRss / 1e5) / 10,
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1e2) / 10,
      dropped: recorder?.dropped ?? 0,
    };
    histogram.fill(0);
    count = 0;
    process.stdout.write(`STATS ${JSON.stringify(stats)}\n`);
  } else if (line === 'STOP') break;
}
clearInterval(sampler);
await stop();
await recorder?.close();
await namespaces.stop();
process.exit(0);

/**
 * The floor for the end-to-end admission benchmark: a webhook that evaluates nothing. It reads the review's uid and
 * answers `allowed: true`, over the same TLS certificate and HTTP/2 settings as `aspis webhook serve`, so the
 * difference between a plain run and a run with it is what the apiserver itself spends calling any webhook
 * (encoding the review, TLS, HTTP/2, waiting) — the part no webhook can save. Started by bench/admission.bench.ts
 * (ADMISSION_E2E_WEBHOOK=null) with `--cert FILE --key FILE`; prints the same `webhook listening` log line as the CLI.
 */
import { readFileSync } from 'node:fs';
import { createSecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';

const arg = (name: string) => {
  const at = process.argv.indexOf(name);
  if (at < 0) throw new Error(`null-webhook: ${name} is required`);
  return process.argv[at + 1]!;
};

const server = createSecureServer({ cert: readFileSync(arg('--cert')), key: readFileSync(arg('--key')), allowHTTP1: true, settings: { maxConcurrentStreams: 1000, initialWindowSize: 1024 * 1024 } });
server.on('session', (session) => session.setLocalWindowSize(16 * 1024 * 1024));
server.on('request', (req, res) => {
  if (req.url === '/readyz' || req.url === '/healthz') {
    req.resume();
    res.end('ok');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const uid = /"uid":"([^"]+)"/.exec(Buffer.concat(chunks).toString('utf8'))?.[1] ?? '';
    const body = `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"${uid}","allowed":true}}`;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
// NULL_WEBHOOK_RAW=1: HTTP/2 streams answered through the core API instead of the compatibility layer (to compare).
if (process.env['NULL_WEBHOOK_RAW'] === '1') {
  server.removeAllListeners('stream');
  server.on('stream', (stream, headers) => {
    if (headers[':path'] === '/readyz' || headers[':path'] === '/healthz') {
      stream.respond({ ':status': 200 });
      stream.end('ok');
      return;
    }
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const uid = /"uid":"([^"]+)"/.exec(Buffer.concat(chunks).toString('utf8'))?.[1] ?? '';
      const body = `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"${uid}","allowed":true}}`;
      stream.respond({ ':status': 200, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      stream.end(body);
    });
  });
}
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ msg: 'webhook listening', port: (server.address() as AddressInfo).port })));
process.on('SIGTERM', () => process.exit(0));

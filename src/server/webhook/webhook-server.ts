/**
 * The webhook's HTTPS server on plain node core modules (measured faster than fastify 5 on this hot path: see
 * docs/performance.md): node:http2 with HTTP/1.1 allowed. The apiserver negotiates HTTP/2 and multiplexes its
 * calls over one connection; over HTTP/1.1 it opened a new TLS connection for a third of the reviews under
 * concurrency, which cost more CPU than evaluating them. Routes: POST /validate and /mutate (AdmissionReview v1), GET /healthz (the process
 * answers) and /readyz (namespace labels synced and not shutting down). Bad input gets an HTTP error with a Status
 * body and never stops the server: wrong method 405, wrong content type 415, body over the limit 413, unreadable
 * JSON or review 400. stop() drains: readiness turns false, no new connections are accepted, in-flight reviews are
 * answered (with `Connection: close`), idle keep-alive connections are closed, and after `timeoutMs` the rest.
 */
import { createSecureServer } from 'node:http2';
import type { Http2SecureServer, Http2ServerRequest, Http2ServerResponse, ServerHttp2Session } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from 'pino';
import type { AdmissionHandler, HandlerAnswer } from './admission-handler.js';
import { statusAnswer } from './admission-handler.js';
import type { NamespaceLabelSource } from './namespace-labels.js';

export interface WebhookServerOptions {
  handler: AdmissionHandler;
  namespaces: NamespaceLabelSource;
  logger: Logger;
  tls: { cert: string | Buffer; key: string | Buffer };
  host?: string;
  port?: number;
  /** Largest accepted body (default 8 MiB: an object and its old version, each up to the apiserver's 3 MiB). */
  maxBodyBytes?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
/** HTTP/2 flow-control windows: per stream (a large review), and per connection (many reviews in flight). */
const STREAM_WINDOW_BYTES = 1024 * 1024;
const CONNECTION_WINDOW_BYTES = 16 * 1024 * 1024;

export class WebhookServer {
  private readonly server: Http2SecureServer;
  private readonly sessions = new Set<ServerHttp2Session>();
  /** HTTP/1.1 connections and how many requests each has in flight (idle ones are closed on shutdown). */
  private readonly http1 = new Map<Socket, number>();
  private readonly maxBodyBytes: number;
  private inFlight = 0;
  private connections = 0;
  private requests = 0;
  private draining = false;
  private drained: (() => void) | undefined;

  constructor(private readonly options: WebhookServerOptions) {
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.server = createSecureServer(
      {
        cert: options.tls.cert,
        key: options.tls.key,
        minVersion: 'TLSv1.2',
        allowHTTP1: true,
        // The apiserver sends each review on its own stream of one connection: with the default 64 KiB windows, 200
        // reviews in flight (~3 KiB each) wait for window updates; a window of a full body per stream avoids that.
        settings: { maxConcurrentStreams: 1000, initialWindowSize: STREAM_WINDOW_BYTES },
      },
      (req, res) => this.route(req, res),
    );
    this.server.setTimeout(65_000);
    this.server.on('secureConnection', (socket: Socket & { alpnProtocol?: string | false }) => {
      this.connections++;
      if (socket.alpnProtocol !== 'h2') {
        this.http1.set(socket, 0);
        socket.once('close', () => this.http1.delete(socket));
      }
    });
    this.server.on('session', (session) => {
      session.setLocalWindowSize(CONNECTION_WINDOW_BYTES);
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
    });
    this.server.on('tlsClientError', (error) => options.logger.debug({ err: error.message }, 'TLS handshake failed'));
  }

  async start(): Promise<{ port: number }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 8443, this.options.host ?? '0.0.0.0', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const port = (this.server.address() as AddressInfo).port;
    this.options.logger.info({ port }, 'webhook listening');
    return { port };
  }

  /** Replaces the serving certificate (rotation) without dropping connections. */
  setCertificate(tls: { cert: string | Buffer; key: string | Buffer }): void {
    this.server.setSecureContext({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' });
  }

  ready(): boolean {
    return !this.draining && this.options.namespaces.ready();
  }

  get pending(): number {
    return this.inFlight;
  }

  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    const { logger } = this.options;
    logger.info({ inFlight: this.inFlight }, 'draining');
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // HTTP/2: GOAWAY, streams in flight finish. HTTP/1.1: idle connections close now, busy ones after their answer.
    for (const session of this.sessions) session.close();
    this.closeIdleHttp1();
    if (this.inFlight > 0) {
      const finished = new Promise<void>((resolve) => (this.drained = resolve));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([finished, timeout]);
      clearTimeout(timer);
      if (this.inFlight > 0) logger.warn({ inFlight: this.inFlight }, 'drain timed out; closing the remaining connections');
    }
    for (const session of this.sessions) session.destroy();
    for (const socket of this.http1.keys()) socket.destroy();
    await closed;
    logger.info({ connections: this.connections, requests: this.requests }, 'stopped');
  }

  private closeIdleHttp1(): void {
    for (const [socket, busy] of this.http1) if (busy === 0) socket.end();
  }

  private route(req: Http2ServerRequest, res: Http2ServerResponse): void {
    this.inFlight++;
    this.requests++;
    const socket = req.httpVersionMajor === 1 ? (req.socket as unknown as Socket) : undefined;
    if (socket) this.http1.set(socket, (this.http1.get(socket) ?? 0) + 1);
    res.once('close', () => {
      this.inFlight--;
      if (socket && this.http1.has(socket)) this.http1.set(socket, this.http1.get(socket)! - 1);
      if (this.draining) {
        this.closeIdleHttp1();
        if (this.inFlight === 0) this.drained?.();
      }
    });
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    if (path === '/healthz' || path === '/readyz') {
      const ok = path === '/healthz' || this.ready();
      req.resume();
      this.send(res, { status: ok ? 200 : 503, body: ok ? 'ok' : 'not ready' }, 'text/plain');
      return;
    }
    if (path !== '/validate' && path !== '/mutate') return this.reject(req, res, statusAnswer(404, `no such endpoint ${path}: use /validate or /mutate`));
    if (req.method !== 'POST') return this.reject(req, res, statusAnswer(405, `${req.method ?? ''} is not allowed: POST an AdmissionReview`));
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      return this.reject(req, res, statusAnswer(415, `content type must be application/json, got ${JSON.stringify(req.headers['content-type'] ?? '')}`));
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.maxBodyBytes) return this.reject(req, res, statusAnswer(413, `body of ${declared} bytes exceeds the limit of ${this.maxBodyBytes}`), true);

    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > this.maxBodyBytes) {
        tooLarge = true;
        chunks.length = 0;
        this.reject(req, res, statusAnswer(413, `body exceeds the limit of ${this.maxBodyBytes} bytes`), true);
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (tooLarge) return;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      void this.options.handler.answer(path === '/validate' ? 'validate' : 'mutate', body).then((answer) => this.send(res, answer, 'application/json'));
    });
  }

  /** Answers an error; `close` ends the connection afterwards (the rest of an oversized body is not read). */
  private reject(req: Http2ServerRequest, res: Http2ServerResponse, answer: HandlerAnswer, close = false): void {
    const http1 = req.httpVersionMajor === 1;
    if (close && http1) res.setHeader('connection', 'close');
    if (!close) req.resume();
    this.send(res, answer, 'application/json', http1);
    // The rest of an oversized body is not read: HTTP/1.1 closes the connection, HTTP/2 resets the stream.
    if (close) res.once('finish', () => (http1 ? (req.socket as unknown as Socket).destroySoon() : req.stream.close()));
  }

  private send(res: Http2ServerResponse, answer: HandlerAnswer, contentType: string, http1 = res.req.httpVersionMajor === 1): void {
    // With allowHTTP1, HTTP/1.1 requests come as http.ServerResponse, which has no stream.
    if (res.headersSent || ('stream' in res && res.stream?.destroyed)) return;
    if (this.draining && http1) res.setHeader('connection', 'close');
    res.writeHead(answer.status, { 'content-type': contentType, 'content-length': Buffer.byteLength(answer.body) });
    res.end(answer.body);
  }
}

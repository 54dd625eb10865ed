/**
 * The webhook's HTTPS server on plain node:https (measured faster than fastify 5 on this hot path: see
 * docs/performance.md). Routes: POST /validate and /mutate (AdmissionReview v1), GET /healthz (the process
 * answers) and /readyz (namespace labels synced and not shutting down). Bad input gets an HTTP error with a Status
 * body and never stops the server: wrong method 405, wrong content type 415, body over the limit 413, unreadable
 * JSON or review 400. stop() drains: readiness turns false, no new connections are accepted, in-flight reviews are
 * answered (with `Connection: close`), idle keep-alive connections are closed, and after `timeoutMs` the rest.
 */
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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

export class WebhookServer {
  private readonly server: Server;
  private readonly maxBodyBytes: number;
  private inFlight = 0;
  private draining = false;
  private drained: (() => void) | undefined;

  constructor(private readonly options: WebhookServerOptions) {
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.server = createServer(
      {
        cert: options.tls.cert,
        key: options.tls.key,
        minVersion: 'TLSv1.2',
        // The apiserver keeps connections to webhooks open; close idle ones after a while, slow senders sooner.
        keepAliveTimeout: 65_000,
        headersTimeout: 10_000,
        requestTimeout: 30_000,
      },
      (req, res) => this.route(req, res),
    );
    this.server.on('tlsClientError', (error) => options.logger.debug({ err: error.message }, 'TLS handshake failed'));
    this.server.on('clientError', (error, socket) => {
      options.logger.debug({ err: error.message }, 'bad HTTP request');
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
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
    this.server.closeIdleConnections();
    if (this.inFlight > 0) {
      const finished = new Promise<void>((resolve) => (this.drained = resolve));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([finished, timeout]);
      clearTimeout(timer);
      if (this.inFlight > 0) logger.warn({ inFlight: this.inFlight }, 'drain timed out; closing the remaining connections');
    }
    this.server.closeAllConnections();
    await closed;
    logger.info('stopped');
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    this.inFlight++;
    res.once('close', () => {
      this.inFlight--;
      if (this.draining) {
        this.server.closeIdleConnections();
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
  private reject(req: IncomingMessage, res: ServerResponse, answer: HandlerAnswer, close = false): void {
    if (close) res.setHeader('connection', 'close');
    else req.resume();
    this.send(res, answer, 'application/json');
    if (close) res.once('finish', () => req.socket.destroySoon());
  }

  private send(res: ServerResponse, answer: HandlerAnswer, contentType: string): void {
    if (res.headersSent) return;
    if (this.draining) res.setHeader('connection', 'close');
    res.writeHead(answer.status, { 'content-type': contentType, 'content-length': Buffer.byteLength(answer.body) });
    res.end(answer.body);
  }
}

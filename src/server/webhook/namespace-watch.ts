/**
 * Namespace labels from a list + watch of Namespaces over plain node:https (see api-endpoint.ts): one LIST, then a
 * WATCH from its resourceVersion (bookmarks on); a watch that ends is resumed from the last version seen, an expired
 * version (410) or an error relists after a pause. Only names and labels are kept. A namespace not in the cache
 * (created a moment ago) is read with one GET.
 */
import { Agent, request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { ApiEndpoint } from './api-endpoint.js';
import type { Labels, NamespaceLabelSource } from './namespace-labels.js';

interface NamespaceObject {
  metadata?: { name?: string; labels?: Record<string, string>; resourceVersion?: string };
}

export class WatchedNamespaceLabels implements NamespaceLabelSource {
  private readonly labels = new Map<string, Labels>();
  private readonly agent: Agent;
  private resourceVersion = '';
  private synced = false;
  private stopped = false;
  private current: IncomingMessage | undefined;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly endpoint: ApiEndpoint,
    private readonly onError: (error: Error) => void = () => undefined,
    private readonly retryDelayMs = 1000,
  ) {
    this.agent = new Agent({ keepAlive: true, ...(endpoint.ca ? { ca: endpoint.ca } : {}), ...(endpoint.cert ? { cert: endpoint.cert, key: endpoint.key } : {}), rejectUnauthorized: !endpoint.insecure });
  }

  /** Lists, then watches in the background; resolves after the first list (rejects when it fails). */
  async start(): Promise<void> {
    await this.list();
    this.watch();
  }

  ready(): boolean {
    return this.synced;
  }

  labelsOf(namespace: string): Labels | undefined | Promise<Labels | undefined> {
    return this.labels.get(namespace) ?? this.read(namespace);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.current?.destroy();
    this.agent.destroy();
  }

  private get(path: string, timeoutMs: number): Promise<IncomingMessage> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = this.endpoint.token?.();
    if (token) headers['authorization'] = `Bearer ${token}`;
    return new Promise((resolve, reject) => {
      const req = request(
        { host: this.endpoint.server.hostname, port: this.endpoint.server.port || 443, path, method: 'GET', agent: this.agent, headers, timeout: timeoutMs },
        resolve,
      );
      req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  }

  private async json(path: string): Promise<{ status: number; body: unknown }> {
    const res = await this.get(path, 10_000);
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text for the message
    }
    return { status: res.statusCode ?? 0, body };
  }

  private async list(): Promise<void> {
    const { status, body } = await this.json('/api/v1/namespaces');
    if (status !== 200) throw new Error(`LIST namespaces at ${this.endpoint.server.origin} (${this.endpoint.source}): HTTP ${status} ${messageOf(body)}`);
    const list = body as { items?: NamespaceObject[]; metadata?: { resourceVersion?: string } };
    this.labels.clear();
    for (const item of list.items ?? []) this.keep(item);
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    this.synced = true;
  }

  private keep(item: NamespaceObject): void {
    if (item.metadata?.name) this.labels.set(item.metadata.name, item.metadata.labels ?? {});
  }

  private later(relist: boolean, error?: Error): void {
    if (this.stopped) return;
    if (error) this.onError(error);
    this.retry = setTimeout(() => {
      const next = relist ? this.list().then(() => this.watch()) : Promise.resolve(this.watch());
      next.catch((e: Error) => this.later(true, e));
    }, relist ? this.retryDelayMs : 0);
  }

  private watch(): void {
    if (this.stopped) return;
    const path = `/api/v1/namespaces?watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(this.resourceVersion)}`;
    this.get(path, 0).then(
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return this.later(true, new Error(`WATCH namespaces: HTTP ${res.statusCode}`));
        }
        this.current = res;
        let buffered = '';
        let expired = false;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffered += chunk;
          let newline: number;
          while ((newline = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, newline);
            buffered = buffered.slice(newline + 1);
            if (line.trim() === '') continue;
            const event = JSON.parse(line) as { type: string; object: NamespaceObject & { code?: number } };
            if (event.type === 'ERROR') {
              expired = event.object.code === 410;
              res.destroy();
              return;
            }
            const version = event.object.metadata?.resourceVersion;
            if (version) this.resourceVersion = version;
            if (event.type === 'ADDED' || event.type === 'MODIFIED') this.keep(event.object);
            else if (event.type === 'DELETED' && event.object.metadata?.name) this.labels.delete(event.object.metadata.name);
          }
        });
        res.on('close', () => this.later(expired, expired ? new Error('watch expired (410): relisting') : undefined));
      },
      (error: Error) => this.later(true, error),
    );
  }

  private async read(namespace: string): Promise<Labels | undefined> {
    const { status, body } = await this.json(`/api/v1/namespaces/${encodeURIComponent(namespace)}`);
    if (status === 404) return undefined;
    if (status !== 200) throw new Error(`cannot read namespace "${namespace}": HTTP ${status} ${messageOf(body)}`);
    return (body as NamespaceObject).metadata?.labels ?? {};
  }
}

function messageOf(body: unknown): string {
  return typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string }).message : String(body).slice(0, 200);
}

/**
 * A local HTTPS server answering LIST requests the way kube-apiserver does, for clusters too large to load into a
 * real one (the upstream scalability envelope: 150,000 Pods in 10,000 namespaces): `?limit=N` pages with an opaque
 * `continue` token and `remainingItemCount`, list `kind` `<Kind>List` with `metadata.resourceVersion`, items without
 * kind/apiVersion, metav1.Status errors. Items are generated per page from their position (bench/cluster-fixture-
 * objects.ts), so the server holds one page at a time whatever the cluster size.
 *
 * Serves every kind a cluster scan reads (SCANNED_KINDS): those without a fixture collection answer an empty list,
 * as a real cluster without such objects does. Bearer-token authentication (401 otherwise). Label and field selectors
 * are refused (400): the server does not evaluate them, and silently ignoring them would give wrong answers.
 */
import { createServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { SCANNED_KINDS } from '../src/sources/cluster/scanned-kinds.js';
import type { FixtureCollection } from './cluster-fixture-objects.js';

export interface ListFixtureServerOptions {
  collections: readonly FixtureCollection[];
  /** Namespaces of the fixture (`tenant-00000`…): namespaced collections have `count` items in each. */
  namespaces: number;
  token: string;
  /** PEM serving certificate (for 127.0.0.1) and key. */
  cert: string;
  key: string;
}

export interface ListFixtureStats {
  lists: number;
  items: number;
  bytes: number;
  /** Time between consecutive LIST requests: one page's generation, transfer and processing by the client. */
  pageIntervalsMs: number[];
}

export interface ListFixtureServer {
  url: string;
  stats: ListFixtureStats;
  close(): Promise<void>;
}

const RESOURCE_VERSION = '4242424';
/** Items written per chunk of a response body. */
const CHUNK_ITEMS = 50;

interface Collection {
  listKind: string;
  apiVersion: string;
  namespaced: boolean;
  count: number;
  json(namespace: number, index: number): string;
}

function sendStatus(response: ServerResponse, code: number, reason: string, message: string): void {
  response.writeHead(code, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
}

/** The apiserver's continue token is base64 JSON naming where to start; this one also carries the position. */
function encodeContinue(position: number, startKey: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: Number(RESOURCE_VERSION), start: `${startKey}\u0000`, pos: position })).toString('base64url');
}

function decodeContinue(token: string): number | undefined {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; pos?: unknown };
    return value.v === 'meta.k8s.io/v1' && Number.isInteger(value.pos) && (value.pos as number) >= 0 ? (value.pos as number) : undefined;
  } catch {
    return undefined;
  }
}

/** The namespace number of `tenant-NNNNN`, or undefined for any other name. */
function namespaceNumber(name: string, namespaces: number): number | undefined {
  const match = /^tenant-(\d{5})$/.exec(name);
  const n = match ? Number(match[1]) : NaN;
  return n < namespaces ? n : undefined;
}

export async function startListFixtureServer(options: ListFixtureServerOptions): Promise<ListFixtureServer> {
  const collections = new Map<string, Collection>();
  for (const kind of SCANNED_KINDS) {
    const apiVersion = kind.group === '' ? kind.version : `${kind.group}/${kind.version}`;
    collections.set(`${kind.group}/${kind.version}/${kind.resource}`, {
      listKind: `${kind.kind}List`,
      apiVersion,
      namespaced: kind.namespaced,
      count: 0,
      json: () => '',
    });
  }
  for (const collection of options.collections) collections.set(collection.key, collection);

  const stats: ListFixtureStats = { lists: 0, items: 0, bytes: 0, pageIntervalsMs: [] };
  let lastList: number | undefined;

  const list = async (response: ServerResponse, collection: Collection, namespace: string | undefined, query: URLSearchParams) => {
    if (query.get('labelSelector') || query.get('fieldSelector')) {
      return sendStatus(response, 400, 'BadRequest', 'the fixture server does not evaluate label or field selectors');
    }
    const limit = Number(query.get('limit') ?? '0');
    if (!Number.isInteger(limit) || limit < 0) return sendStatus(response, 400, 'BadRequest', `invalid limit ${query.get('limit')}`);
    // Items of a namespaced collection are laid out namespace by namespace; a namespace's items are one range.
    let first = 0;
    let end = collection.namespaced ? collection.count * options.namespaces : collection.count;
    if (namespace !== undefined) {
      const n = namespaceNumber(namespace, options.namespaces);
      first = n === undefined ? 0 : n * collection.count;
      end = n === undefined ? 0 : first + collection.count;
    }
    const token = query.get('continue');
    let start = first;
    if (token) {
      const position = decodeContinue(token);
      if (position === undefined || position < first || position > end) {
        return sendStatus(response, 400, 'BadRequest', 'continue key is not valid: the fixture server did not issue it');
      }
      start = position;
    }
    const stop = limit > 0 ? Math.min(end, start + limit) : end;
    const itemAt = (position: number): string =>
      collection.namespaced ? collection.json(Math.floor(position / collection.count), position % collection.count) : collection.json(0, position);
    const keyOf = (position: number): string => {
      const metadata = (JSON.parse(itemAt(position)) as { metadata: { namespace?: string; name: string } }).metadata;
      return metadata.namespace ? `${metadata.namespace}/${metadata.name}` : metadata.name;
    };
    const more = stop < end ? `,"continue":${JSON.stringify(encodeContinue(stop, keyOf(stop)))},"remainingItemCount":${end - stop}` : '';

    response.writeHead(200, { 'content-type': 'application/json' });
    let chunk = `{"kind":"${collection.listKind}","apiVersion":"${collection.apiVersion}","metadata":{"resourceVersion":"${RESOURCE_VERSION}"${more}},"items":[`;
    for (let position = start; position < stop; position++) {
      chunk += (position > start ? ',' : '') + itemAt(position);
      if ((position - start + 1) % CHUNK_ITEMS === 0) {
        stats.bytes += chunk.length;
        // Respect backpressure so a slow client never makes the server buffer a whole list.
        if (!response.write(chunk)) await once(response, 'drain');
        chunk = '';
      }
    }
    chunk += ']}';
    stats.bytes += chunk.length;
    stats.items += stop - start;
    response.end(chunk);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (request.headers.authorization !== `Bearer ${options.token}`) return sendStatus(response, 401, 'Unauthorized', 'Unauthorized');
    if (request.method !== 'GET') return sendStatus(response, 405, 'MethodNotAllowed', `${request.method} is not supported by the fixture server`);
    const url = new URL(request.url ?? '/', 'https://fixture');
    if (url.pathname === '/version') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ major: '1', minor: '34', gitVersion: 'v1.34.3', platform: 'linux/amd64' }));
      return;
    }
    // /api/v1[/namespaces/NS]/RESOURCE[/NAME] or /apis/GROUP/VERSION[/namespaces/NS]/RESOURCE[/NAME]
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    let group: string;
    let rest: string[];
    if (parts[0] === 'api') [group, rest] = ['', parts.slice(1)];
    else if (parts[0] === 'apis' && parts.length >= 3) [group, rest] = [parts[1]!, parts.slice(2)];
    else return sendStatus(response, 404, 'NotFound', 'the server could not find the requested resource');
    const [version, ...path] = rest;
    let namespace: string | undefined;
    if (path[0] === 'namespaces' && path.length >= 3) {
      namespace = path[1];
      path.splice(0, 2);
    }
    const collection = collections.get(`${group}/${version}/${path[0]}`);
    if (!collection || path.length > 2 || (namespace !== undefined && !collection.namespaced)) return sendStatus(response, 404, 'NotFound', 'the server could not find the requested resource');
    if (path.length === 2) {
      // GET of one object: only namespaces (what `scan cluster -n` checks).
      const n = path[0] === 'namespaces' && group === '' ? namespaceNumber(path[1]!, options.namespaces) : undefined;
      if (n === undefined) return sendStatus(response, 404, 'NotFound', `${path[0]} "${path[1]}" not found`);
      const body = collection.json(0, n);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(`{"kind":"Namespace","apiVersion":"v1",${body.slice(1)}`);
      return;
    }
    const now = performance.now();
    if (lastList !== undefined) stats.pageIntervalsMs.push(now - lastList);
    lastList = now;
    stats.lists++;
    await list(response, collection, namespace, url.searchParams);
  };

  const server = createServer({ cert: options.cert, key: options.key, keepAlive: true }, (request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendStatus(response, 500, 'InternalError', (error as Error).message);
      else response.destroy(error as Error);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

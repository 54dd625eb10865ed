/**
 * A small HTTP server answering LIST and GET requests in the API server's JSON shapes (paged with limit and continue,
 * items without kind/apiVersion, metav1.Status errors), for what the real apiserver cannot be made to do on demand:
 * expire a continue token (410 Gone), or hold objects with arbitrary ownerReferences and managedFields. Everything else
 * is tested against the real apiserver (test/harness/control-plane.ts).
 *
 * Label selectors: equality (`k=v`, comma-separated) only. Field selectors: `metadata.name=x` only.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SCANNED_KINDS } from '../../src/sources/cluster/scanned-kinds.js';
import { temporaryDirectory } from '../harness/temporary-directory.js';

export interface FixtureApiServerOptions {
  /**
   * Items per collection, keyed `group/version/resource` (core: `/v1/pods`); namespaced items carry metadata.namespace.
   * Every required kind of SCANNED_KINDS is served (empty when not given); other collections answer 404.
   */
  collections: Record<string, Record<string, unknown>[]>;
  /** Bearer token the server accepts (401 otherwise). */
  token: string;
  /** Collections (same keys) answered 403. */
  forbidden?: string[];
  /** Collections whose first continue token is answered 410 Gone once. */
  expireFirstContinue?: string[];
}

export interface FixtureApiServer {
  url: string;
  /** Request paths (with query) in order. */
  requests: string[];
  /** Writes a kubeconfig for this server (context `fixture`) with the given token, returns its path. */
  kubeconfig(token?: string): string;
  stop(): Promise<void>;
}

function status(response: ServerResponse, code: number, reason: string, message: string): void {
  response.writeHead(code, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
}

function keyOf(item: Record<string, unknown>): string {
  const meta = (item['metadata'] ?? {}) as { namespace?: string; name?: string };
  return meta.namespace !== undefined ? `${meta.namespace}/${meta.name}` : String(meta.name);
}

function labelsMatch(item: Record<string, unknown>, selector: string | null): boolean {
  if (!selector) return true;
  const labels = ((item['metadata'] as { labels?: Record<string, string> } | undefined)?.labels ?? {}) as Record<string, string>;
  return selector.split(',').every((term) => {
    const [key, value] = term.split('=');
    return labels[key!] === value;
  });
}

export async function startFixtureApiServer(options: FixtureApiServerOptions): Promise<FixtureApiServer> {
  const requests: string[] = [];
  const expired = new Set<string>();
  const sorted = new Map<string, Record<string, unknown>[]>();
  const served: Record<string, Record<string, unknown>[]> = {};
  for (const kind of SCANNED_KINDS) if (!kind.optional) served[`${kind.group}/${kind.version}/${kind.resource}`] = [];
  for (const [key, items] of Object.entries({ ...served, ...options.collections })) sorted.set(key, [...items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0)));

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    requests.push(request.url ?? '');
    if (request.headers.authorization !== `Bearer ${options.token}`) return status(response, 401, 'Unauthorized', 'Unauthorized');
    const url = new URL(request.url ?? '/', 'http://fixture');
    const parts = url.pathname.split('/').filter(Boolean);
    // /api/v1[/namespaces/ns]/resource[/name] or /apis/group/version[/namespaces/ns]/resource[/name]
    let group = '';
    let rest: string[];
    if (parts[0] === 'api') rest = parts.slice(1);
    else if (parts[0] === 'apis') {
      group = parts[1] ?? '';
      rest = parts.slice(2);
    } else return status(response, 404, 'NotFound', 'the server could not find the requested resource');
    const version = rest[0];
    let namespace: string | undefined;
    if (rest[1] === 'namespaces' && rest.length >= 4) {
      namespace = rest[2];
      rest = rest.slice(3);
    } else rest = rest.slice(1);
    const [resource, name] = rest;
    if (resource === undefined) {
      // Discovery: the resources of a group/version.
      const resources = [...sorted.keys()].filter((k) => k.startsWith(`${group}/${version}/`)).map((k) => ({ name: k.split('/')[2] }));
      if (resources.length === 0) return status(response, 404, 'NotFound', 'the server could not find the requested resource');
      response.writeHead(200, { 'content-type': 'application/json' });
      return void response.end(JSON.stringify({ kind: 'APIResourceList', groupVersion: group ? `${group}/${version}` : version, resources }));
    }
    const key = `${group}/${version}/${resource}`;
    const items = sorted.get(key);
    if (!items) return status(response, 404, 'NotFound', 'the server could not find the requested resource');
    if (options.forbidden?.includes(key)) {
      return status(response, 403, 'Forbidden', `${resource} is forbidden: User "fixture" cannot list resource "${resource}"`);
    }
    if (name !== undefined) {
      const found = items.find((item) => (item['metadata'] as { name?: string }).name === name);
      if (!found) return status(response, 404, 'NotFound', `${resource} "${name}" not found`);
      response.writeHead(200, { 'content-type': 'application/json' });
      return void response.end(JSON.stringify(found));
    }
    const fieldName = url.searchParams.get('fieldSelector')?.replace(/^metadata\.name=/, '');
    const selected = items.filter(
      (item) =>
        (namespace === undefined || (item['metadata'] as { namespace?: string }).namespace === namespace) &&
        (fieldName === undefined || (item['metadata'] as { name?: string }).name === fieldName) &&
        labelsMatch(item, url.searchParams.get('labelSelector')),
    );
    const limit = Number(url.searchParams.get('limit') ?? selected.length);
    const token = url.searchParams.get('continue');
    if (token && options.expireFirstContinue?.includes(key) && !expired.has(key)) {
      expired.add(key);
      return status(response, 410, 'Expired', 'The provided continue parameter is too old to display a consistent list result.');
    }
    const start = token ? Number(Buffer.from(token, 'base64').toString()) : 0;
    const page = selected.slice(start, start + limit);
    const next = start + limit < selected.length ? Buffer.from(String(start + limit)).toString('base64') : undefined;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ kind: 'List', apiVersion: version, metadata: { resourceVersion: '1', ...(next ? { continue: next } : {}) }, items: page }));
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = temporaryDirectory('aspis-fixture-api-');
  let written = 0;
  return {
    url,
    requests,
    kubeconfig(token = options.token) {
      const path = join(dir, `kubeconfig-${written++}`);
      writeFileSync(
        path,
        stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [{ name: 'fixture', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
          users: [{ name: 'fixture-user', user: { token } }],
          contexts: [{ name: 'fixture', context: { cluster: 'fixture', user: 'fixture-user' } }],
          'current-context': 'fixture',
        }),
      );
      return path;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

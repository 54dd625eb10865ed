/**
 * Paged LIST of one kind in one scope: `?limit=N` then `&continue=TOKEN` until the server has no more, so that at most
 * one page of objects is in memory. A continue token can expire (410 Gone, after about five minutes with the default
 * etcd compaction): the list then starts again and skips what was already returned, relying on the API server
 * listing objects in storage-key order (namespace/name), so every object is returned once.
 */
import { ApiError, apiStatusOf, credentialsRejected } from './api-error.js';
import type { KubeConnection } from './kube-connection.js';
import type { ScannedKind } from './scanned-kinds.js';

export interface ListRequest {
  kind: ScannedKind;
  /** Lists in this namespace; all namespaces (or the cluster scope) when absent. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  pageSize: number;
}

/** One page: its items as the server sent them (without kind and apiVersion). */
export type ListPage = Record<string, unknown>[];

const RETRIES = 4;

/** The URL path of a kind's collection, in a namespace or across all of them. */
export function collectionPath(kind: ScannedKind, namespace?: string): string {
  const root = kind.group === '' ? `/api/${kind.version}` : `/apis/${kind.group}/${kind.version}`;
  const scope = kind.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${root}${scope}/${kind.resource}`;
}

/**
 * Yields the pages of a LIST. Throws ApiError for an answer about this request (403, 404, 400 for a bad selector…)
 * and ClusterAccessError when the cluster cannot be used (unreachable, 401). `onRestart` is told when an expired
 * continue token made the list start again.
 */
export async function* listPages(connection: KubeConnection, request: ListRequest, onRestart?: (message: string) => void): AsyncGenerator<ListPage> {
  let token: string | undefined;
  /** Storage key of the last object returned, once a restart has to skip what came before it. */
  let skipThrough: string | undefined;
  let lastKey: string | undefined;
  const pathFor = (continueToken: string | undefined): string => {
    const query = new URLSearchParams({ limit: String(request.pageSize) });
    if (request.labelSelector) query.set('labelSelector', request.labelSelector);
    if (request.fieldSelector) query.set('fieldSelector', request.fieldSelector);
    if (continueToken) query.set('continue', continueToken);
    return `${collectionPath(request.kind, request.namespace)}?${query.toString()}`;
  };
  /** The next page, asked for before the current one is handed out: the server works while the caller scans. */
  let prefetched: ReturnType<KubeConnection['get']> | undefined;
  for (;;) {
    const path = pathFor(token);
    const response = await (prefetched ?? getWithRetries(connection, path));
    prefetched = undefined;

    if (response.status === 410 && token !== undefined) {
      onRestart?.(
        `the continue token of the ${request.kind.resource} list expired (410 Gone): listing ${request.kind.resource} again ` +
          `from the start, skipping the objects already read`,
      );
      token = undefined;
      skipThrough = lastKey;
      continue;
    }
    if (response.status === 401) {
      throw credentialsRejected(connection);
    }
    if (response.status < 200 || response.status >= 300) {
      const status = apiStatusOf(response.body);
      throw new ApiError(response.status, status, status?.message ?? `the server answered ${response.status}`);
    }

    const body = response.body as { items?: unknown; metadata?: { continue?: unknown } } | undefined;
    if (!body || !Array.isArray(body.items)) throw new ApiError(response.status, undefined, `the answer to ${path} is not a list`);
    let items = body.items as Record<string, unknown>[];
    if (skipThrough !== undefined) {
      const after = skipThrough;
      items = items.filter((item) => storageKey(item) > after);
    }
    if (items.length > 0) lastKey = storageKey(items[items.length - 1]!);

    const next = body.metadata?.continue;
    const more = typeof next === 'string' && next !== '';
    if (more) {
      token = next;
      prefetched = getWithRetries(connection, pathFor(token));
      // Awaited on the next turn; if the caller stops before that, its failure must not be an unhandled rejection.
      prefetched.catch(() => undefined);
    }
    yield items;
    if (!more) return;
  }
}

/** The order the API server lists objects in: by namespace, then name (as etcd keys compare). */
function storageKey(item: Record<string, unknown>): string {
  const metadata = (item['metadata'] ?? {}) as { namespace?: unknown; name?: unknown };
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  return typeof metadata.namespace === 'string' ? `${metadata.namespace}/${name}` : name;
}

/** GET with retries on 429 (API priority and fairness) and 5xx, waiting as Retry-After asks (bounded). */
async function getWithRetries(connection: KubeConnection, path: string): ReturnType<KubeConnection['get']> {
  for (let attempt = 0; ; attempt++) {
    const response = await connection.get(path);
    const transient = response.status === 429 || response.status === 500 || response.status === 503 || response.status === 504;
    if (!transient || attempt >= RETRIES) return response;
    const retryAfter = (response.body as { details?: { retryAfterSeconds?: unknown } } | undefined)?.details?.retryAfterSeconds;
    const seconds = typeof retryAfter === 'number' && retryAfter > 0 ? Math.min(retryAfter, 10) : 0.2 * 2 ** attempt;
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  }
}

/**
 * The cluster source of `aspis scan cluster` (and of inventory and live RBAC analysis): reads the scanned kinds from a
 * live API server with paged LISTs, one kind at a time, and yields one batch per page, shaped as the manifests
 * source's batches, so that memory holds one page at a time.
 *
 * - Objects are projected (see project-object.ts) and carry `origin: {type: 'cluster', context}`.
 * - Objects controlled by a workload of the scan are left out and counted (see controller-coverage.ts), unless
 *   `includeControlled`.
 * - Nothing is silently skipped: a kind the credentials may not list (403), a kind the server does not serve (404),
 *   a namespace that does not exist, a label selector that matches nothing, each becomes an error of the batch
 *   naming the kind and the missing permission; the other kinds are still read. An optional kind (a CRD such as
 *   CiliumNetworkPolicy) that the server's discovery does not list is not an error: there are none. A cluster that cannot be used at all
 *   (no kubeconfig, unknown context, unreachable server, rejected credentials) gives one error and ends the batches.
 * - With `namespaces`, namespaced kinds are listed in each of them and the Namespace objects themselves are read;
 *   other cluster-scoped kinds (ClusterRoles, ClusterRoleBindings) are read only when scanning all namespaces.
 */
import type { InputError } from '../../core/model/report.js';
import { refOf } from '../../core/model/resource.js';
import type { KubeObject, Resource } from '../../core/model/resource.js';
import { ApiError, ClusterAccessError, apiStatusOf, credentialsRejected, permissionText } from './api-error.js';
import { ControllerCoverage, listingOrder } from './controller-coverage.js';
import type { ConnectOptions, KubeConnection } from './kube-connection.js';
import { listPages } from './list-pages.js';
import { apiVersionOf, projectObject } from './project-object.js';
import { SCANNED_KINDS } from './scanned-kinds.js';
import type { ScannedKind } from './scanned-kinds.js';

export interface ClusterBatchesOptions extends ConnectOptions {
  /** Namespaces to scan; all namespaces when absent or empty. */
  namespaces?: readonly string[];
  /** Kubernetes label selector (`app=web,tier!=db`), applied to every kind. */
  labelSelector?: string;
  /** Kinds to read (default SCANNED_KINDS). */
  kinds?: readonly ScannedKind[];
  /** Objects per LIST page (default 500, as kubectl). */
  pageSize?: number;
  /** Also yield objects controlled by a workload of the scan (Pods of ReplicaSets…), e.g. for an inventory. */
  includeControlled?: boolean;
  onProgress?: (event: ClusterProgress) => void;
  /** A connection to use instead of opening one from the kubeconfig; it is left open. */
  connection?: KubeConnection;
}

export interface ClusterBatch {
  resources: Resource[];
  errors: InputError[];
  /** Objects of this page left out because a workload of the scan controls them (0 with includeControlled). */
  skipped: number;
}

export type ClusterProgress =
  | { type: 'start'; context: string; server: string }
  /** After each page: `listed` objects of this kind (and scope) so far, `total` objects read in the whole scan. */
  | { type: 'page'; kind: string; resource: string; namespace?: string; listed: number; skipped: number; total: number }
  | { type: 'note'; message: string }
  /** An optional kind (a CRD) the server does not serve: there are none to read. */
  | { type: 'not-served'; kind: string; resource: string; apiVersion: string }
  | { type: 'done'; objects: number; skipped: number; skippedByKind: Record<string, number>; errors: number };

export const DEFAULT_PAGE_SIZE = 500;

export async function* clusterBatches(options: ClusterBatchesOptions = {}): AsyncGenerator<ClusterBatch> {
  const progress = options.onProgress ?? (() => {});
  let connection: KubeConnection;
  try {
    // Loaded when needed: @kubernetes/client-node takes about a second to import, which commands that read no
    // cluster (scan manifests, webhook serve) must not pay.
    connection = options.connection ?? (await import('./kube-connection.js')).connect(options);
  } catch (error) {
    if (!(error instanceof ClusterAccessError)) throw error;
    yield { resources: [], errors: [{ source: 'kubeconfig', message: error.message }], skipped: 0 };
    return;
  }
  try {
    yield* new ClusterReader(connection, options, progress).batches();
  } finally {
    if (!options.connection) connection.close();
  }
}

class ClusterReader {
  private readonly kinds: ScannedKind[];
  private readonly pageSize: number;
  private readonly coverage: ControllerCoverage;
  private readonly origin: Resource['origin'];
  private total = 0;
  private yielded = 0;
  private skipped = 0;
  private errors = 0;
  private readonly skippedByKind: Record<string, number> = {};
  /** The namespaces listed in (undefined: all). */
  private namespaces: string[] | undefined;
  /** Resources each group/version serves, from discovery (undefined: could not tell). */
  private readonly discovered = new Map<string, Promise<ReadonlySet<string> | undefined>>();

  constructor(
    private readonly connection: KubeConnection,
    private readonly options: ClusterBatchesOptions,
    private readonly progress: (event: ClusterProgress) => void,
  ) {
    this.kinds = listingOrder(options.kinds ?? SCANNED_KINDS);
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1) throw new Error(`pageSize must be a positive integer, not ${this.pageSize}`);
    this.coverage = new ControllerCoverage(this.kinds);
    this.origin = { type: 'cluster', context: connection.context };
  }

  private error(message: string): InputError {
    this.errors++;
    return { source: this.connection.label, message };
  }

  async *batches(): AsyncGenerator<ClusterBatch> {
    const { connection, options } = this;
    this.progress({ type: 'start', context: connection.context, server: connection.server });
    const requested = [...new Set(options.namespaces ?? [])];
    const allNamespaces = requested.length === 0;
    try {
      let namespaces: string[] | undefined;
      if (!allNamespaces) {
        const checked = await this.readNamespaces(requested);
        namespaces = checked.namespaces;
        this.namespaces = namespaces;
        yield checked.batch;
        const skippedKinds = this.kinds.filter((kind) => !kind.namespaced && kind.kind !== 'Namespace').map((kind) => kind.kind);
        if (skippedKinds.length > 0) {
          this.progress({ type: 'note', message: `cluster-scoped kinds are read only when scanning all namespaces: not reading ${skippedKinds.join(', ')}` });
        }
      }
      for (const kind of this.kinds) {
        if (namespaces !== undefined && !kind.namespaced) continue; // Namespaces were read above
        for (const namespace of kind.namespaced && namespaces ? namespaces : [undefined]) {
          yield* this.listKind(kind, namespace);
        }
      }
    } catch (error) {
      if (!(error instanceof ClusterAccessError)) throw error;
      // Its message names the context and server itself.
      this.errors++;
      yield { resources: [], errors: [{ source: 'cluster', message: error.message }], skipped: 0 };
      this.done();
      return;
    }

    if (options.labelSelector && this.total === 0) {
      const where = allNamespaces ? 'in any namespace' : `in namespace${requested.length > 1 ? 's' : ''} ${requested.join(', ')}`;
      yield { resources: [], errors: [this.error(`label selector "${options.labelSelector}" matches no object ${where}`)], skipped: 0 };
    }
    this.done();
  }

  private done(): void {
    this.progress({ type: 'done', objects: this.yielded, skipped: this.skipped, skippedByKind: { ...this.skippedByKind }, errors: this.errors });
  }

  /**
   * Checks that each requested namespace exists, and reads the Namespace objects (matching the label selector) when
   * Namespace is a scanned kind. Returns the namespaces to list in: those that exist or could not be checked.
   */
  private async readNamespaces(requested: string[]): Promise<{ namespaces: string[]; batch: ClusterBatch }> {
    const namespaceKind = this.kinds.find((kind) => kind.group === '' && kind.kind === 'Namespace');
    const kindForPath: ScannedKind = namespaceKind ?? { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false };
    const batch: ClusterBatch = { resources: [], errors: [], skipped: 0 };
    const namespaces: string[] = [];
    for (const name of requested) {
      const response = await this.connection.get(`/api/v1/namespaces/${encodeURIComponent(name)}`);
      if (response.status === 401) throw credentialsRejected(this.connection);
      if (response.status === 404) {
        batch.errors.push(this.error(`namespace "${name}" does not exist`));
        continue;
      }
      namespaces.push(name);
      if (response.status === 403) {
        const permission = permissionText('get', 'namespaces', '', { namespaced: false }, name);
        batch.errors.push(this.error(`cannot read namespace "${name}": forbidden, missing permission: ${permission}`));
        continue;
      }
      if (response.status !== 200) {
        batch.errors.push(this.error(`cannot read namespace "${name}": ${apiStatusOf(response.body)?.message ?? `the server answered ${response.status}`}`));
        continue;
      }
      if (!namespaceKind) continue;
      let item = response.body as Record<string, unknown>;
      if (this.options.labelSelector) {
        // The server evaluates the selector, with its own syntax and semantics.
        const selected = await this.collect(namespaceKind, undefined, `metadata.name=${name}`, batch);
        if (selected.length === 0) continue;
        item = selected[0]!;
      }
      batch.resources.push(this.toResource(projectObject(item, namespaceKind)));
      this.yielded++;
      this.total++;
      this.progress({ type: 'page', kind: kindForPath.kind, resource: kindForPath.resource, listed: batch.resources.length, skipped: 0, total: this.total });
    }
    return { namespaces, batch };
  }

  /** Lists a few objects in one go (a field-selected Namespace); errors go to the batch. */
  private async collect(kind: ScannedKind, namespace: string | undefined, fieldSelector: string, batch: ClusterBatch): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    try {
      const request = { kind, fieldSelector, pageSize: this.pageSize, ...(namespace !== undefined ? { namespace } : {}), ...this.selector() };
      for await (const page of listPages(this.connection, request)) items.push(...page);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      batch.errors.push(this.error(this.describeListError(error, kind, namespace)));
    }
    return items;
  }

  private selector(): { labelSelector?: string } {
    return this.options.labelSelector ? { labelSelector: this.options.labelSelector } : {};
  }

  /** Whether discovery lists the kind's resource (optional kinds only; discovery is readable by every user). */
  private async served(kind: ScannedKind): Promise<boolean> {
    const groupVersion = apiVersionOf(kind);
    let resources = this.discovered.get(groupVersion);
    if (!resources) {
      const path = kind.group === '' ? `/api/${kind.version}` : `/apis/${groupVersion}`;
      resources = this.connection.get(path).then((response) => {
        if (response.status === 401) throw credentialsRejected(this.connection);
        if (response.status === 404) return new Set<string>();
        const list = (response.body as { resources?: { name?: unknown }[] } | undefined)?.resources;
        if (response.status !== 200 || !Array.isArray(list)) return undefined;
        return new Set(list.map((resource) => resource.name).filter((name): name is string => typeof name === 'string'));
      });
      this.discovered.set(groupVersion, resources);
    }
    const served = await resources;
    return served === undefined || served.has(kind.resource);
  }

  private async *listKind(kind: ScannedKind, namespace: string | undefined): AsyncGenerator<ClusterBatch> {
    if (kind.optional && !(await this.served(kind))) {
      if (namespace === this.firstScope(kind)) this.progress({ type: 'not-served', kind: kind.kind, resource: kind.resource, apiVersion: apiVersionOf(kind) });
      return;
    }
    const request = { kind, pageSize: this.pageSize, ...(namespace !== undefined ? { namespace } : {}), ...this.selector() };
    let listed = 0;
    let skippedHere = 0;
    try {
      const onRestart = (message: string): void => this.progress({ type: 'note', message });
      for await (const page of listPages(this.connection, request, onRestart)) {
        const batch: ClusterBatch = { resources: [], errors: [], skipped: 0 };
        for (const item of page) {
          const object = projectObject(item, kind);
          const covered = this.coverage.isCovered(object);
          this.coverage.record(object, kind);
          this.total++;
          if (covered && !this.options.includeControlled) {
            batch.skipped++;
            continue;
          }
          batch.resources.push(this.toResource(object));
        }
        listed += batch.resources.length;
        skippedHere += batch.skipped;
        this.yielded += batch.resources.length;
        this.skipped += batch.skipped;
        if (batch.skipped > 0) this.skippedByKind[kind.kind] = (this.skippedByKind[kind.kind] ?? 0) + batch.skipped;
        this.progress({
          type: 'page',
          kind: kind.kind,
          resource: kind.resource,
          ...(namespace !== undefined ? { namespace } : {}),
          listed,
          skipped: skippedHere,
          total: this.total,
        });
        yield batch;
      }
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 400 && this.options.labelSelector) {
        // Every list would fail the same way: the selector itself is wrong.
        throw new ClusterAccessError(`label selector "${this.options.labelSelector}" is invalid: ${error.message}`);
      }
      let message = this.describeListError(error, kind, namespace);
      if (listed + skippedHere > 0) message += ` (the list stopped after ${listed + skippedHere} objects)`;
      yield { resources: [], errors: [this.error(message)], skipped: 0 };
    }
  }

  private firstScope(kind: ScannedKind): string | undefined {
    return kind.namespaced ? this.namespaces?.[0] : undefined;
  }

  private describeListError(error: ApiError, kind: ScannedKind, namespace: string | undefined): string {
    const what = `${kind.kind} objects (${apiVersionOf(kind)} ${kind.resource})`;
    const where = namespace !== undefined ? ` in namespace ${namespace}` : kind.namespaced ? ' in all namespaces' : '';
    switch (error.status) {
      case 403: {
        const permission = permissionText('list', kind.resource, kind.group, { namespaced: kind.namespaced, ...(namespace !== undefined ? { namespace } : {}) });
        const narrow = namespace === undefined && kind.namespaced ? ' (to scan only namespaces you may read, name them with -n)' : '';
        return `cannot list ${what}${where}: forbidden, missing permission: ${permission}; they were not scanned${narrow}`;
      }
      case 404:
        return (
          `the API server does not serve ${apiVersionOf(kind)} ${kind.resource}, so no ${kind.kind} objects were read` +
          (kind.group !== '' ? ` (is the API group ${kind.group} installed, at version ${kind.version}?)` : '')
        );
      default:
        return `cannot list ${what}${where}: ${error.message} (HTTP ${error.status}${error.apiStatus?.reason ? ` ${error.apiStatus.reason}` : ''})`;
    }
  }

  private toResource(object: KubeObject): Resource {
    return { object, ref: refOf(object), origin: this.origin };
  }
}

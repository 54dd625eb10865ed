/**
 * Puts a fixture's objects into a real API server as `kubectl apply -n conformance -f FIXTURE` would, and takes them
 * out again so the next fixture starts from the same cluster:
 *
 * - an object without metadata.namespace goes to namespace `conformance` (the namespace chosen at apply time);
 * - namespaces the objects live in are created when missing, with their `default` ServiceAccount (the
 *   controller-manager would make it; Pods need it), and so is a ServiceAccount a Pod names that does not exist
 *   (ServiceAccount admission refuses the Pod otherwise: in a real cluster it exists);
 * - a kind the server does not serve gets a CustomResourceDefinition accepting any content, as installing the
 *   operator that owns it would (kept for later fixtures);
 * - ephemeral containers cannot be set on create: the Pod is created without them and they are added through the
 *   pods/ephemeralcontainers subresource, as `kubectl debug` does;
 * - an object that exists already (namespace `default`, a `default` ServiceAccount) is replaced, and restored after.
 *
 * Undo deletes what was created and finalizes created namespaces (no namespace controller runs).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ControlPlane } from '../harness/control-plane.js';
import { SCANNED_KINDS } from '../../src/sources/cluster/scanned-kinds.js';
import type { FixtureObject } from './fixture-files.js';

export const APPLY_NAMESPACE = 'conformance';

interface Collection {
  /** `/api/v1/pods` or `/apis/apps/v1/deployments` (without namespace). */
  root: string;
  resource: string;
  namespaced: boolean;
}

export type Applied =
  | {
      status: 'created';
      /** The objects as the server stores them (read back after creation), in fixture order. */
      stored: Record<string, unknown>[];
      /** What was created for them to be accepted (namespaces, ServiceAccounts), as stored. */
      auxiliary: Record<string, unknown>[];
      /** `Kind/name` of the fixture's objects that had no namespace. */
      unsetNamespace: Set<string>;
      /** Namespaces the fixture itself names: in an object's metadata.namespace, or as a Namespace object. */
      namedNamespaces: Set<string>;
    }
  | { status: 'rejected'; reason: string };

type Response = { status: number; body: unknown };

function messageOf(response: Response): string {
  return (response.body as { message?: string } | undefined)?.message ?? `HTTP ${response.status}`;
}

export class FixtureApplier {
  private readonly discovery = new Map<string, Promise<{ name: string; kind: string; namespaced: boolean }[] | undefined>>();
  private readonly created: string[] = [];
  private readonly replaced: { path: string; original: Record<string, unknown> }[] = [];
  private readonly namespaces: string[] = [];
  /** Paths of objects created so that the fixture's are accepted. */
  private readonly auxiliary: string[] = [];
  /** CustomResourceDefinitions installed for fixtures, as `group/version Kind`. */
  readonly installedCrds: string[] = [];

  constructor(private readonly cp: ControlPlane) {}

  private async collection(apiVersion: string, kind: string): Promise<Collection | undefined> {
    const root = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    let list = this.discovery.get(apiVersion);
    if (!list) {
      list = this.cp
        .request<{ resources: { name: string; kind: string; namespaced: boolean }[] }>('GET', root)
        .then((r) => (r.status === 200 ? r.body.resources : undefined));
      this.discovery.set(apiVersion, list);
    }
    const found = (await list)?.find((r) => r.kind === kind && !r.name.includes('/'));
    return found ? { root, resource: found.name, namespaced: found.namespaced } : undefined;
  }

  private path(collection: Collection, namespace: string | undefined, name?: string): string {
    const scope = collection.namespaced ? `/namespaces/${namespace}` : '';
    return `${collection.root}${scope}/${collection.resource}${name !== undefined ? `/${name}` : ''}`;
  }

  /** Installs a CRD for a kind the server does not serve; its scope and plural as Aspis scans it when it does. */
  private async installCrd(object: FixtureObject): Promise<Collection | undefined> {
    const [group, version] = object.apiVersion.split('/') as [string, string | undefined];
    if (!version) return undefined; // a core kind the server does not know: nothing can serve it
    const known = SCANNED_KINDS.find((k) => k.group === group && k.kind === object.kind);
    const lower = object.kind.toLowerCase();
    const plural = known?.resource ?? (lower.endsWith('y') ? `${lower.slice(0, -1)}ies` : `${lower}s`);
    const namespaced = known?.namespaced ?? object.metadata.namespace !== undefined;
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `${plural}.${group}` },
      spec: {
        group,
        scope: namespaced ? 'Namespaced' : 'Cluster',
        names: { kind: object.kind, plural, singular: lower, listKind: `${object.kind}List` },
        versions: [{ name: version, served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    };
    const created = await this.cp.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    if (created.status !== 201) throw new Error(`installing a CRD for ${object.apiVersion} ${object.kind}: ${messageOf(created)}`);
    this.installedCrds.push(`${object.apiVersion} ${object.kind}`);
    const deadline = Date.now() + 30_000;
    for (;;) {
      this.discovery.delete(object.apiVersion);
      const collection = await this.collection(object.apiVersion, object.kind);
      if (collection) {
        const ready = await this.cp.request('GET', `${this.path(collection, APPLY_NAMESPACE)}?limit=1`);
        if (ready.status === 200) return collection;
      }
      if (Date.now() > deadline) throw new Error(`the CRD for ${object.apiVersion} ${object.kind} is not served after 30 s`);
      await sleep(50);
    }
  }

  /** Creates a namespace and its `default` ServiceAccount, recording both for undo. */
  private async createNamespace(namespace: Record<string, unknown> & { metadata: { name: string } }, auxiliary: boolean): Promise<Response> {
    const created = await this.cp.request('POST', '/api/v1/namespaces', namespace);
    if (created.status !== 201) return created;
    const name = namespace.metadata.name;
    this.namespaces.push(name);
    if (auxiliary) this.auxiliary.push(`/api/v1/namespaces/${name}`);
    await this.createServiceAccount(name, 'default');
    return created;
  }

  private async createServiceAccount(namespace: string, name: string): Promise<void> {
    const path = `/api/v1/namespaces/${namespace}/serviceaccounts`;
    const account = await this.cp.request('POST', path, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } });
    if (account.status !== 201) throw new Error(`ServiceAccount ${namespace}/${name}: ${messageOf(account)}`);
    this.created.push(`${path}/${name}`);
    this.auxiliary.push(`${path}/${name}`);
  }

  async apply(objects: readonly FixtureObject[]): Promise<Applied> {
    const unsetNamespace = new Set<string>();
    const namedNamespaces = new Set<string>();
    // Namespaces first, then ServiceAccounts (Pods need them), then the rest in fixture order, as kubectl orders them.
    const rank = (o: FixtureObject) => (o.kind === 'Namespace' ? 0 : o.kind === 'ServiceAccount' ? 1 : 2);
    const ordered = objects.map((object, index) => ({ object, index })).sort((a, b) => rank(a.object) - rank(b.object) || a.index - b.index);
    const storedPaths = new Array<string>(objects.length);
    for (const { object, index } of ordered) {
      const collection = (await this.collection(object.apiVersion, object.kind)) ?? (await this.installCrd(object));
      if (!collection) return { status: 'rejected', reason: `the API server does not serve ${object.apiVersion} ${object.kind}` };
      let namespace: string | undefined;
      if (collection.namespaced) {
        namespace = object.metadata.namespace ?? APPLY_NAMESPACE;
        if (object.metadata.namespace === undefined) unsetNamespace.add(`${object.kind}/${object.metadata.name}`);
        else namedNamespaces.add(namespace);
        if ((await this.cp.request('GET', `/api/v1/namespaces/${namespace}`)).status === 404) {
          const made = await this.createNamespace({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }, true);
          if (made.status !== 201) return { status: 'rejected', reason: `namespace ${namespace}: ${messageOf(made)}` };
        }
      } else if (object.kind === 'Namespace') namedNamespaces.add(object.metadata.name);

      const body: FixtureObject = { ...object, metadata: { ...object.metadata, ...(namespace !== undefined ? { namespace } : {}) } };
      const item = this.path(collection, namespace, object.metadata.name);
      storedPaths[index] = item;
      const outcome = await this.create(collection, namespace, body, item);
      if (outcome) return { status: 'rejected', reason: `${object.kind}/${object.metadata.name}: ${outcome}` };
    }
    const read = async (paths: readonly string[]) => {
      const objects: Record<string, unknown>[] = [];
      for (const path of paths) {
        const response = await this.cp.request<Record<string, unknown>>('GET', path);
        if (response.status !== 200) throw new Error(`reading back ${path}: ${messageOf(response)}`);
        objects.push(response.body);
      }
      return objects;
    };
    return { status: 'created', stored: await read(storedPaths), auxiliary: await read(this.auxiliary.filter((path) => !storedPaths.includes(path))), unsetNamespace, namedNamespaces };
  }

  /** Creates (or replaces) one object; returns why the server refused it, or undefined. */
  private async create(collection: Collection, namespace: string | undefined, body: FixtureObject, item: string): Promise<string | undefined> {
    const spec = body['spec'] as Record<string, unknown> | undefined;
    const ephemeral = body.kind === 'Pod' && body.apiVersion === 'v1' ? spec?.['ephemeralContainers'] : undefined;
    const createBody = ephemeral !== undefined ? { ...body, spec: { ...spec, ephemeralContainers: undefined } } : body;

    let created: Response =
      body.kind === 'Namespace' && body.apiVersion === 'v1'
        ? await this.createNamespace(createBody as FixtureObject, false)
        : await this.cp.request('POST', this.path(collection, namespace), createBody);
    const missingAccount = /serviceaccount "([^"]+)" not found/.exec(created.status === 201 ? '' : messageOf(created));
    if (missingAccount && namespace !== undefined) {
      await this.createServiceAccount(namespace, missingAccount[1]!);
      created = await this.cp.request('POST', this.path(collection, namespace), createBody);
    }
    if (created.status === 201) {
      if (body.kind !== 'Namespace') this.created.push(item);
    } else if (created.status === 409) {
      const current = await this.cp.request<Record<string, unknown> & { metadata: Record<string, unknown> }>('GET', item);
      this.replaced.push({ path: item, original: current.body });
      const metadata = { ...createBody.metadata, resourceVersion: current.body.metadata['resourceVersion'] };
      const replaced = await this.cp.request('PUT', item, { ...createBody, metadata });
      if (replaced.status !== 200) return `replacing the existing object: ${messageOf(replaced)}`;
    } else {
      return messageOf(created);
    }

    if (ephemeral !== undefined) {
      const pod = await this.cp.request<Record<string, unknown> & { spec: Record<string, unknown> }>('GET', item);
      const withEphemeral = { ...pod.body, spec: { ...pod.body.spec, ephemeralContainers: ephemeral } };
      const added = await this.cp.request('PUT', `${item}/ephemeralcontainers`, withEphemeral);
      if (added.status !== 200) return `adding ephemeral containers: ${messageOf(added)}`;
    }
    return undefined;
  }

  /** Restores replaced objects, deletes created ones, finalizes created namespaces (they are empty by then). */
  async undo(): Promise<void> {
    for (const { path, original } of this.replaced.reverse()) {
      const current = await this.cp.request<{ metadata: Record<string, unknown> }>('GET', path);
      const metadata = { ...(original['metadata'] as Record<string, unknown>), resourceVersion: current.body.metadata['resourceVersion'] };
      const restored = await this.cp.request('PUT', path, { ...original, metadata });
      if (restored.status !== 200) throw new Error(`restoring ${path}: ${messageOf(restored)}`);
    }
    for (const path of this.created.reverse()) {
      // Background: a Job's default (orphan) would park it behind a finalizer for a garbage collector that is not running.
      const deleted = await this.cp.request('DELETE', `${path}?gracePeriodSeconds=0&propagationPolicy=Background`);
      if (deleted.status !== 200 && deleted.status !== 202) throw new Error(`deleting ${path}: ${messageOf(deleted)}`);
      const gone = await this.cp.request('GET', path);
      if (gone.status !== 404) throw new Error(`${path} is still there after DELETE (HTTP ${gone.status})`);
    }
    for (const name of this.namespaces.reverse()) {
      await this.cp.request('DELETE', `/api/v1/namespaces/${name}`);
      const current = await this.cp.request<Record<string, unknown>>('GET', `/api/v1/namespaces/${name}`);
      if (current.status !== 200) continue;
      const finalized = await this.cp.request('PUT', `/api/v1/namespaces/${name}/finalize`, { ...current.body, spec: { finalizers: [] } });
      if (finalized.status !== 200) throw new Error(`finalizing namespace ${name}: ${messageOf(finalized)}`);
    }
    this.replaced.length = 0;
    this.created.length = 0;
    this.namespaces.length = 0;
    this.auxiliary.length = 0;
  }
}

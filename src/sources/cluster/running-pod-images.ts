/**
 * The images of the running Pods of a cluster, each once, with the containers that use it (for `aspis scan cluster
 * --images`). Pods are read with paged LISTs (`fieldSelector=status.phase=Running`), keeping only names, owners and
 * images. An image is identified by the digest the kubelet reports in `status.containerStatuses[].imageID` when
 * there is one (`repo@sha256:…`, `docker-pullable://repo@sha256:…`), so two tags of the same image are scanned once
 * and a tag that moved is scanned at the digest that runs; without a digest (no status yet, or an image id that is
 * only a config digest), the reference of the Pod spec is scanned. Init and ephemeral containers count.
 */
import type { InputError } from '../../core/model/report.js';
import { ApiError, ClusterAccessError, permissionText } from './api-error.js';
import type { KubeConnection } from './kube-connection.js';
import { listPages } from './list-pages.js';
import { SCANNED_KINDS } from './scanned-kinds.js';
import { compareText } from '../../core/model/text-order.js';

export interface ImageUser {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  /** `Deployment/web` (a ReplicaSet named by its Deployment through the pod-template-hash label), `DaemonSet/x`… */
  readonly workload?: string;
}

export interface RunningImage {
  /** What to scan: `repository@sha256:…` when the digest is known, else the reference as the Pod spec writes it. */
  readonly reference: string;
  readonly digest?: string;
  readonly users: ImageUser[];
}

export interface RunningPodImages {
  readonly images: RunningImage[];
  readonly pods: number;
  readonly errors: InputError[];
}

const POD_KIND = SCANNED_KINDS.find((k) => k.kind === 'Pod')!;
const CONTAINER_LISTS = [
  ['containers', 'containerStatuses'],
  ['initContainers', 'initContainerStatuses'],
  ['ephemeralContainers', 'ephemeralContainerStatuses'],
] as const;

export async function runningPodImages(connection: KubeConnection, options: { namespaces?: readonly string[]; labelSelector?: string; pageSize?: number }): Promise<RunningPodImages> {
  const byKey = new Map<string, RunningImage>();
  const errors: InputError[] = [];
  let pods = 0;
  const scopes: (string | undefined)[] = options.namespaces && options.namespaces.length > 0 ? [...options.namespaces] : [undefined];
  for (const namespace of scopes) {
    try {
      const request = {
        kind: POD_KIND,
        ...(namespace !== undefined ? { namespace } : {}),
        ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
        fieldSelector: 'status.phase=Running',
        pageSize: options.pageSize ?? 500,
      };
      for await (const page of listPages(connection, request)) {
        for (const pod of page) {
          pods++;
          for (const use of podImages(pod)) {
            const key = use.digest ?? use.reference;
            let image = byKey.get(key);
            if (!image) byKey.set(key, (image = { reference: use.reference, ...(use.digest ? { digest: use.digest } : {}), users: [] }));
            image.users.push(use.user);
          }
        }
      }
    } catch (error) {
      if (error instanceof ClusterAccessError) {
        errors.push({ source: connection.label, message: error.message });
        break;
      }
      if (!(error instanceof ApiError)) throw error;
      const where = namespace !== undefined ? ` in namespace ${namespace}` : '';
      const message = error.status === 403 ? `cannot list pods${where}: ${permissionText('list', 'pods', '', { ...(namespace !== undefined ? { namespace } : {}), namespaced: true })}` : `cannot list pods${where}: ${error.message}`;
      errors.push({ source: `pods${where}`, message });
    }
  }
  const order = (u: ImageUser): string => `${u.namespace}\0${u.pod}\0${u.container}`;
  for (const image of byKey.values()) image.users.sort((a, b) => compareText(order(a), order(b)));
  return { images: [...byKey.values()].sort((a, b) => compareText(a.reference, b.reference)), pods, errors };
}

/** Every container's image of one Pod (as the server returned it). */
export function podImages(pod: Record<string, unknown>): { reference: string; digest?: string; user: ImageUser }[] {
  const metadata = (pod['metadata'] ?? {}) as { name?: string; namespace?: string; labels?: Record<string, string>; ownerReferences?: { kind?: string; name?: string; controller?: boolean }[] };
  const spec = (pod['spec'] ?? {}) as Record<string, unknown>;
  const status = (pod['status'] ?? {}) as Record<string, unknown>;
  const workload = workloadOf(metadata);
  const out: { reference: string; digest?: string; user: ImageUser }[] = [];
  for (const [specField, statusField] of CONTAINER_LISTS) {
    const containers = Array.isArray(spec[specField]) ? (spec[specField] as { name?: string; image?: string }[]) : [];
    const statuses = Array.isArray(status[statusField]) ? (status[statusField] as { name?: string; imageID?: string }[]) : [];
    for (const container of containers) {
      if (typeof container.image !== 'string' || container.image === '') continue;
      const digest = digestOf(statuses.find((s) => s.name === container.name)?.imageID);
      const reference = digest ? `${repositoryOf(container.image)}@${digest}` : container.image;
      const user: ImageUser = { namespace: metadata.namespace ?? '', pod: metadata.name ?? '', container: container.name ?? '', ...(workload ? { workload } : {}) };
      out.push({ reference, ...(digest ? { digest } : {}), user });
    }
  }
  return out;
}

/** The manifest digest in an imageID (`…@sha256:<64 hex>`); a bare `sha256:…` is an image (config) id, not pullable. */
export function digestOf(imageID: string | undefined): string | undefined {
  return imageID ? /@(sha256:[0-9a-f]{64})$/.exec(imageID)?.[1] : undefined;
}

/** `registry:5000/team/app:1.2@sha256:…` → `registry:5000/team/app` (a port's colon is not a tag's). */
export function repositoryOf(reference: string): string {
  const withoutDigest = reference.split('@')[0]!;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
}

function workloadOf(metadata: { labels?: Record<string, string>; ownerReferences?: { kind?: string; name?: string; controller?: boolean }[] }): string | undefined {
  const owner = metadata.ownerReferences?.find((o) => o.controller) ?? metadata.ownerReferences?.[0];
  if (!owner?.kind || !owner.name) return undefined;
  const hash = metadata.labels?.['pod-template-hash'];
  if (owner.kind === 'ReplicaSet' && hash && owner.name.endsWith(`-${hash}`)) return `Deployment/${owner.name.slice(0, -hash.length - 1)}`;
  return `${owner.kind}/${owner.name}`;
}

/**
 * Which workloads run the image of a scan report. A container is matched
 * - by digest when the pod pins one (`image: repo@sha256:…`) or its status says which image runs
 *   (`status.containerStatuses[].imageID`, read from a live cluster) and a report has that manifest or config digest;
 * - else by reference: the same repository and tag once normalised as the container runtimes read them
 *   (`nginx` = `docker.io/library/nginx:latest`). When both sides know digests and they differ, the match is kept
 *   with a note: the pod's digest may be the image index of a multi-platform image whose platform manifest was
 *   scanned, or another build pushed under the same tag.
 * Reports that match no container are returned as unmatched: a report for an image nothing runs is said, not dropped.
 *
 * Reference parsing is passed in (`parse`): the one parser of image references lives with the image checks, which
 * this engine may not import.
 */
import type { KubeObject } from '../../core/model/resource.js';
import { workloadOf } from '../../core/k8s/workload.js';
import type { PodGroup } from '../pod-groups.js';
import type { ScannedImageReport } from './scanned-image-report.js';

/** An image reference normalised: `repository` includes the registry (`docker.io/library/nginx`). */
export interface ImageName {
  repository: string;
  tag?: string;
  digest?: string;
}

export type ParseImageName = (text: string) => ImageName | undefined;

export interface ContainerImage {
  /** The owner's id, `namespace/Kind/name`. */
  workload: string;
  container: string;
  /** As written in the pod spec. */
  image: string;
  /** Digests the spec pins or the status reports. */
  digests: string[];
}

export interface ImageMatch {
  container: ContainerImage;
  report: ScannedImageReport;
  by: 'digest' | 'reference';
  /** Why a reference match may not be the same image. */
  note?: string;
}

const DIGEST = /([a-z0-9]+:[a-f0-9]{32,})$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `docker-pullable://repo@sha256:…`, `repo@sha256:…`, `docker://sha256:…`, `sha256:…` → `sha256:…`. */
export function digestOfImageId(imageId: string): string | undefined {
  return DIGEST.exec(imageId)?.[1];
}

/** The digest each container of a Pod runs, by container name, from the Pod's status. */
function statusDigests(pod: KubeObject): Map<string, string> {
  const out = new Map<string, string>();
  const status = isRecord(pod['status']) ? pod['status'] : {};
  for (const list of ['initContainerStatuses', 'containerStatuses', 'ephemeralContainerStatuses']) {
    for (const entry of Array.isArray(status[list]) ? status[list] : []) {
      if (!isRecord(entry) || typeof entry['name'] !== 'string' || typeof entry['imageID'] !== 'string') continue;
      const digest = digestOfImageId(entry['imageID']);
      if (digest) out.set(entry['name'], digest);
    }
  }
  return out;
}

/** Every container image of a workload's pod groups (init and ephemeral containers included), once per container and image. */
export function containerImagesOf(groups: readonly PodGroup[], parse: ParseImageName): ContainerImage[] {
  const out = new Map<string, ContainerImage>();
  for (const group of groups) {
    const workload = `${group.owner.namespace}/${group.owner.kind}/${group.owner.name}`;
    for (const object of group.objects) {
      const view = workloadOf(object);
      if (!view) continue;
      const running = object.kind === 'Pod' ? statusDigests(object) : new Map<string, string>();
      for (const { container, name } of view.containers) {
        const image = container['image'];
        if (typeof image !== 'string' || image === '') continue;
        const key = `${workload}\u0000${name}\u0000${image}`;
        let entry = out.get(key);
        if (!entry) out.set(key, (entry = { workload, container: name, image, digests: [] }));
        const pinned = parse(image)?.digest;
        for (const digest of [pinned, running.get(name)]) if (digest && !entry.digests.includes(digest)) entry.digests.push(digest);
      }
    }
  }
  return [...out.values()];
}

function sameReference(a: ImageName, b: ImageName): boolean {
  if (a.repository !== b.repository) return false;
  // A reference pinned by digest alone names no tag; otherwise the runtime pulls `latest`.
  const tagOf = (name: ImageName) => name.tag ?? (name.digest ? undefined : 'latest');
  return tagOf(a) === tagOf(b);
}

/** Matches reports to containers (see the file comment). */
export function matchImageReports(
  containers: readonly ContainerImage[],
  reports: readonly ScannedImageReport[],
  parse: ParseImageName,
): { matches: ImageMatch[]; unmatched: ScannedImageReport[] } {
  const names = reports.map((report) => parse(report.name));
  const matches: ImageMatch[] = [];
  const used = new Set<ScannedImageReport>();
  for (const container of containers) {
    const byDigest = reports.filter((report) => report.digests.some((d) => container.digests.includes(d)));
    if (byDigest.length > 0) {
      for (const report of byDigest) matches.push({ container, report, by: 'digest' });
      byDigest.forEach((r) => used.add(r));
      continue;
    }
    const name = parse(container.image);
    if (!name) continue;
    reports.forEach((report, i) => {
      const reportName = names[i];
      if (!reportName || !sameReference(name, reportName)) return;
      used.add(report);
      const differs = container.digests.length > 0 && report.digests.length > 0;
      matches.push({
        container,
        report,
        by: 'reference',
        ...(differs
          ? { note: `the pod runs ${container.digests.join(', ')}, the report is of ${report.digests.join(', ')}: the pod's may be the image index of the platform image scanned, or another build of the tag` }
          : {}),
      });
    });
  }
  return { matches, unmatched: reports.filter((report) => !used.has(report)) };
}

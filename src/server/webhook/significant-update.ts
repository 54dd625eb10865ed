/**
 * Whether an UPDATE can change the verdict, following PodSecurity admission (k8s.io/pod-security-admission
 * admission/admission.go): an update that leaves the pod template alone (scale, labels, status…) is not evaluated,
 * so a policy tightened after a workload was admitted never blocks its unrelated updates.
 *
 * - Pods (and pods/ephemeralcontainers): only image changes, seccomp annotation changes of a container, and added
 *   ephemeral containers count (the other pod spec fields are immutable).
 * - Workloads: any change of the pod template's spec or metadata counts.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../core/model/resource.js';
import { workloadOf } from '../../core/k8s/workload.js';
import { asArray, asRecord } from '../../core/model/untrusted-value.js';

const SECCOMP_CONTAINER_ANNOTATION = 'container.seccomp.security.alpha.kubernetes.io/';

function annotationsOf(object: KubeObject): Record<string, unknown> {
  return asRecord(object.metadata?.annotations) ?? {};
}

function containerChanged(c: Record<string, unknown>, old: Record<string, unknown>, annotations: Record<string, unknown>, oldAnnotations: Record<string, unknown>): boolean {
  if (c['image'] !== old['image']) return true;
  const key = `${SECCOMP_CONTAINER_ANNOTATION}${String(c['name'])}`;
  return annotations[key] !== oldAnnotations[key];
}

function podUpdateIsSignificant(pod: KubeObject, oldPod: KubeObject): boolean {
  const spec = asRecord(pod['spec']) ?? {};
  const oldSpec = asRecord(oldPod['spec']) ?? {};
  const annotations = annotationsOf(pod);
  const oldAnnotations = annotationsOf(oldPod);
  for (const type of ['containers', 'initContainers']) {
    const list = asArray(spec[type]);
    const oldList = asArray(oldSpec[type]);
    if (list.length !== oldList.length) return true;
    for (let i = 0; i < list.length; i++) {
      if (containerChanged(asRecord(list[i]) ?? {}, asRecord(oldList[i]) ?? {}, annotations, oldAnnotations)) return true;
    }
  }
  const oldEphemeral = asArray(oldSpec['ephemeralContainers']).map((c) => asRecord(c) ?? {});
  for (const item of asArray(spec['ephemeralContainers'])) {
    const c = asRecord(item) ?? {};
    const old = oldEphemeral.find((o) => o['name'] === c['name']);
    if (!old || containerChanged(c, old, annotations, oldAnnotations)) return true;
  }
  return false;
}

export function isSignificantUpdate(object: KubeObject, oldObject: KubeObject): boolean {
  if (object.kind === 'Pod') return podUpdateIsSignificant(object, oldObject);
  const workload = workloadOf(object);
  const old = workloadOf(oldObject);
  if (!workload || !old) return true;
  return !isDeepStrictEqual(workload.podSpec, old.podSpec) || !isDeepStrictEqual(workload.podMetadata, old.podMetadata);
}

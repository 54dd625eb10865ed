/**
 * The Resource the engine checks for an admission request: the request's object, with the kind, apiVersion and
 * namespace the apiserver vouches for (a CREATE body may leave the namespace to the URL), and an admission origin.
 */
import type { KubeObject, Resource } from '../../core/model/resource.js';
import { refOf } from '../../core/model/resource.js';
import type { AdmissionRequest, GroupVersionKind } from './admission-review.js';

export function apiVersionOf(kind: GroupVersionKind): string {
  return kind.group === '' ? kind.version : `${kind.group}/${kind.version}`;
}

/** The Resource for `request.object` (or `oldObject` with `which: 'oldObject'`), undefined when absent. */
export function admissionResource(request: AdmissionRequest, which: 'object' | 'oldObject' = 'object'): Resource | undefined {
  const object: KubeObject | undefined = request[which];
  if (!object) return undefined;
  // The object is the apiserver's; only fill in what its serialization may leave out.
  if (typeof object.kind !== 'string') object.kind = request.kind.kind;
  if (typeof object.apiVersion !== 'string') object.apiVersion = apiVersionOf(request.kind);
  const ref = refOf(object);
  if (request.namespace !== '') ref.namespace = request.namespace;
  if (ref.name === '' && request.name !== '') ref.name = request.name;
  return { object, ref, origin: { type: 'admission', requestUid: request.uid, operation: request.operation } };
}

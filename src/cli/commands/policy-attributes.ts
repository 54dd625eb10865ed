/**
 * Turns a stored object (a manifest, a test fixture, an object read from a cluster) into the admission request that
 * would create it, for evaluating ValidatingAdmissionPolicies outside the apiserver: resource name and scope from
 * the kinds Aspis scans (src/sources/cluster/scanned-kinds.ts; other kinds: lowercase plural, namespaced when they
 * carry a namespace), the namespace `default` for a namespaced object without one (as kubectl would send it),
 * and a Namespace object (the given one, else one carrying only the `kubernetes.io/metadata.name` label every
 * namespace has) for namespaceSelector and `namespaceObject`.
 */
import type { KubeObject } from '../../core/model/resource.js';
import { creationAttributesOf, type AdmissionAttributes, type ParamResolver, type UserInfo } from '../../policy/index.js';
import { SCANNED_KINDS } from '../../sources/cluster/scanned-kinds.js';

function groupOf(apiVersion: unknown): string {
  const text = typeof apiVersion === 'string' ? apiVersion : '';
  const slash = text.indexOf('/');
  return slash < 0 ? '' : text.slice(0, slash);
}

/** The plural resource and scope of a kind (custom kinds: lowercased plural, namespaced when they carry a namespace). */
export function resourceOf(object: KubeObject): { resource: string; namespaced: boolean } {
  const group = groupOf(object.apiVersion);
  const known = SCANNED_KINDS.find((r) => r.kind === object.kind && r.group === group);
  if (known) return { resource: known.resource, namespaced: known.namespaced };
  const kind = typeof object.kind === 'string' ? object.kind.toLowerCase() : '';
  const plural = kind.endsWith('s') ? `${kind}es` : kind.endsWith('y') ? `${kind.slice(0, -1)}ies` : `${kind}s`;
  return { resource: plural, namespaced: typeof object.metadata?.namespace === 'string' };
}

/** Kinds served under a plural resource in an API group (`pods` → Pod), for the kinds a policy can match. */
export function kindsOfResource(group: string, resource: string): string[] {
  return SCANNED_KINDS.filter((r) => (group === '*' || r.group === group) && (resource === '*' || r.resource === resource)).map((r) => r.kind);
}

export interface AttributeContext {
  namespaces?: ReadonlyMap<string, KubeObject>;
  params?: ParamResolver;
  userInfo?: UserInfo;
}

export function attributesForStoredObject(object: KubeObject, context: AttributeContext = {}): AdmissionAttributes {
  const { resource, namespaced } = resourceOf(object);
  let subject = object;
  if (namespaced && !(typeof object.metadata?.namespace === 'string' && object.metadata.namespace !== '')) {
    subject = { ...object, metadata: { ...object.metadata, namespace: 'default' } };
  }
  const namespace = namespaced ? (subject.metadata!.namespace as string) : undefined;
  const namespaceObject = namespace
    ? (context.namespaces?.get(namespace) ?? { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { 'kubernetes.io/metadata.name': namespace } } })
    : null;
  return creationAttributesOf(subject, resource, {
    namespaceObject,
    ...(context.params ? { params: context.params } : {}),
    ...(context.userInfo ? { userInfo: context.userInfo } : {}),
  });
}

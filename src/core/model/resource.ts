import type { SourceLocator } from './source-location.js';

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

/** A Kubernetes object as decoded from YAML/JSON or the API. Fields are untrusted: checks must test types. */
export interface KubeObject {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

/** Identifies an object independently of where it came from. */
export interface ResourceRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
}

/** Where an object came from. Checks never see this; outputs and waivers do. */
export type Origin =
  | { type: 'file'; file: string; documentIndex: number; locator?: SourceLocator }
  | { type: 'cluster'; context?: string }
  | { type: 'admission'; requestUid: string; operation: string };

export interface Resource {
  object: KubeObject;
  ref: ResourceRef;
  origin: Origin;
}

export function refOf(object: KubeObject): ResourceRef {
  const meta = object.metadata ?? {};
  const ref: ResourceRef = {
    apiVersion: typeof object.apiVersion === 'string' ? object.apiVersion : '',
    kind: typeof object.kind === 'string' ? object.kind : '',
    name: typeof meta.name === 'string' ? meta.name : typeof meta.generateName === 'string' ? `${meta.generateName}*` : '',
  };
  if (typeof meta.namespace === 'string') ref.namespace = meta.namespace;
  if (typeof meta.uid === 'string') ref.uid = meta.uid;
  return ref;
}

/** `Kind/namespace/name` or `Kind/name`, the form used in messages and selectors. */
export function formatRef(ref: ResourceRef): string {
  return ref.namespace ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.name}`;
}

/** The API group of an apiVersion (`apps/v1` → `apps`, `v1` → core ""). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

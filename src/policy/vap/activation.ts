/**
 * The CEL variables of one evaluation, built as the apiserver builds them (admission/plugin/cel/activation.go and
 * condition.go): `request` is AdmissionRequest through Go's JSON rules (omitempty fields absent: subResource, name,
 * namespace, userInfo.uid/groups/extra), `namespaceObject` keeps only metadata/spec/status, `variables` evaluates
 * each policy variable on first use and keeps the value (or the error) for the rest of the evaluation.
 */
import type { KubeObject } from '../../core/model/resource.js';
import { CelError, isCelError } from '../cel/errors.js';
import { AuthorizerValue, ResourceCheck } from '../cel/library/authorizer.js';
import { CelType, Opaque, celValueOf, type FieldHolder, type Value } from '../cel/values.js';
import type { PolicyExpression } from './compile-policies.js';
import type { AdmissionAttributes } from './types.js';

/** Converted once per request and shared by every policy and binding that evaluates it. */
export interface RequestValues {
  object: Value;
  oldObject: Value;
  request: Value;
  namespaceObject: Value;
  authorizer?: AuthorizerValue;
  requestResourceAuthorizer?: ResourceCheck;
}

function requestJson(a: AdmissionAttributes): Record<string, unknown> {
  const user: Record<string, unknown> = {};
  if (a.userInfo.username) user['username'] = a.userInfo.username;
  if (a.userInfo.uid) user['uid'] = a.userInfo.uid;
  if (a.userInfo.groups && a.userInfo.groups.length > 0) user['groups'] = a.userInfo.groups;
  if (a.userInfo.extra && Object.keys(a.userInfo.extra).length > 0) user['extra'] = a.userInfo.extra;
  const request: Record<string, unknown> = {
    uid: '',
    kind: { ...a.kind },
    resource: { ...a.resource },
    requestKind: { ...(a.requestKind ?? a.kind) },
    requestResource: { ...(a.requestResource ?? a.resource) },
    operation: a.operation,
    userInfo: user,
    dryRun: a.dryRun ?? false,
  };
  if (a.subResource) request['subResource'] = a.subResource;
  const requestSub = a.requestSubResource ?? a.subResource;
  if (requestSub) request['requestSubResource'] = requestSub;
  if (a.name) request['name'] = a.name;
  if (a.namespace) request['namespace'] = a.namespace;
  if (a.options !== undefined && a.options !== null) request['options'] = a.options;
  return request;
}

const NAMESPACE_METADATA_FIELDS = [
  'name', 'generateName', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp',
  'deletionGracePeriodSeconds', 'labels', 'annotations', 'finalizers',
];

function namespaceJson(a: AdmissionAttributes): unknown {
  const namespaced = Boolean(a.namespace) && !(a.kind.group === '' && a.kind.version === 'v1' && a.kind.kind === 'Namespace');
  const ns = a.namespaceObject;
  if (!namespaced || !ns) return null;
  const meta: Record<string, unknown> = {};
  for (const key of NAMESPACE_METADATA_FIELDS) {
    const v = (ns.metadata as Record<string, unknown> | undefined)?.[key];
    if (v !== undefined && v !== null) meta[key] = v;
  }
  const out: Record<string, unknown> = { metadata: meta };
  if (ns['spec'] !== undefined) out['spec'] = ns['spec'];
  if (ns['status'] !== undefined) out['status'] = ns['status'];
  return out;
}

export function requestValues(a: AdmissionAttributes): RequestValues {
  const values: RequestValues = {
    object: a.object === undefined ? null : celValueOf(a.object),
    oldObject: a.oldObject === undefined ? null : celValueOf(a.oldObject),
    request: celValueOf(requestJson(a)),
    namespaceObject: celValueOf(namespaceJson(a)),
  };
  if (a.authorizer) {
    const user = { username: a.userInfo.username ?? '', groups: a.userInfo.groups ?? [], ...(a.userInfo.uid ? { uid: a.userInfo.uid } : {}), ...(a.userInfo.extra ? { extra: a.userInfo.extra } : {}) };
    values.authorizer = new AuthorizerValue(a.authorizer, user);
    const fields: ResourceCheck['fields'] = { apiGroup: a.resource.group, resource: a.resource.resource };
    if (a.subResource) fields.subresource = a.subResource;
    if (a.namespace) fields.namespace = a.namespace;
    if (a.name) fields.name = a.name;
    values.requestResourceAuthorizer = new ResourceCheck(values.authorizer, fields);
  }
  return values;
}

const VARIABLES_TYPE = new CelType('kubernetes.variables');

/** `variables`: each policy variable evaluated on first access, its value or error kept for the evaluation. */
export class LazyVariables extends Opaque implements FieldHolder {
  readonly celType = VARIABLES_TYPE;
  private readonly results = new Map<string, { value: Value } | { error: CelError }>();
  private readonly definitions: ReadonlyMap<string, PolicyExpression>;
  /** The top-level variables expressions see; set right after construction (it contains this object). */
  vars: Record<string, Value> = {};

  constructor(definitions: readonly { name: string; expression: PolicyExpression }[]) {
    super();
    this.definitions = new Map(definitions.map((d) => [d.name, d.expression]));
  }

  hasField(field: string): boolean {
    return this.definitions.has(field);
  }

  selectField(field: string): Value {
    let result = this.results.get(field);
    if (!result) {
      const definition = this.definitions.get(field);
      if (!definition) throw new CelError(`no such key: ${field}`);
      if (!definition.program) {
        result = { error: new CelError(`composited variable ${JSON.stringify(field)} fails to compile: ${definition.compileError}`) };
      } else {
        try {
          result = { value: definition.program.evaluate(this.vars) };
        } catch (e) {
          if (!isCelError(e)) throw e;
          result = { error: new CelError(`composited variable ${JSON.stringify(field)} fails to evaluate: ${e.message}`) };
        }
      }
      this.results.set(field, result);
    }
    if ('error' in result) throw result.error;
    return result.value;
  }

  equals(other: Value): boolean {
    return other === this;
  }
}

/** Top-level variables for one (binding, param) evaluation. */
export function activationFor(
  values: RequestValues,
  params: KubeObject | null | undefined,
  variables: readonly { name: string; expression: PolicyExpression }[],
): { withAuthorizer: Record<string, Value>; withoutAuthorizer: Record<string, Value> } {
  const lazy = new LazyVariables(variables);
  const base: Record<string, Value> = {
    object: values.object,
    oldObject: values.oldObject,
    request: values.request,
    namespaceObject: values.namespaceObject,
    params: params === undefined || params === null ? null : celValueOf(params),
    variables: lazy,
  };
  const withAuthorizer: Record<string, Value> = { ...base };
  if (values.authorizer) {
    withAuthorizer['authorizer'] = values.authorizer;
    withAuthorizer['authorizer.requestResource'] = values.requestResourceAuthorizer;
  }
  lazy.vars = withAuthorizer;
  return { withAuthorizer, withoutAuthorizer: base };
}

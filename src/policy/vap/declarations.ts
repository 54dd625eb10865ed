/**
 * The variables a ValidatingAdmissionPolicy expression may use and their static types, as the apiserver declares
 * them (admission/plugin/cel/compile.go): object, oldObject and params are dyn; request and namespaceObject are
 * typed objects (so `request.foo` is a compile error); variables is an object type whose fields are the policy's
 * variables compiled so far; authorizer only where the apiserver declares it.
 */
import { DYN, type ObjectType, type StaticType } from '../cel/function-table.js';

const GVK: ObjectType = { name: 'kubernetes.GroupVersionKind', fields: { group: 'string', version: 'string', kind: 'string' } };
const GVR: ObjectType = { name: 'kubernetes.GroupVersionResource', fields: { group: 'string', version: 'string', resource: 'string' } };

export const REQUEST_TYPE: ObjectType = {
  name: 'kubernetes.AdmissionRequest',
  fields: {
    kind: GVK,
    resource: GVR,
    subResource: 'string',
    requestKind: GVK,
    requestResource: GVR,
    requestSubResource: 'string',
    name: 'string',
    namespace: 'string',
    operation: 'string',
    userInfo: { name: 'kubernetes.UserInfo', fields: { username: 'string', uid: 'string', groups: 'list', extra: 'map' } },
    dryRun: 'bool',
    options: DYN,
  },
};

export const NAMESPACE_TYPE: ObjectType = {
  name: 'kubernetes.Namespace',
  fields: {
    metadata: {
      name: 'kubernetes.NamespaceMetadata',
      fields: {
        name: 'string', generateName: 'string', namespace: 'string', labels: 'map', annotations: 'map', UID: 'string',
        creationTimestamp: 'google.protobuf.Timestamp', deletionGracePeriodSeconds: 'int', deletionTimestamp: 'google.protobuf.Timestamp',
        generation: 'int', resourceVersion: 'string', finalizers: 'list',
      },
    },
    spec: { name: 'kubernetes.NamespaceSpec', fields: { finalizers: 'list' } },
    status: { name: 'kubernetes.NamespaceStatus', fields: { conditions: 'list', phase: 'string' } },
  },
};

export interface DeclarationOptions {
  hasParams: boolean;
  hasAuthorizer: boolean;
  /**
   * Fields of `variables` visible to this expression (the policy's variables declared before it), or undefined
   * when `variables` is not declared at all: the apiserver compiles matchConditions, and every expression of a
   * policy without variables, without composition.
   */
  variables: Record<string, StaticType> | undefined;
}

export function declarationsFor(options: DeclarationOptions): Record<string, StaticType> {
  const declarations: Record<string, StaticType> = {
    object: DYN,
    oldObject: DYN,
    request: REQUEST_TYPE,
    namespaceObject: NAMESPACE_TYPE,
  };
  if (options.variables) declarations['variables'] = { name: 'kubernetes.variables', fields: { ...options.variables } };
  if (options.hasParams) declarations['params'] = DYN;
  if (options.hasAuthorizer) {
    declarations['authorizer'] = 'kubernetes.authorization.Authorizer';
    declarations['authorizer.requestResource'] = 'kubernetes.authorization.ResourceCheck';
  }
  return declarations;
}

/**
 * Aspis's ValidatingAdmissionPolicy engine: Kubernetes-compatible CEL policies evaluated in-process (pure: no I/O,
 * no clock). The webhook, `aspis scan --policies` and `aspis policy test` all call this API.
 *
 *   const { policies, errors } = compilePolicies(objects, { sourceOf });   // once, at load
 *   // errors: PolicyError[] — a CEL expression that does not compile names the policy, the field path
 *   // (spec.validations[2].expression), the expression, line:column inside it and the reason. The policy stays in
 *   // the set and behaves as in the apiserver: that expression errors at evaluation and failurePolicy decides.
 *
 *   const result = evaluate(policies, {
 *     operation: 'CREATE', kind: { group: '', version: 'v1', kind: 'Pod' },
 *     resource: { group: '', version: 'v1', resource: 'pods' }, name: 'web', namespace: 'team-a',
 *     object, oldObject: null, userInfo: { username: 'alice', groups: ['dev'] }, dryRun: false,
 *     namespaceObject,                 // the Namespace: namespaceSelector labels and the `namespaceObject` variable
 *     params: paramsFromObjects(list), // paramRef lookups (optional)
 *     authorizer,                      // backs the `authorizer` variable (optional, synchronous)
 *   });
 *   result.decisions   // [{ policy, binding, action: 'Deny'|'Warn'|'Audit', evaluation: 'deny'|'error', message,
 *                      //    reason, validationIndex?, expression?, fieldPath? }] in policy, binding, validation order
 *   result.denial      // { message, reason, code } exactly as the apiserver would answer (first Deny), or undefined
 *   result.warnings    // admission warnings, apiserver wording
 *   result.auditAnnotations  // { '<policy>/<key>': value, 'validation.policy.admission.k8s.io/validation_failure': json }
 *   result.ignoredErrors     // errors swallowed by failurePolicy: Ignore
 *
 * Semantics are the apiserver's v1.34 ones (k8s.io/apiserver admission/plugin/policy/validating and pkg/cel):
 * matchConstraints/matchResources (resourceRules incl. subresources and `*`, excludeResourceRules,
 * namespaceSelector, objectSelector; matchPolicy Equivalent is evaluated as Exact), matchConditions, variables
 * (composited, lazy), params (paramKind/paramRef, parameterNotFoundAction), validations with message /
 * messageExpression / reason, auditAnnotations, failurePolicy, validationActions. CEL: see docs/cel-policies.md.
 * Not modelled: CEL cost limits, and the apiserver's type-checking against OpenAPI schemas (a warning there).
 */
import type { KubeObject } from '../core/model/resource.js';
import { compilePolicies, type CompiledPolicySet, type CompileOptions } from './vap/compile-policies.js';
import { evaluatePolicies } from './vap/evaluate-policies.js';
import type { AdmissionAttributes, EvaluationResult, GroupVersionResource, Operation, UserInfo } from './vap/types.js';

export { compilePolicies, ADMISSION_API_VERSION } from './vap/compile-policies.js';
export type { CompiledPolicySet, CompiledPolicy, CompiledBinding, CompileOptions } from './vap/compile-policies.js';
export { paramsFromObjects } from './vap/params-from-objects.js';
export { VALIDATION_FAILURE_ANNOTATION } from './vap/evaluate-policies.js';
export type * from './vap/types.js';

/** Evaluates every policy of the set on one request (see the module comment). */
export function evaluate(set: CompiledPolicySet, request: AdmissionAttributes): EvaluationResult {
  return evaluatePolicies(set, request);
}

/**
 * Attributes for evaluating a stored object as if it were being created (scans, policy tests): kind from the
 * object, resource as given (the caller knows the plural name, e.g. from discovery).
 */
export function creationAttributesOf(
  object: KubeObject,
  resource: string,
  extra: { operation?: Operation; userInfo?: UserInfo; namespaceObject?: KubeObject | null; params?: AdmissionAttributes['params']; oldObject?: KubeObject | null; subResource?: string } = {},
): AdmissionAttributes {
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const gvr: GroupVersionResource = { group, version, resource };
  const operation = extra.operation ?? 'CREATE';
  const attributes: AdmissionAttributes = {
    operation,
    kind: { group, version, kind: typeof object.kind === 'string' ? object.kind : '' },
    resource: gvr,
    name: typeof object.metadata?.name === 'string' ? object.metadata.name : '',
    object: operation === 'DELETE' ? null : object,
    oldObject: extra.oldObject ?? (operation === 'DELETE' ? object : null),
    userInfo: extra.userInfo ?? {},
    dryRun: false,
  };
  if (typeof object.metadata?.namespace === 'string' && object.metadata.namespace !== '') attributes.namespace = object.metadata.namespace;
  if (extra.namespaceObject !== undefined) attributes.namespaceObject = extra.namespaceObject;
  if (extra.params) attributes.params = extra.params;
  if (extra.subResource) attributes.subResource = extra.subResource;
  return attributes;
}

export type { CompileOptions as PolicyCompileOptions };

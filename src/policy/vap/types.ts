/**
 * The data that goes into and comes out of ValidatingAdmissionPolicy evaluation. Shapes follow the apiserver's
 * (k8s.io/apiserver/pkg/admission/plugin/policy/validating) so a webhook can answer exactly as the native plugin.
 */
import type { LabelSelector } from '../../core/k8s/label-selector.js';
import type { KubeObject } from '../../core/model/resource.js';
import type { Authorizer } from '../cel/library/authorizer.js';

export type { Authorizer, AuthorizationAttributes, AuthorizationDecision } from '../cel/library/authorizer.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

export interface UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** Finds the param objects a binding's paramRef names. */
export interface ParamQuery {
  /** From the policy's spec.paramKind. */
  apiVersion: string;
  kind: string;
  /** paramRef.namespace, else the request's namespace (absent for cluster-scoped requests). */
  namespace?: string;
  /** Whether paramRef.namespace was given (a cluster-scoped param kind must not have one). */
  namespaceFromRef: boolean;
  name?: string;
  selector?: LabelSelector;
}

/** The objects found (possibly none), or why the lookup is impossible (unknown kind, namespaced kind without a namespace). */
export type ParamResolver = (query: ParamQuery) => { objects: KubeObject[] } | { error: string };

/** One admission request, as AdmissionReview's request carries it, plus what evaluation needs from the cluster. */
export interface AdmissionAttributes {
  operation: Operation;
  /** Kind and resource of the object as matched (for Aspis always the request's own). */
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  subResource?: string;
  requestKind?: GroupVersionKind;
  requestResource?: GroupVersionResource;
  requestSubResource?: string;
  name: string;
  /** Empty or absent for cluster-scoped objects. */
  namespace?: string;
  /** The new object (null for DELETE and CONNECT). */
  object?: KubeObject | null;
  /** The existing object (UPDATE and DELETE). */
  oldObject?: KubeObject | null;
  userInfo: UserInfo;
  dryRun?: boolean;
  /** CreateOptions / UpdateOptions / DeleteOptions of the request, when known. */
  options?: unknown;
  /**
   * The Namespace object of a namespaced request: its labels drive namespaceSelector, and it is the CEL variable
   * `namespaceObject`. Absent: treated as a namespace without labels, and namespaceObject is null.
   */
  namespaceObject?: KubeObject | null;
  /** Param lookup for bindings with paramRef; without it such bindings fail to configure (failurePolicy decides). */
  params?: ParamResolver;
  /** Backs the `authorizer` variable; without it, expressions using `authorizer` fail at run time. */
  authorizer?: Authorizer;
}

export type ValidationAction = 'Deny' | 'Warn' | 'Audit';

/** One enforcement outcome: a failed validation (or an error that failurePolicy Fail turns into one) under one action. */
export interface PolicyDecision {
  policy: string;
  /** Empty for a problem of the policy itself (no binding involved). */
  binding: string;
  action: ValidationAction;
  /** 'deny': a validation evaluated to false; 'error': evaluation or configuration failed (failurePolicy Fail). */
  evaluation: 'deny' | 'error';
  /** The apiserver's per-decision message (message, messageExpression, "failed expression: …", or the error). */
  message: string;
  /** Invalid (default), Forbidden, Unauthorized or RequestEntityTooLarge. */
  reason: string;
  /** Index into spec.validations, when a validation produced the decision. */
  validationIndex?: number;
  /** The validation's expression (or the failing matchCondition / auditAnnotation expression). */
  expression?: string;
  /** Where in the object the validation looks, derived from the expression (e.g. `spec.containers[*].image`). */
  fieldPath?: string;
}

/** What the apiserver would answer: the first Deny decision, formatted as its Status. */
export interface Denial {
  /** e.g. `ValidatingAdmissionPolicy 'p' with binding 'b' denied request: msg` */
  message: string;
  reason: string;
  code: number;
}

export interface EvaluationResult {
  decisions: PolicyDecision[];
  /** Audit annotations as the apiserver records them: `<policy>/<key>` and validation_failure. */
  auditAnnotations: Record<string, string>;
  /** Admission warnings, worded as the apiserver words them. */
  warnings: string[];
  denial?: Denial;
  /** Evaluation errors that failurePolicy Ignore swallowed (nothing denied; reported for visibility). */
  ignoredErrors: PolicyDecision[];
}

/** A problem found while loading policies and bindings. */
export interface PolicyError {
  /** `ValidatingAdmissionPolicy/<name>` or `ValidatingAdmissionPolicyBinding/<name>` (or the object's kind/name). */
  object: string;
  /** Field path inside that object, e.g. `spec.validations[2].expression`. */
  fieldPath: string;
  reason: string;
  /** The CEL expression, for compile errors. */
  expression?: string;
  /** 1-based line and column inside the expression, for compile errors. */
  line?: number;
  column?: number;
  /** Where the object came from (file:line), when the caller told {@link compilePolicies}. */
  source?: string;
  /** One line: source, object, field, position and reason. */
  message: string;
}

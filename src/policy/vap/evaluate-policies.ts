/**
 * Evaluates compiled policies on one admission request with the apiserver's semantics
 * (admission/plugin/policy/validating/dispatcher.go and validator.go):
 * policy matchConstraints → each binding's matchResources → params (paramRef, parameterNotFoundAction) → per param:
 * matchConditions (all must be true; errors follow failurePolicy), validations (false → message, messageExpression
 * or "failed expression: …"; errors follow failurePolicy), auditAnnotations. Every failed validation is applied per
 * the binding's validationActions (Deny, Warn, Audit); the first Deny becomes the request's denial.
 */
import type { KubeObject } from '../../core/model/resource.js';
import { isCelError } from '../cel/errors.js';
import { CelOptional, type Value } from '../cel/values.js';
import { activationFor, requestValues, type RequestValues } from './activation.js';
import type { CompiledBinding, CompiledPolicy, CompiledPolicySet, PolicyExpression } from './compile-policies.js';
import { requestMatches } from './match-resources.js';
import type { AdmissionAttributes, Denial, EvaluationResult, PolicyDecision } from './types.js';

const MAX_MESSAGE_BYTES = 5 * 1024;
const MAX_AUDIT_VALUE_LENGTH = 10 * 1024;
export const VALIDATION_FAILURE_ANNOTATION = 'validation.policy.admission.k8s.io/validation_failure';

const REASON_CODES: Record<string, number> = { Forbidden: 403, Unauthorized: 401, RequestEntityTooLarge: 413, Invalid: 422 };

type Outcome = { value: Value } | { error: string };

function run(expression: PolicyExpression, vars: Record<string, Value>): Outcome {
  if (!expression.program) return { error: `compilation error: ${expression.compileError}` };
  try {
    return { value: expression.program.evaluate(vars) };
  } catch (e) {
    if (!isCelError(e)) throw e;
    return { error: `expression '${expression.text}' resulted in error: ${e.message}` };
  }
}

class Evaluation {
  readonly result: EvaluationResult = { decisions: [], auditAnnotations: {}, warnings: [], ignoredErrors: [] };
  private values: RequestValues | undefined;
  private readonly failureRecords: object[] = [];

  constructor(private readonly request: AdmissionAttributes) {}

  private requestValues(): RequestValues {
    return (this.values ??= requestValues(this.request));
  }

  private configError(policy: CompiledPolicy, binding: CompiledBinding | undefined, error: string): void {
    const decision: PolicyDecision = {
      policy: policy.name,
      binding: binding?.name ?? '',
      action: 'Deny',
      evaluation: 'error',
      message: binding ? `failed to configure binding: ${error}` : `failed to configure policy: ${error}`,
      reason: 'Invalid',
    };
    if (policy.failurePolicy === 'Ignore') this.result.ignoredErrors.push(decision);
    else this.result.decisions.push(decision);
  }

  private params(policy: CompiledPolicy, binding: CompiledBinding): { params: (KubeObject | null)[] } | { error: string } {
    const ref = binding.paramRef;
    if (!policy.paramKind || !ref) return { params: [null] };
    if (!this.request.params) return { error: `paramKind kind \`${policy.paramKind.apiVersion}, Kind=${policy.paramKind.kind}\` not known` };
    const namespace = ref.namespace ?? (this.request.namespace || undefined);
    const found = this.request.params({
      apiVersion: policy.paramKind.apiVersion,
      kind: policy.paramKind.kind,
      ...(namespace ? { namespace } : {}),
      namespaceFromRef: ref.namespace !== undefined,
      ...(ref.name ? { name: ref.name } : {}),
      ...(ref.selector ? { selector: ref.selector } : {}),
    });
    if ('error' in found) return found;
    if (found.objects.length === 0 && ref.parameterNotFoundAction === 'Deny') {
      return { error: 'no params found for policy binding with `Deny` parameterNotFoundAction' };
    }
    return { params: found.objects };
  }

  evaluatePolicy(policy: CompiledPolicy): void {
    if (!policy.matchConstraints) {
      this.configError(policy, undefined, 'policy contained no match constraints, a required field');
      return;
    }
    if (!requestMatches(policy.matchConstraints, this.request)) return;
    const annotations = new Map<string, string[]>();
    for (const binding of policy.bindings) {
      if (binding.matchResources && !requestMatches(binding.matchResources, this.request)) continue;
      const collected = this.params(policy, binding);
      if ('error' in collected) {
        this.configError(policy, binding, collected.error);
        continue;
      }
      for (const param of collected.params) this.validate(policy, binding, param, annotations);
    }
    for (const [key, values] of annotations) this.result.auditAnnotations[`${policy.name}/${key}`] = values.join(', ');
  }

  private apply(policy: CompiledPolicy, binding: CompiledBinding, decision: Omit<PolicyDecision, 'action' | 'policy' | 'binding'>): void {
    for (const action of binding.validationActions) {
      const full: PolicyDecision = { policy: policy.name, binding: binding.name, action, ...decision };
      this.result.decisions.push(full);
      if (action === 'Warn') {
        this.result.warnings.push(`Validation failed for ValidatingAdmissionPolicy '${policy.name}' with binding '${binding.name}': ${decision.message}`);
      } else if (action === 'Audit') {
        this.failureRecords.push({
          message: decision.message,
          policy: policy.name,
          binding: binding.name,
          expressionIndex: decision.validationIndex ?? 0,
          validationActions: binding.validationActions,
        });
        this.result.auditAnnotations[VALIDATION_FAILURE_ANNOTATION] = JSON.stringify(this.failureRecords);
      }
    }
  }

  private errorDecision(policy: CompiledPolicy, binding: CompiledBinding, message: string, extra: Partial<PolicyDecision>): Omit<PolicyDecision, 'action' | 'policy' | 'binding'> | undefined {
    const decision = { evaluation: 'error' as const, message, reason: 'Invalid', ...extra };
    if (policy.failurePolicy === 'Ignore') {
      this.result.ignoredErrors.push({ policy: policy.name, binding: binding.name, action: 'Deny', ...decision });
      return undefined;
    }
    return decision;
  }

  private validate(policy: CompiledPolicy, binding: CompiledBinding, param: KubeObject | null, annotations: Map<string, string[]>): void {
    const values = this.requestValues();
    if (policy.matchConditions.length > 0) {
      // The apiserver evaluates matchConditions without the namespace object.
      const { withAuthorizer } = activationFor({ ...values, namespaceObject: null }, param, policy.variables);
      const errors: string[] = [];
      for (const condition of policy.matchConditions) {
        const outcome = run(condition.expression, withAuthorizer);
        if ('error' in outcome) errors.push(outcome.error);
        else if (outcome.value === false) return;
      }
      if (errors.length > 0) {
        const message = errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`;
        const decision = this.errorDecision(policy, binding, message, {});
        if (decision) this.result.decisions.push({ policy: policy.name, binding: binding.name, action: 'Deny', ...decision });
        return;
      }
    }
    const { withAuthorizer, withoutAuthorizer } = activationFor(values, param, policy.variables);
    for (const validation of policy.validations) {
      const outcome = run(validation.expression, withAuthorizer);
      const extra: Partial<PolicyDecision> = { validationIndex: validation.index, expression: validation.expression.text };
      if (validation.fieldPath) extra.fieldPath = validation.fieldPath;
      if ('error' in outcome) {
        const decision = this.errorDecision(policy, binding, outcome.error, extra);
        if (decision) this.apply(policy, binding, decision);
        continue;
      }
      if (outcome.value === true) continue;
      let message = '';
      if (validation.messageExpression) {
        const m = run(validation.messageExpression, withoutAuthorizer);
        if ('value' in m && typeof m.value === 'string') {
          message = m.value.trim();
          if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES || message.includes('\n')) message = '';
        }
      }
      if (message === '' && validation.message) message = validation.message.trim();
      if (message === '') message = `failed expression: ${validation.expression.text.trim()}`;
      this.apply(policy, binding, { evaluation: 'deny', message, reason: validation.reason, ...extra });
    }
    for (const annotation of policy.auditAnnotations) {
      const outcome = run(annotation.valueExpression, withoutAuthorizer);
      let error: string | undefined;
      if ('error' in outcome) error = outcome.error;
      else if (typeof outcome.value === 'string') {
        const value = outcome.value.trim();
        if (value !== '') {
          const list = annotations.get(annotation.key) ?? [];
          const clipped = value.length > MAX_AUDIT_VALUE_LENGTH ? value.slice(0, MAX_AUDIT_VALUE_LENGTH) : value;
          if (!list.includes(clipped)) list.push(clipped);
          annotations.set(annotation.key, list);
        }
      } else if (outcome.value !== null) {
        const type = outcome.value instanceof CelOptional ? 'optional_type' : typeof outcome.value === 'bigint' ? 'int' : typeof outcome.value === 'boolean' ? 'bool' : typeof outcome.value === 'number' ? 'double' : Array.isArray(outcome.value) ? 'list' : 'map';
        error = `valueExpression '${annotation.valueExpression.text}' resulted in unsupported return type: ${type}. Return type must be either string or null.`;
      }
      if (error !== undefined) {
        const decision = this.errorDecision(policy, binding, error, { expression: annotation.valueExpression.text });
        if (decision) this.result.decisions.push({ policy: policy.name, binding: binding.name, action: 'Deny', ...decision });
      }
    }
  }

  denial(): Denial | undefined {
    const first = this.result.decisions.find((d) => d.action === 'Deny');
    if (!first) return undefined;
    const message = first.binding
      ? `ValidatingAdmissionPolicy '${first.policy}' with binding '${first.binding}' denied request: ${first.message}`
      : `ValidatingAdmissionPolicy '${first.policy}' denied request: ${first.message}`;
    const reason = first.reason || 'Invalid';
    return { message, reason, code: REASON_CODES[reason] ?? 422 };
  }
}

/** Evaluates every policy of the set on one request. Pure: the request carries everything from the cluster. */
export function evaluatePolicies(set: CompiledPolicySet, request: AdmissionAttributes): EvaluationResult {
  const evaluation = new Evaluation(request);
  for (const policy of set.policies) evaluation.evaluatePolicy(policy);
  const denial = evaluation.denial();
  if (denial) evaluation.result.denial = denial;
  return evaluation.result;
}

/**
 * Reads ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding objects (admissionregistration.k8s.io/v1) and
 * compiles every CEL expression once. Bad input never stops the rest: each problem becomes a {@link PolicyError}
 * naming the object, the field, and for CEL the expression, line:column and reason. An expression that does not
 * compile still leaves its policy in the set: at evaluation it behaves as in the apiserver (an error that
 * failurePolicy decides), so a broken policy can never silently allow.
 */
import { validateLabelSelector, type LabelSelector } from '../../core/k8s/label-selector.js';
import type { KubeObject } from '../../core/model/resource.js';
import type { Node } from '../cel/ast.js';
import { DEFAULT_CEL_VERSION, describeCompileError } from '../cel/compile-expression.js';
import { UNKNOWN, type StaticType } from '../cel/function-table.js';
import { compileAst, type CompiledExpression } from '../cel/interpreter.js';
import { KUBERNETES_FUNCTIONS } from '../cel/kubernetes-functions.js';
import { parseCel } from '../cel/parser.js';
import { declarationsFor } from './declarations.js';
import { directChainOf, fieldChainOf, formatChain } from './field-path-of-expression.js';
import type { Operation, PolicyError, ValidationAction } from './types.js';

export const ADMISSION_API_VERSION = 'admissionregistration.k8s.io/v1';

/** A CEL expression of a policy, compiled, or the reason it did not compile (kept: evaluation reports it). */
export interface PolicyExpression {
  text: string;
  program?: CompiledExpression;
  compileError?: string;
  ast?: Node;
}

export interface RuleWithOperations {
  operations: string[];
  apiGroups: string[];
  apiVersions: string[];
  resources: string[];
  scope: '*' | 'Cluster' | 'Namespaced';
  resourceNames: string[];
}

export interface CompiledMatch {
  namespaceSelector: LabelSelector;
  objectSelector: LabelSelector;
  resourceRules: RuleWithOperations[];
  excludeResourceRules: RuleWithOperations[];
  matchPolicy: 'Exact' | 'Equivalent';
}

export interface CompiledValidation {
  index: number;
  expression: PolicyExpression;
  message?: string;
  messageExpression?: PolicyExpression;
  reason: string;
  fieldPath?: string;
}

export interface CompiledBinding {
  name: string;
  policyName: string;
  paramRef?: {
    name?: string;
    namespace?: string;
    selector?: LabelSelector;
    parameterNotFoundAction: 'Allow' | 'Deny';
  };
  matchResources?: CompiledMatch;
  validationActions: ValidationAction[];
}

export interface CompiledPolicy {
  name: string;
  failurePolicy: 'Fail' | 'Ignore';
  paramKind?: { apiVersion: string; kind: string };
  matchConstraints?: CompiledMatch;
  matchConditions: { name: string; expression: PolicyExpression }[];
  variables: { name: string; expression: PolicyExpression }[];
  validations: CompiledValidation[];
  auditAnnotations: { key: string; valueExpression: PolicyExpression }[];
  bindings: CompiledBinding[];
}

export interface CompiledPolicySet {
  readonly policies: readonly CompiledPolicy[];
}

export interface CompileOptions {
  /** Where an object came from (`file:line`), for error messages. */
  sourceOf?: (object: KubeObject) => string | undefined;
  /**
   * Kubernetes minor version of the CEL environment to accept (default 33: what a v1.34 apiserver accepts when a
   * policy is created; functions introduced later, such as the ext lists sort/flatten of 1.34, are rejected).
   */
  celVersion?: number;
}

const OPERATIONS = new Set<string>(['*', 'CREATE', 'UPDATE', 'DELETE', 'CONNECT']);
/** The apiserver (v1.34 validation) accepts these; Unauthorized is documented but refused. */
const REASONS = new Set(['Forbidden', 'Invalid', 'RequestEntityTooLarge']);
const ACTIONS = new Set<ValidationAction>(['Deny', 'Warn', 'Audit']);
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

class Problems {
  readonly errors: PolicyError[] = [];
  constructor(private readonly sourceOf: CompileOptions['sourceOf']) {}
  add(object: KubeObject, objectRef: string, fieldPath: string, reason: string, cel?: { expression: string; line: number; column: number }): void {
    const source = this.sourceOf?.(object);
    const where = cel ? ` (${fieldPath}, line ${cel.line}, column ${cel.column})` : fieldPath ? ` ${fieldPath}` : '';
    const error: PolicyError = {
      object: objectRef,
      fieldPath,
      reason,
      message: `${source ? `${source}: ` : ''}${objectRef}${where}: ${reason}${cel ? `: ${JSON.stringify(cel.expression)}` : ''}`,
    };
    if (source) error.source = source;
    if (cel) Object.assign(error, cel);
    this.errors.push(error);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

class PolicyReader {
  constructor(
    private readonly object: KubeObject,
    private readonly ref: string,
    private readonly problems: Problems,
    private readonly celVersion: number,
  ) {}

  fail(fieldPath: string, reason: string): void {
    this.problems.add(this.object, this.ref, fieldPath, reason);
  }

  /** `resultTypes`: the exact static types the apiserver requires (dyn is not enough); none for variables. */
  compile(text: unknown, fieldPath: string, declarations: Record<string, StaticType>, resultTypes?: readonly string[]): PolicyExpression | undefined {
    if (typeof text !== 'string' || text.trim() === '') {
      this.fail(fieldPath, 'Required value: expression must be a non-empty string');
      return undefined;
    }
    try {
      const ast = parseCel(text);
      const program = compileAst(ast, { variables: declarations, functions: KUBERNETES_FUNCTIONS, version: this.celVersion });
      const type = typeof program.resultType === 'string' ? program.resultType : program.resultType.name;
      if (resultTypes && !resultTypes.includes(type) && type !== UNKNOWN) {
        const reason = resultTypes.length === 1 ? `must evaluate to ${resultTypes[0]} but got ${type}` : `must evaluate to one of [${resultTypes.join(' ')}] but got ${type}`;
        this.problems.add(this.object, this.ref, fieldPath, reason, { expression: text, line: 1, column: 1 });
        return { text, compileError: reason, ast };
      }
      return { text, program, ast };
    } catch (e) {
      const problem = describeCompileError(text, e);
      this.problems.add(this.object, this.ref, fieldPath, problem.reason, { expression: text, line: problem.line, column: problem.column });
      return { text, compileError: `ERROR: <input>:${problem.line}:${problem.column}: ${problem.reason}` };
    }
  }

  rules(value: unknown, fieldPath: string): RuleWithOperations[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.fail(fieldPath, 'must be a list of rules');
      return [];
    }
    const rules: RuleWithOperations[] = [];
    value.forEach((raw, i) => {
      const at = `${fieldPath}[${i}]`;
      if (!isRecord(raw)) return this.fail(at, 'must be an object');
      const lists: Record<string, string[]> = {};
      for (const key of ['operations', 'apiGroups', 'apiVersions', 'resources'] as const) {
        const list = stringList(raw[key]);
        if (!list || list.length === 0) {
          this.fail(`${at}.${key}`, 'Required value: must be a non-empty list of strings');
          return;
        }
        lists[key] = list;
      }
      for (const op of lists['operations']!) if (!OPERATIONS.has(op)) this.fail(`${at}.operations`, `Unsupported value: ${JSON.stringify(op)}: supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"`);
      const scope = raw['scope'] ?? '*';
      if (scope !== '*' && scope !== 'Cluster' && scope !== 'Namespaced') this.fail(`${at}.scope`, `Unsupported value: ${JSON.stringify(scope)}`);
      rules.push({
        operations: lists['operations']!,
        apiGroups: lists['apiGroups']!,
        apiVersions: lists['apiVersions']!,
        resources: lists['resources']!,
        scope: scope as RuleWithOperations['scope'],
        resourceNames: stringList(raw['resourceNames']) ?? [],
      });
    });
    return rules;
  }

  selector(value: unknown, fieldPath: string): LabelSelector {
    if (value === undefined || value === null) return {};
    const issues = validateLabelSelector(value);
    for (const issue of issues) this.fail(issue.field ? `${fieldPath}.${issue.field}` : fieldPath, issue.message);
    return issues.length === 0 ? (value as LabelSelector) : { matchExpressions: [{ key: 'aspis.io/invalid-selector', operator: 'Exists' }] };
  }

  match(value: unknown, fieldPath: string): CompiledMatch | undefined {
    if (!isRecord(value)) {
      this.fail(fieldPath, 'must be an object');
      return undefined;
    }
    const matchPolicy = value['matchPolicy'] ?? 'Equivalent';
    if (matchPolicy !== 'Exact' && matchPolicy !== 'Equivalent') this.fail(`${fieldPath}.matchPolicy`, `Unsupported value: ${JSON.stringify(matchPolicy)}`);
    return {
      namespaceSelector: this.selector(value['namespaceSelector'], `${fieldPath}.namespaceSelector`),
      objectSelector: this.selector(value['objectSelector'], `${fieldPath}.objectSelector`),
      resourceRules: this.rules(value['resourceRules'], `${fieldPath}.resourceRules`),
      excludeResourceRules: this.rules(value['excludeResourceRules'], `${fieldPath}.excludeResourceRules`),
      matchPolicy: matchPolicy === 'Exact' ? 'Exact' : 'Equivalent',
    };
  }
}

function readPolicy(object: KubeObject, name: string, problems: Problems, celVersion: number): CompiledPolicy | undefined {
  const ref = `ValidatingAdmissionPolicy/${name}`;
  const reader = new PolicyReader(object, ref, problems, celVersion);
  const spec = object['spec'];
  if (!isRecord(spec)) {
    reader.fail('spec', 'Required value');
    return undefined;
  }
  const failurePolicy = spec['failurePolicy'] ?? 'Fail';
  if (failurePolicy !== 'Fail' && failurePolicy !== 'Ignore') reader.fail('spec.failurePolicy', `Unsupported value: ${JSON.stringify(failurePolicy)}: supported values: "Fail", "Ignore"`);
  let paramKind: CompiledPolicy['paramKind'];
  if (spec['paramKind'] !== undefined && spec['paramKind'] !== null) {
    const pk = spec['paramKind'];
    if (!isRecord(pk) || typeof pk['apiVersion'] !== 'string' || typeof pk['kind'] !== 'string') reader.fail('spec.paramKind', 'must have apiVersion and kind');
    else paramKind = { apiVersion: pk['apiVersion'], kind: pk['kind'] };
  }
  const hasParams = paramKind !== undefined;
  let matchConstraints: CompiledMatch | undefined;
  if (spec['matchConstraints'] === undefined || spec['matchConstraints'] === null) reader.fail('spec.matchConstraints', 'Required value');
  else {
    matchConstraints = reader.match(spec['matchConstraints'], 'spec.matchConstraints');
    if (matchConstraints && matchConstraints.resourceRules.length === 0) reader.fail('spec.matchConstraints.resourceRules', 'Required value');
  }

  const listAt = (key: string): unknown[] => {
    const v = spec[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      reader.fail(`spec.${key}`, 'must be a list');
      return [];
    }
    return v;
  };

  const variableTypes: Record<string, StaticType> = {};
  const variables: CompiledPolicy['variables'] = [];
  const variablePaths = new Map<string, string[]>();
  listAt('variables').forEach((raw, i) => {
    const at = `spec.variables[${i}]`;
    if (!isRecord(raw)) return reader.fail(at, 'must be an object');
    const vname = raw['name'];
    if (typeof vname !== 'string' || !VARIABLE_NAME.test(vname)) return reader.fail(`${at}.name`, 'must be a valid CEL identifier');
    if (variables.some((v) => v.name === vname)) return reader.fail(`${at}.name`, `Duplicate value: ${JSON.stringify(vname)}`);
    const expression = reader.compile(raw['expression'], `${at}.expression`, declarationsFor({ hasParams, hasAuthorizer: true, variables: { ...variableTypes } }));
    if (!expression) return;
    variables.push({ name: vname, expression });
    variableTypes[vname] = expression.program?.resultType ?? 'dyn';
    const chain = expression.ast && directChainOf(expression.ast, variablePaths);
    if (chain) variablePaths.set(vname, chain);
  });

  const composition = listAt('variables').length > 0;
  const fullDeclarations = (hasAuthorizer: boolean): Record<string, StaticType> =>
    declarationsFor({ hasParams, hasAuthorizer, variables: composition ? variableTypes : undefined });

  const matchConditions: CompiledPolicy['matchConditions'] = [];
  listAt('matchConditions').forEach((raw, i) => {
    const at = `spec.matchConditions[${i}]`;
    if (!isRecord(raw)) return reader.fail(at, 'must be an object');
    const cname = raw['name'];
    if (typeof cname !== 'string' || cname === '') return reader.fail(`${at}.name`, 'Required value');
    // The apiserver validates matchConditions without variable composition: `variables` is undeclared there.
    const expression = reader.compile(raw['expression'], `${at}.expression`, declarationsFor({ hasParams, hasAuthorizer: true, variables: undefined }), ['bool']);
    if (expression) matchConditions.push({ name: cname, expression });
  });

  const validations: CompiledValidation[] = [];
  listAt('validations').forEach((raw, i) => {
    const at = `spec.validations[${i}]`;
    if (!isRecord(raw)) return reader.fail(at, 'must be an object');
    const expression = reader.compile(raw['expression'], `${at}.expression`, fullDeclarations(true), ['bool']);
    if (!expression) return;
    const reason = raw['reason'] ?? 'Invalid';
    if (typeof reason !== 'string' || !REASONS.has(reason)) reader.fail(`${at}.reason`, `Unsupported value: ${JSON.stringify(reason)}: supported values: "Forbidden", "Invalid", "RequestEntityTooLarge"`);
    const message = raw['message'];
    if (message !== undefined && (typeof message !== 'string' || /[\r\n]/.test(message.trim()))) reader.fail(`${at}.message`, 'must not contain line breaks');
    else if (typeof message === 'string' && message.length > 0 && message.trim() === '') reader.fail(`${at}.message`, 'must be non-empty if specified');
    if (typeof raw['messageExpression'] === 'string' && raw['messageExpression'].length > 0 && raw['messageExpression'].trim() === '') {
      reader.fail(`${at}.messageExpression`, 'must be non-empty if specified');
    }
    const validation: CompiledValidation = { index: i, expression, reason: typeof reason === 'string' && REASONS.has(reason) ? reason : 'Invalid' };
    if (typeof message === 'string') validation.message = message;
    const messageExpression = raw['messageExpression'];
    if (messageExpression !== undefined && !(typeof messageExpression === 'string' && messageExpression.trim() === '')) {
      const me = reader.compile(raw['messageExpression'], `${at}.messageExpression`, fullDeclarations(false), ['string']);
      if (me) validation.messageExpression = me;
    }
    const chain = expression.ast && fieldChainOf(expression.ast, variablePaths);
    if (chain) validation.fieldPath = formatChain(chain);
    validations.push(validation);
  });

  const auditAnnotations: CompiledPolicy['auditAnnotations'] = [];
  listAt('auditAnnotations').forEach((raw, i) => {
    const at = `spec.auditAnnotations[${i}]`;
    if (!isRecord(raw)) return reader.fail(at, 'must be an object');
    const key = raw['key'];
    if (typeof key !== 'string' || key === '') return reader.fail(`${at}.key`, 'Required value');
    const valueExpression = reader.compile(raw['valueExpression'], `${at}.valueExpression`, fullDeclarations(true), ['string', 'null_type']);
    if (valueExpression) auditAnnotations.push({ key, valueExpression });
  });

  if (validations.length === 0 && auditAnnotations.length === 0 && listAt('validations').length === 0 && listAt('auditAnnotations').length === 0) {
    reader.fail('spec.validations', 'Required value: validations or auditAnnotations must contain at least one item');
  }
  const policy: CompiledPolicy = {
    name,
    failurePolicy: failurePolicy === 'Ignore' ? 'Ignore' : 'Fail',
    matchConditions,
    variables,
    validations,
    auditAnnotations,
    bindings: [],
  };
  if (paramKind) policy.paramKind = paramKind;
  if (matchConstraints) policy.matchConstraints = matchConstraints;
  return policy;
}

function readBinding(object: KubeObject, name: string, problems: Problems, celVersion: number): CompiledBinding | undefined {
  const ref = `ValidatingAdmissionPolicyBinding/${name}`;
  const reader = new PolicyReader(object, ref, problems, celVersion);
  const spec = object['spec'];
  if (!isRecord(spec)) {
    reader.fail('spec', 'Required value');
    return undefined;
  }
  const policyName = spec['policyName'];
  if (typeof policyName !== 'string' || policyName === '') {
    reader.fail('spec.policyName', 'Required value');
    return undefined;
  }
  const actions = stringList(spec['validationActions']);
  let validationActions: ValidationAction[] = [];
  if (!actions || actions.length === 0) reader.fail('spec.validationActions', 'Required value: must contain at least one value');
  else {
    for (const a of actions) if (!ACTIONS.has(a as ValidationAction)) reader.fail('spec.validationActions', `Unsupported value: ${JSON.stringify(a)}: supported values: "Audit", "Deny", "Warn"`);
    if (new Set(actions).size !== actions.length) reader.fail('spec.validationActions', 'Duplicate value');
    if (actions.includes('Deny') && actions.includes('Warn')) reader.fail('spec.validationActions', 'Invalid value: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)');
    validationActions = actions.filter((a): a is ValidationAction => ACTIONS.has(a as ValidationAction));
  }
  const binding: CompiledBinding = { name, policyName, validationActions };
  const paramRef = spec['paramRef'];
  if (paramRef !== undefined && paramRef !== null) {
    if (!isRecord(paramRef)) reader.fail('spec.paramRef', 'must be an object');
    else {
      const action = paramRef['parameterNotFoundAction'] ?? 'Allow';
      if (action !== 'Allow' && action !== 'Deny') reader.fail('spec.paramRef.parameterNotFoundAction', `Unsupported value: ${JSON.stringify(action)}: supported values: "Allow", "Deny"`);
      const hasName = typeof paramRef['name'] === 'string' && paramRef['name'] !== '';
      const hasSelector = paramRef['selector'] !== undefined && paramRef['selector'] !== null;
      if (hasName === hasSelector) reader.fail('spec.paramRef', 'one of name or selector must be set');
      binding.paramRef = { parameterNotFoundAction: action === 'Deny' ? 'Deny' : 'Allow' };
      if (hasName) binding.paramRef.name = paramRef['name'] as string;
      if (typeof paramRef['namespace'] === 'string' && paramRef['namespace'] !== '') binding.paramRef.namespace = paramRef['namespace'];
      if (hasSelector) binding.paramRef.selector = reader.selector(paramRef['selector'], 'spec.paramRef.selector');
    }
  }
  if (spec['matchResources'] !== undefined && spec['matchResources'] !== null) {
    const match = reader.match(spec['matchResources'], 'spec.matchResources');
    if (match) binding.matchResources = match;
  }
  return binding;
}

/**
 * Compiles the ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding objects among `objects` (other kinds
 * are ignored: they may be params or fixtures). Bindings attach to their policy by spec.policyName; a binding naming
 * no known policy is an error (the apiserver would let it sit unused; here it is almost always a typo).
 */
export function compilePolicies(objects: readonly KubeObject[], options: CompileOptions = {}): { policies: CompiledPolicySet; errors: PolicyError[] } {
  const problems = new Problems(options.sourceOf);
  const celVersion = options.celVersion ?? DEFAULT_CEL_VERSION;
  const policies: CompiledPolicy[] = [];
  const bindings: { binding: CompiledBinding; object: KubeObject }[] = [];
  const seen = new Set<string>();
  for (const object of objects) {
    const kind = object.kind;
    if (kind !== 'ValidatingAdmissionPolicy' && kind !== 'ValidatingAdmissionPolicyBinding') continue;
    const name = object.metadata?.name;
    const ref = `${kind}/${typeof name === 'string' ? name : '(unnamed)'}`;
    if (object.apiVersion !== ADMISSION_API_VERSION) {
      problems.add(object, ref, 'apiVersion', `unsupported apiVersion ${JSON.stringify(object.apiVersion)}; Aspis reads ${ADMISSION_API_VERSION}`);
      continue;
    }
    if (typeof name !== 'string' || !NAME.test(name)) {
      problems.add(object, ref, 'metadata.name', 'Required value: a lowercase RFC 1123 subdomain');
      continue;
    }
    if (seen.has(ref)) {
      problems.add(object, ref, 'metadata.name', 'Duplicate value: the same name appears twice');
      continue;
    }
    seen.add(ref);
    if (kind === 'ValidatingAdmissionPolicy') {
      const policy = readPolicy(object, name, problems, celVersion);
      if (policy) policies.push(policy);
    } else {
      const binding = readBinding(object, name, problems, celVersion);
      if (binding) bindings.push({ binding, object });
    }
  }
  const byName = new Map(policies.map((p) => [p.name, p]));
  for (const { binding, object } of bindings) {
    const policy = byName.get(binding.policyName);
    if (!policy) {
      problems.add(object, `ValidatingAdmissionPolicyBinding/${binding.name}`, 'spec.policyName', `no ValidatingAdmissionPolicy named ${JSON.stringify(binding.policyName)}`);
      continue;
    }
    if (binding.paramRef && !policy.paramKind) {
      problems.add(object, `ValidatingAdmissionPolicyBinding/${binding.name}`, 'spec.paramRef', `policy ${JSON.stringify(policy.name)} has no paramKind`);
    }
    policy.bindings.push(binding);
  }
  return { policies: { policies }, errors: problems.errors };
}

export type { Operation };

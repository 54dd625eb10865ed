/**
 * ValidatingAdmissionPolicy semantics of the engine, case by case (the apiserver's rules, see
 * src/policy/vap/evaluate-policies.ts): loading errors, matching, params, matchConditions and failurePolicy,
 * variables, messages, validationActions, audit annotations and the authorizer variable.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import jsyaml from 'js-yaml';
import type { KubeObject } from '../../src/core/model/resource.js';
import {
  compilePolicies, creationAttributesOf, evaluate, paramsFromObjects, VALIDATION_FAILURE_ANNOTATION, type AdmissionAttributes,
} from '../../src/policy/index.js';

function policy(spec: string, binding = 'validationActions: [Deny]', name = 'p'): KubeObject[] {
  return jsyaml.loadAll(`apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: ${name}}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [pods, pods/ephemeralcontainers]}
${spec.replace(/^/gm, '  ')}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: ${name}-binding}
spec:
  policyName: ${name}
${binding.replace(/^/gm, '  ')}
`) as KubeObject[];
}

const POD: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'team-a', labels: { app: 'web' } },
  spec: { containers: [{ name: 'app', image: 'nginx:latest' }] },
};

function request(extra: Partial<AdmissionAttributes> = {}): AdmissionAttributes {
  return { ...creationAttributesOf(POD, 'pods', { namespaceObject: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { env: 'prod' } } } }), ...extra };
}

function run(objects: KubeObject[], req: AdmissionAttributes = request()) {
  const { policies, errors } = compilePolicies(objects);
  assert.deepEqual(errors.map((e) => e.message), []);
  return evaluate(policies, req);
}

describe('ValidatingAdmissionPolicy evaluation', () => {
  it('reports a CEL compile error with policy, field path, expression, line:column and reason, and keeps loading', () => {
    const objects = [
      ...policy('validations:\n- expression: "true"\n- expression: "true"\n- expression: "object.spec.containers.all(c,\\n  c.image.endsWith(\':latest\') &&)"'),
      ...policy('validations:\n- expression: "object.metadata.name.size() > 1"', 'validationActions: [Deny]', 'other'),
    ];
    const { policies, errors } = compilePolicies(objects, { sourceOf: (o) => `policies.yaml:${o.metadata?.name === 'p' ? 1 : 20}` });
    assert.equal(errors.length, 1);
    const [error] = errors;
    assert.equal(error!.object, 'ValidatingAdmissionPolicy/p');
    assert.equal(error!.fieldPath, 'spec.validations[2].expression');
    assert.equal(error!.line, 2);
    assert.equal(error!.column, 33);
    assert.match(error!.reason, /^Syntax error: mismatched input '\)'/);
    assert.equal(error!.source, 'policies.yaml:1');
    assert.match(error!.message, /^policies\.yaml:1: ValidatingAdmissionPolicy\/p \(spec\.validations\[2\]\.expression, line 2, column 33\): Syntax error/);
    assert.equal(policies.policies.length, 2, 'both policies load');
    // The broken expression errors at evaluation: failurePolicy Fail (default) denies, never silently allows.
    const result = evaluate(policies, request());
    assert.equal(result.denial?.message.startsWith("ValidatingAdmissionPolicy 'p' with binding 'p-binding' denied request: compilation error: ERROR: <input>:2:33: Syntax error"), true, result.denial?.message);
  });

  it('rejects bad objects with the field at fault', () => {
    const bad = jsyaml.loadAll(`apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: bad}
spec:
  failurePolicy: Sometimes
  matchConstraints: {resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [DESTROY], resources: [pods]}]}
  validations:
  - {expression: "object.metadata.name", reason: Unauthorized}
  - {expression: "true", messageExpression: "object.metadata.name"}
  matchConditions:
  - {name: m, expression: "variables.x"}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: bad-binding}
spec: {policyName: missing, validationActions: [Deny, Warn]}
`) as KubeObject[];
    const { errors } = compilePolicies(bad);
    const byField = Object.fromEntries(errors.map((e) => [`${e.object} ${e.fieldPath}`, e.reason]));
    assert.match(byField['ValidatingAdmissionPolicy/bad spec.failurePolicy']!, /Unsupported value: "Sometimes"/);
    assert.match(byField['ValidatingAdmissionPolicy/bad spec.matchConstraints.resourceRules[0].operations']!, /Unsupported value: "DESTROY"/);
    assert.equal(byField['ValidatingAdmissionPolicy/bad spec.validations[0].expression'], 'must evaluate to bool but got dyn');
    assert.match(byField['ValidatingAdmissionPolicy/bad spec.validations[0].reason']!, /Unsupported value: "Unauthorized"/);
    assert.equal(byField['ValidatingAdmissionPolicy/bad spec.validations[1].messageExpression'], 'must evaluate to string but got dyn');
    assert.equal(byField['ValidatingAdmissionPolicy/bad spec.matchConditions[0].expression'], "undeclared reference to 'variables' (in container '')");
    assert.match(byField['ValidatingAdmissionPolicyBinding/bad-binding spec.validationActions']!, /must not contain both Deny and Warn/);
  });

  it('matches resources, subresources, operations, exclusions and selectors as the apiserver does', () => {
    const objects = policy('validations:\n- {expression: "false", message: denied}');
    assert.ok(run(objects).denial);
    assert.equal(run(objects, request({ operation: 'DELETE', object: null, oldObject: POD })).denial, undefined, 'DELETE not matched');
    assert.ok(run(objects, request({ subResource: 'ephemeralcontainers' })).denial, 'pods/ephemeralcontainers matched');
    assert.equal(run(objects, request({ subResource: 'status' })).denial, undefined, 'pods/status not matched');
    const excluded = policy('validations:\n- {expression: "false"}', 'validationActions: [Deny]\nmatchResources:\n  excludeResourceRules:\n  - {apiGroups: [""], apiVersions: [v1], operations: ["*"], resources: [pods], resourceNames: [web]}');
    assert.equal(run(excluded).denial, undefined);
    const nsSelected = policy('validations:\n- {expression: "false"}', 'validationActions: [Deny]\nmatchResources:\n  namespaceSelector: {matchLabels: {env: dev}}');
    assert.equal(run(nsSelected).denial, undefined, 'namespace labelled env=prod');
    const objSelected = policy('validations:\n- {expression: "false"}', 'validationActions: [Deny]\nmatchResources:\n  objectSelector: {matchExpressions: [{key: app, operator: In, values: [web]}]}');
    assert.ok(run(objSelected).denial);
  });

  it('resolves params by name and selector, honours parameterNotFoundAction, and evaluates once per param', () => {
    const spec = 'paramKind: {apiVersion: v1, kind: ConfigMap}\nvalidations:\n- expression: "object.spec.containers.size() <= int(params.data.max)"\n  messageExpression: "\'at most \' + params.data.max"';
    const params = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'limits', namespace: 'team-a', labels: { tier: 'x' } }, data: { max: '0' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other', namespace: 'team-a', labels: { tier: 'x' } }, data: { max: '5' } },
    ] as KubeObject[];
    const withParams = (binding: string) => run(policy(spec, binding), request({ params: paramsFromObjects(params) }));
    assert.equal(withParams('validationActions: [Deny]\nparamRef: {name: limits, parameterNotFoundAction: Deny}').denial?.message, "ValidatingAdmissionPolicy 'p' with binding 'p-binding' denied request: at most 0");
    assert.equal(withParams('validationActions: [Deny]\nparamRef: {selector: {matchLabels: {tier: x}}, parameterNotFoundAction: Allow}').decisions.length, 1, 'one of two params fails');
    assert.equal(withParams('validationActions: [Deny]\nparamRef: {name: nope, parameterNotFoundAction: Allow}').denial, undefined);
    assert.equal(
      withParams('validationActions: [Deny]\nparamRef: {name: nope, parameterNotFoundAction: Deny}').denial?.message,
      "ValidatingAdmissionPolicy 'p' with binding 'p-binding' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction",
    );
  });

  it('skips on a false matchCondition and applies failurePolicy to a matchCondition error', () => {
    const skip = policy('matchConditions:\n- {name: only-db, expression: "object.metadata.labels.app == \'db\'"}\nvalidations:\n- {expression: "false"}');
    assert.equal(run(skip).denial, undefined);
    const failing = 'matchConditions:\n- {name: broken, expression: "object.metadata.annotations.x == \'y\'"}\nvalidations:\n- {expression: "false"}';
    assert.equal(run(policy(failing)).denial?.message, "ValidatingAdmissionPolicy 'p' with binding 'p-binding' denied request: expression 'object.metadata.annotations.x == 'y'' resulted in error: no such key: annotations");
    const ignored = run(policy(`failurePolicy: Ignore\n${failing}`));
    assert.equal(ignored.denial, undefined);
    assert.equal(ignored.ignoredErrors.length, 1);
  });

  it('evaluates variables lazily and once, and words their errors as the apiserver', () => {
    const objects = policy('variables:\n- {name: images, expression: "object.spec.containers.map(c, c.image)"}\n- {name: broken, expression: "object.spec.nodeName"}\nvalidations:\n- {expression: "variables.images.all(i, !i.endsWith(\':latest\'))", messageExpression: "\'unpinned: \' + variables.images.join(\', \')"}\n- {expression: "variables.broken == \'x\'"}');
    const result = run(objects);
    assert.deepEqual(result.decisions.map((d) => d.message), [
      'unpinned: nginx:latest',
      "expression 'variables.broken == 'x'' resulted in error: composited variable \"broken\" fails to evaluate: no such key: nodeName",
    ]);
  });

  it('falls back from messageExpression to message to the expression, and maps reason to the status code', () => {
    const objects = policy([
      'validations:',
      // A messageExpression that fails, and one with a line break, fall back (messageExpression must be string-typed).
      '- {expression: "false", messageExpression: "string(object.metadata.missing)", message: "static", reason: Forbidden}',
      '- {expression: "false", messageExpression: "\'two\\\\nlines\'"}',
      '- {expression: " 1 > 2 ", reason: RequestEntityTooLarge}',
    ].join('\n'));
    const result = run(objects);
    assert.deepEqual(result.decisions.map((d) => [d.message, d.reason]), [
      ['static', 'Forbidden'],
      ['failed expression: false', 'Invalid'],
      ['failed expression: 1 > 2', 'RequestEntityTooLarge'],
    ]);
    assert.deepEqual(result.denial, { message: "ValidatingAdmissionPolicy 'p' with binding 'p-binding' denied request: static", reason: 'Forbidden', code: 403 });
  });

  it('warns and audits per validationActions, and publishes audit annotations', () => {
    const objects = policy('validations:\n- {expression: "false", message: not pinned}\nauditAnnotations:\n- {key: image, valueExpression: "string(object.spec.containers[0].image)"}\n- {key: none, valueExpression: "null"}', 'validationActions: [Warn, Audit]');
    const result = run(objects);
    assert.equal(result.denial, undefined);
    assert.deepEqual(result.warnings, ["Validation failed for ValidatingAdmissionPolicy 'p' with binding 'p-binding': not pinned"]);
    assert.equal(result.auditAnnotations['p/image'], 'nginx:latest');
    assert.equal('p/none' in result.auditAnnotations, false);
    assert.deepEqual(JSON.parse(result.auditAnnotations[VALIDATION_FAILURE_ANNOTATION]!), [
      { message: 'not pinned', policy: 'p', binding: 'p-binding', expressionIndex: 0, validationActions: ['Warn', 'Audit'] },
    ]);
  });

  it('gives request, namespaceObject and authorizer the apiserver’s shapes', () => {
    const objects = policy([
      'validations:',
      "- expression: \"request.operation == 'CREATE' && request.userInfo.username == 'alice' && request.namespace == 'team-a' && !has(request.subResource)\"",
      "- expression: \"namespaceObject.metadata.labels.env == 'prod'\"",
      "- expression: \"authorizer.group('apps').resource('deployments').namespace('team-a').check('create').allowed()\"",
      "- expression: \"!authorizer.requestResource.check('delete').allowed()\"",
    ].join('\n'));
    const asked: string[] = [];
    const result = run(
      objects,
      request({
        userInfo: { username: 'alice', groups: ['dev'] },
        authorizer: (a) => {
          asked.push(`${a.user.username} ${a.verb} ${a.apiGroup}/${a.resource} ${a.namespace}`);
          return { decision: a.verb === 'create' ? 'allow' : 'deny', reason: 'test' };
        },
      }),
    );
    assert.deepEqual(result.decisions, []);
    assert.deepEqual(asked, ['alice create apps/deployments team-a', 'alice delete /pods team-a']);
  });
});

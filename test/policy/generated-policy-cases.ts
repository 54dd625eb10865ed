/**
 * fast-check arbitraries for the native-agreement test: ValidatingAdmissionPolicies built from a grammar of CEL
 * expressions over pod fields (has(), comparisons, all/exists/exists_one over containers, string and list functions,
 * optional chaining, quantities, expressions that can fail at run time), with messageExpression, matchConditions,
 * variables, params and failurePolicy; and valid pods to create against them.
 */
import fc from 'fast-check';

export interface GeneratedPolicy {
  failurePolicy: 'Fail' | 'Ignore';
  variables: { name: string; expression: string }[];
  matchConditions: { name: string; expression: string }[];
  validations: { expression: string; message?: string; messageExpression?: string; reason?: string }[];
  /** paramRef of the binding (paramKind is ConfigMap), when the policy uses params. */
  paramRef?: { name: string; parameterNotFoundAction: 'Allow' | 'Deny' };
}

export interface GeneratedCase {
  policy: GeneratedPolicy;
  pods: Record<string, unknown>[];
}

const CONTAINER_PREDICATES = [
  "c.image.endsWith(':latest')",
  'has(c.securityContext)',
  'c.?securityContext.?privileged.orValue(false)',
  "c.name.matches('^[a-b]+$')",
  'c.?ports.orValue([]).size() > 0',
  'c.?resources.?limits.?memory.hasValue()',
  "c.image.contains('/')",
  'c.?securityContext.?runAsUser.orValue(1) == 0',
  "c.image.split(':').size() == 2",
  'c.name.size() > 2',
  "c.?securityContext.?capabilities.?drop.orValue([]).exists(d, d == 'ALL')",
  "c.name.upperAscii().startsWith('A')",
  "c.image.indexOf(':') > 0",
  "c.image.substring(0, 1) == 'n'",
  "quantity(c.?resources.?limits.?memory.orValue('0')).isGreaterThan(quantity('64Mi'))",
  // These fail at run time on some containers (missing keys): the error path must agree too.
  'c.securityContext.privileged',
  'c.ports.size() > 0',
  "c.image.lastIndexOf('n') >= 0",
  "c.name.charAt(0) == 'a'",
  "c.image.replace('nginx', 'x').startsWith('x')",
  "c.?securityContext.?runAsUser.orValue(0) + 1 > 1",
];

const POD_ATOMS = [
  'has(object.spec.hostNetwork)',
  'object.spec.?hostNetwork.orValue(false) == true',
  'object.spec.hostNetwork == true',
  "object.metadata.name.startsWith('p')",
  'object.metadata.name.size() > 3',
  "object.metadata.?labels[?'app'].orValue('') == 'web'",
  'has(object.metadata.labels)',
  'object.spec.containers.size() >= 2',
  'object.spec.?initContainers.orValue([]).size() == 0',
  'object.spec.?securityContext.?runAsNonRoot.hasValue()',
  "object.spec.containers.map(c, c.name).join('-').contains('b')",
  'object.spec.containers.map(c, c.image).isSorted()',
  "request.operation == 'CREATE'",
  "request.namespace.startsWith('case')",
  'object.metadata.?annotations.orValue({}).size() == 0',
  "object.spec.containers[0].name == 'a'",
  "object.spec.containers[1].name == 'b'",
  "object.metadata.labels.app == 'web'",
  "object.spec.containers.filter(c, c.image.startsWith('nginx')).size() == 1",
  'object.spec.containers.map(c, c.name).max() > object.spec.containers.map(c, c.name).min()',
  "object.spec.containers.exists(c, c.name == 'a') ? object.spec.containers.size() > 1 : false",
  "[?object.spec.?hostNetwork, ?object.metadata.?labels[?'app']].size() > 0",
  "object.spec.securityContext.runAsNonRoot == true",
  "object.spec.containers.all(i, c, i == 0 || c.name > 'a')",
  "object.metadata.name.lowerAscii() == object.metadata.name",
  // Homogeneous literals: dyn and string elements differ (refused), except inside format().
  "[object.metadata.name, 'web'].size() > 1",
  "[string(object.metadata.name), 'web'].exists(n, n == 'web')",
  "'%s/%d'.format([object.metadata.name, object.spec.containers.size()]).startsWith('p')",
  "object.metadata.name.matches('^(p|w)')",
];

const VARIABLE_ATOMS = ['variables.flag', "variables.names.exists(n, n == 'a')", 'variables.names.size() > 1'];
const PARAM_ATOMS = [
  'object.metadata.name != params.data.forbiddenName',
  'object.spec.containers.size() <= int(params.data.maxContainers)',
  "params.data.?mode.orValue('') == 'strict'",
];

const RANGES = ['object.spec.containers', 'object.spec.containers + object.spec.?initContainers.orValue([])'];

function expressionArbitrary(extraAtoms: readonly string[]): fc.Arbitrary<string> {
  const quantified = fc
    .tuple(fc.constantFrom(...RANGES), fc.constantFrom('all', 'exists', 'exists_one'), fc.constantFrom(...CONTAINER_PREDICATES))
    .map(([range, q, p]) => `(${range}).${q}(c, ${p})`);
  const atom = fc.oneof(fc.constantFrom(...POD_ATOMS, ...extraAtoms), quantified);
  const { expr } = fc.letrec<{ expr: string; not: string; and: string; or: string }>((tie) => ({
    expr: fc.oneof({ depthSize: 'small', withCrossShrink: true }, atom, tie('not'), tie('and'), tie('or')),
    not: tie('expr').map((e) => `!(${e})`),
    and: fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `(${a}) && (${b})`),
    or: fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `(${a}) || (${b})`),
  }));
  return expr;
}

const MESSAGE_EXPRESSIONS = [
  "'pod ' + object.metadata.name + ' denied'",
  "object.spec.containers.map(c, c.name).join(', ')",
  "string(object.spec.containers.size()) + ' containers'",
  'object.metadata.labels.app',
  "'two\\nlines'",
  "'  padded  '",
  "'images: ' + object.spec.containers.map(c, c.image).join(' ')",
];

const policyArbitrary: fc.Arbitrary<GeneratedPolicy> = fc
  .record({ withVariables: fc.boolean(), withParams: fc.boolean() })
  .chain(({ withVariables, withParams }) => {
    const atoms = [...(withVariables ? VARIABLE_ATOMS : []), ...(withParams ? PARAM_ATOMS : [])];
    const expr = expressionArbitrary(atoms);
    return fc.record({
      failurePolicy: fc.constantFrom<'Fail' | 'Ignore'>('Fail', 'Ignore'),
      variables: withVariables
        ? expressionArbitrary([]).map((flag): { name: string; expression: string }[] => [
            { name: 'flag', expression: flag },
            { name: 'names', expression: 'object.spec.containers.map(c, c.name)' },
          ])
        : fc.constant<{ name: string; expression: string }[]>([]),
      matchConditions: fc.array(expr, { maxLength: 2 }).map((list) => list.map((expression, i) => ({ name: `condition-${i}`, expression }))),
      validations: fc.array(
        fc.record(
          {
            expression: expr,
            message: fc.constantFrom('static message', '  spaced static message  '),
            messageExpression: fc.constantFrom(...MESSAGE_EXPRESSIONS),
            reason: fc.constantFrom('Forbidden', 'Invalid', 'RequestEntityTooLarge'),
          },
          { requiredKeys: ['expression'] },
        ),
        { minLength: 1, maxLength: 3 },
      ),
      paramRef: withParams
        ? fc.record({ name: fc.constantFrom('limits', 'missing'), parameterNotFoundAction: fc.constantFrom<'Allow' | 'Deny'>('Allow', 'Deny') })
        : fc.constant(undefined),
    });
  })
  .map((p) => {
    const out: GeneratedPolicy = { failurePolicy: p.failurePolicy, variables: p.variables, matchConditions: p.matchConditions, validations: p.validations };
    if (p.paramRef) out.paramRef = p.paramRef;
    return out;
  });

const CONTAINER_PORTS: Record<string, number> = { a: 8080, b: 8081, cc: 8082, init: 8083 };

const containerArbitrary = (name: string): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .record(
      {
        image: fc.constantFrom('nginx:latest', 'nginx:1.25', 'busybox', 'registry.example.com/app:v1'),
        securityContext: fc.record(
          {
            privileged: fc.boolean(),
            runAsUser: fc.constantFrom(0, 1000),
            capabilities: fc.constant({ drop: ['ALL'] }),
          },
          { requiredKeys: [] },
        ),
        // Distinct per container: with hostNetwork the container port is also a host port, and host ports must be unique.
        ports: fc.constant([{ containerPort: CONTAINER_PORTS[name] ?? 9000 }]),
        resources: fc.constantFrom('32Mi', '128Mi').map((memory) => ({ limits: { memory } })),
      },
      { requiredKeys: ['image'] },
    )
    .map((c) => ({ name, ...c }));

const podArbitrary: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      name: fc.constantFrom('p1', 'pod-abc', 'web', 'xyzzy'),
      labels: fc.constantFrom({ app: 'web' }, { app: 'db' }, { tier: 'x' }),
      hostNetwork: fc.boolean(),
      securityContext: fc.boolean().map((runAsNonRoot) => ({ runAsNonRoot })),
      containers: fc.subarray(['a', 'b', 'cc'], { minLength: 1 }).chain((names) => fc.tuple(...names.map(containerArbitrary))),
      initContainers: containerArbitrary('init').map((c) => [c]),
    },
    { requiredKeys: ['name', 'containers'] },
  )
  .map((p) => {
    const spec: Record<string, unknown> = { containers: p.containers };
    if (p.hostNetwork !== undefined) spec['hostNetwork'] = p.hostNetwork;
    if (p.securityContext) spec['securityContext'] = p.securityContext;
    if (p.initContainers) spec['initContainers'] = p.initContainers;
    const metadata: Record<string, unknown> = { name: p.name };
    if (p.labels) metadata['labels'] = p.labels;
    return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
  });

export const caseArbitrary: fc.Arbitrary<GeneratedCase> = fc.record({
  policy: policyArbitrary,
  pods: fc.array(podArbitrary, { minLength: 1, maxLength: 6 }),
});

/** The VAP and binding objects of a generated policy, scoped to one namespace by label. */
export function policyObjects(name: string, policy: GeneratedPolicy, namespaceLabel: Record<string, string>): Record<string, unknown>[] {
  const spec: Record<string, unknown> = {
    failurePolicy: policy.failurePolicy,
    matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }] },
    validations: policy.validations,
  };
  if (policy.variables.length > 0) spec['variables'] = policy.variables;
  if (policy.matchConditions.length > 0) spec['matchConditions'] = policy.matchConditions;
  if (policy.paramRef) spec['paramKind'] = { apiVersion: 'v1', kind: 'ConfigMap' };
  const bindingSpec: Record<string, unknown> = {
    policyName: name,
    validationActions: ['Deny'],
    matchResources: { namespaceSelector: { matchLabels: namespaceLabel } },
  };
  if (policy.paramRef) bindingSpec['paramRef'] = policy.paramRef;
  return [
    { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name }, spec },
    { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name }, spec: bindingSpec },
  ];
}

/** The param object generated policies read (`limits`; `missing` is never created). */
export function paramObject(namespace: string): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'limits', namespace }, data: { forbiddenName: 'web', maxContainers: '2', mode: 'strict' } };
}

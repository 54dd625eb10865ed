/**
 * Kubernetes' authz library: authorizer.path(p).check(verb), authorizer.group(g).resource(r)[.subresource(s)]
 * [.namespace(n)][.name(n)].check(verb), authorizer.serviceAccount(ns, name), authorizer.requestResource, and the
 * decision's allowed(), reason(), errored(), error(). The answers come from a synchronous {@link Authorizer} the
 * caller provides (the webhook can back it with cached SubjectAccessReviews, tests with RBAC evaluation).
 */
import { CelError, noSuchOverload } from '../errors.js';
import type { FunctionTable } from '../function-table.js';
import { CelType, Opaque, type Value } from '../values.js';

/** What is asked of an authorizer: a resource request or a non-resource path. */
export interface AuthorizationAttributes {
  user: { username: string; uid?: string; groups: string[]; extra?: Record<string, string[]> };
  verb: string;
  resourceRequest: boolean;
  path?: string;
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  fieldSelector?: string;
  labelSelector?: string;
}

export interface AuthorizationDecision {
  decision: 'allow' | 'deny' | 'noOpinion';
  reason?: string;
  error?: string;
}

export type Authorizer = (attributes: AuthorizationAttributes) => AuthorizationDecision;

const AUTHORIZER_TYPE = new CelType('kubernetes.authorization.Authorizer');
const PATH_CHECK_TYPE = new CelType('kubernetes.authorization.PathCheck');
const GROUP_CHECK_TYPE = new CelType('kubernetes.authorization.GroupCheck');
const RESOURCE_CHECK_TYPE = new CelType('kubernetes.authorization.ResourceCheck');
const DECISION_TYPE = new CelType('kubernetes.authorization.Decision');

export class AuthorizerValue extends Opaque {
  readonly celType = AUTHORIZER_TYPE;
  constructor(readonly authorize: Authorizer, readonly user: AuthorizationAttributes['user']) {
    super();
  }
  equals(other: Value): boolean {
    return other === this;
  }
}

class PathCheck extends Opaque {
  readonly celType = PATH_CHECK_TYPE;
  constructor(readonly authz: AuthorizerValue, readonly path: string) {
    super();
  }
  equals(other: Value): boolean {
    return other === this;
  }
}

class GroupCheck extends Opaque {
  readonly celType = GROUP_CHECK_TYPE;
  constructor(readonly authz: AuthorizerValue, readonly group: string) {
    super();
  }
  equals(other: Value): boolean {
    return other === this;
  }
}

export class ResourceCheck extends Opaque {
  readonly celType = RESOURCE_CHECK_TYPE;
  constructor(
    readonly authz: AuthorizerValue,
    readonly fields: Pick<AuthorizationAttributes, 'apiGroup' | 'resource' | 'subresource' | 'namespace' | 'name' | 'fieldSelector' | 'labelSelector'>,
  ) {
    super();
  }
  with(change: Partial<ResourceCheck['fields']>): ResourceCheck {
    return new ResourceCheck(this.authz, { ...this.fields, ...change });
  }
  equals(other: Value): boolean {
    return other === this;
  }
}

class Decision extends Opaque {
  readonly celType = DECISION_TYPE;
  constructor(readonly result: AuthorizationDecision) {
    super();
  }
  equals(other: Value): boolean {
    return other === this;
  }
}

function str(v: Value): string {
  if (typeof v !== 'string') throw noSuchOverload();
  return v;
}

function as<T>(v: Value, cls: abstract new (...args: never[]) => T): T {
  if (!(v instanceof cls)) throw noSuchOverload();
  return v;
}

function decide(authz: AuthorizerValue, attributes: Omit<AuthorizationAttributes, 'user'>): Decision {
  return new Decision(authz.authorize({ user: authz.user, ...attributes }));
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const AUTHORIZER_LIBRARY: FunctionTable = {
  path: {
    method: {
      1: (a: Value, p: Value) => {
        const path = str(p);
        if (path === '') throw new CelError('path must not be empty');
        return new PathCheck(as(a, AuthorizerValue), path);
      },
    },
    result: 'kubernetes.authorization.PathCheck',
  },
  group: { method: { 1: (a: Value, g: Value) => new GroupCheck(as(a, AuthorizerValue), str(g)) }, result: 'kubernetes.authorization.GroupCheck' },
  serviceAccount: {
    method: {
      2: (a: Value, ns: Value, name: Value) => {
        const authz = as(a, AuthorizerValue);
        if (!DNS_SUBDOMAIN.test(str(name)) || str(name).length > 253) throw new CelError('Invalid service account name');
        if (!DNS_LABEL.test(str(ns)) || str(ns).length > 63) throw new CelError('Invalid service account namespace');
        const username = `system:serviceaccount:${str(ns)}:${str(name)}`;
        return new AuthorizerValue(authz.authorize, { username, groups: ['system:serviceaccounts', `system:serviceaccounts:${str(ns)}`] });
      },
    },
    result: 'kubernetes.authorization.Authorizer',
  },
  resource: {
    method: {
      1: (g: Value, r: Value) => {
        const group = as(g, GroupCheck);
        if (str(r) === '') throw new CelError('resource must not be empty');
        return new ResourceCheck(group.authz, { apiGroup: group.group, resource: str(r) });
      },
    },
    result: 'kubernetes.authorization.ResourceCheck',
  },
  subresource: { method: { 1: (c: Value, s: Value) => as(c, ResourceCheck).with({ subresource: str(s) }) }, result: 'kubernetes.authorization.ResourceCheck' },
  namespace: { method: { 1: (c: Value, s: Value) => as(c, ResourceCheck).with({ namespace: str(s) }) }, result: 'kubernetes.authorization.ResourceCheck' },
  name: { method: { 1: (c: Value, s: Value) => as(c, ResourceCheck).with({ name: str(s) }) }, result: 'kubernetes.authorization.ResourceCheck' },
  fieldSelector: { method: { 1: (c: Value, s: Value) => as(c, ResourceCheck).with({ fieldSelector: str(s) }) }, result: 'kubernetes.authorization.ResourceCheck' },
  labelSelector: { method: { 1: (c: Value, s: Value) => as(c, ResourceCheck).with({ labelSelector: str(s) }) }, result: 'kubernetes.authorization.ResourceCheck' },
  check: {
    method: {
      1: (c: Value, verb: Value) => {
        if (c instanceof PathCheck) return decide(c.authz, { verb: str(verb), resourceRequest: false, path: c.path });
        const check = as(c, ResourceCheck);
        return decide(check.authz, { verb: str(verb), resourceRequest: true, ...check.fields });
      },
    },
    result: 'kubernetes.authorization.Decision',
  },
  allowed: { method: { 0: (d: Value) => as(d, Decision).result.decision === 'allow' }, result: 'bool' },
  reason: { method: { 0: (d: Value) => as(d, Decision).result.reason ?? '' }, result: 'string' },
  errored: { method: { 0: (d: Value) => as(d, Decision).result.error !== undefined }, result: 'bool' },
  error: { method: { 0: (d: Value) => as(d, Decision).result.error ?? '' }, result: 'string' },
};

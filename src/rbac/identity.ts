/**
 * The user names and groups Kubernetes gives identities (k8s.io/apiserver pkg/authentication/serviceaccount and the
 * impersonation filter of pkg/endpoints/filters):
 *
 * - A service account authenticates as `system:serviceaccount:<namespace>:<name>` with the groups
 *   `system:serviceaccounts` and `system:serviceaccounts:<namespace>`, plus `system:authenticated`.
 * - Any other authenticated user has `system:authenticated` besides its own groups.
 * - Impersonation (`--as`, `--as-group`) builds the identity the same way: `--as system:serviceaccount:ns:name` is the
 *   service account (its two groups, unless groups are given explicitly), and `system:authenticated` is added unless
 *   the groups already hold it or `system:unauthenticated`; `system:anonymous` gets `system:unauthenticated` instead.
 */
import type { UserInfo } from './authorization-request.js';

export const SERVICE_ACCOUNT_USER_PREFIX = 'system:serviceaccount:';
export const ALL_SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';
export const SERVICE_ACCOUNT_GROUP_PREFIX = 'system:serviceaccounts:';
export const AUTHENTICATED_GROUP = 'system:authenticated';
export const UNAUTHENTICATED_GROUP = 'system:unauthenticated';
export const ANONYMOUS_USER = 'system:anonymous';
/** Members are allowed everything by the API server's privileged-group authorizer, before RBAC is consulted. */
export const PRIVILEGED_GROUP = 'system:masters';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function serviceAccountUser(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_USER_PREFIX}${namespace}:${name}`;
}

export function serviceAccountGroups(namespace: string): string[] {
  return [ALL_SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNT_GROUP_PREFIX}${namespace}`];
}

/** A valid namespace name (DNS-1123 label, at most 63 characters). */
export function isValidNamespaceName(name: string): boolean {
  return name.length <= 63 && DNS1123_LABEL.test(name);
}

/** A valid service account name (DNS-1123 subdomain, at most 253 characters). */
export function isValidServiceAccountName(name: string): boolean {
  return name.length <= 253 && DNS1123_SUBDOMAIN.test(name);
}

/**
 * The namespace and name of a service account user name, or undefined when `user` is not one: SplitUsername, which
 * requires exactly two `:`-separated parts, a valid namespace and a valid service account name.
 */
export function parseServiceAccountUser(user: string): { namespace: string; name: string } | undefined {
  if (!user.startsWith(SERVICE_ACCOUNT_USER_PREFIX)) return undefined;
  const parts = user.slice(SERVICE_ACCOUNT_USER_PREFIX.length).split(':');
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts as [string, string];
  if (!isValidNamespaceName(namespace) || !isValidServiceAccountName(name)) return undefined;
  return { namespace, name };
}

/** The identity a service account's token authenticates as. */
export function serviceAccountIdentity(namespace: string, name: string): UserInfo {
  return { user: serviceAccountUser(namespace, name), groups: [...serviceAccountGroups(namespace), AUTHENTICATED_GROUP] };
}

/**
 * The identity the API server builds for `--as user` and `--as-group group…` (impersonation filter). `user` may be
 * empty when only groups are impersonated.
 */
export function impersonatedIdentity(user: string, groups: readonly string[]): UserInfo {
  const result = [...groups];
  const serviceAccount = parseServiceAccountUser(user);
  if (serviceAccount && groups.length === 0) result.push(...serviceAccountGroups(serviceAccount.namespace));
  if (user === ANONYMOUS_USER) {
    if (!result.includes(UNAUTHENTICATED_GROUP)) result.push(UNAUTHENTICATED_GROUP);
  } else if (!result.includes(AUTHENTICATED_GROUP) && !result.includes(UNAUTHENTICATED_GROUP)) {
    result.push(AUTHENTICATED_GROUP);
  }
  return { user, groups: result };
}

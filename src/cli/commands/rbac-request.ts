/**
 * Reads what `aspis rbac can-i | who-can | explain` is asked: `VERB RESOURCE [NAME]` (RESOURCE as in RBAC rules:
 * `pods`, `deployments.apps`, `pods/exec`, `widgets.example.com`, or a non-resource URL `/healthz`), the namespace
 * (`-n`, `-A`, else the kubeconfig context's namespace, else `default`), and the subject (`--as`, `--as-group`).
 * Anything that names nothing in the input is a usage error.
 */
import type { AuthorizationRequest, UserInfo } from '../../rbac/authorization-request.js';
import { requestNamespace, resolveResource, UnknownResourceError } from '../../rbac/api-resources.js';
import {
  ALL_SERVICE_ACCOUNTS_GROUP,
  AUTHENTICATED_GROUP,
  impersonatedIdentity,
  parseServiceAccountUser,
  PRIVILEGED_GROUP,
  SERVICE_ACCOUNT_GROUP_PREFIX,
  SERVICE_ACCOUNT_USER_PREFIX,
  UNAUTHENTICATED_GROUP,
} from '../../rbac/identity.js';
import type { RbacGraph } from '../../rbac/rbac-graph.js';
import { formatSubjectRef, knownSubjects } from '../../rbac/who-can.js';
import type { RbacInput } from './rbac-input.js';

export class UsageError extends Error {}

export interface RequestOptions {
  namespace?: string;
  allNamespaces?: boolean;
  subresource?: string;
}

export interface SubjectOptions {
  as?: string;
  asGroup?: string[];
}

export function parseRequest(verb: string, resource: string, name: string | undefined, options: RequestOptions, input: RbacInput): AuthorizationRequest {
  if (verb === '') throw new UsageError('VERB is empty: give a verb such as get, list, create, impersonate or *');
  if (options.namespace !== undefined && options.allNamespaces) throw new UsageError('use either -n/--namespace or -A/--all-namespaces, not both');
  if (resource.startsWith('/')) {
    if (name !== undefined) throw new UsageError(`a non-resource URL (${resource}) takes no NAME`);
    if (options.namespace !== undefined || options.allNamespaces || options.subresource !== undefined) {
      throw new UsageError(`a non-resource URL (${resource}) has no namespace or subresource`);
    }
    return { verb, nonResourceURL: resource };
  }
  if (options.subresource !== undefined && resource.includes('/')) throw new UsageError(`give the subresource either in RESOURCE (${resource}) or with --subresource, not both`);
  let resolved;
  try {
    resolved = resolveResource(options.subresource !== undefined ? `${resource}/${options.subresource}` : resource);
  } catch (error) {
    if (error instanceof UnknownResourceError) throw new UsageError(error.message);
    throw error;
  }
  if (options.namespace !== undefined) checkNamespace(options.namespace, input.graph);
  const wanted = options.allNamespaces ? '' : (options.namespace ?? input.contextNamespace ?? 'default');
  const namespace = requestNamespace(resolved, verb, name ?? '', wanted);
  const request: AuthorizationRequest = { verb, group: resolved.group, resource: resolved.resource };
  if (resolved.subresource) request.subresource = resolved.subresource;
  if (namespace) request.namespace = namespace;
  if (name) request.name = name;
  return request;
}

export function checkNamespace(namespace: string, graph: RbacGraph): void {
  if (namespace === '') throw new UsageError('-n/--namespace is empty');
  if (graph.namespaces.has(namespace)) return;
  const known = [...graph.namespaces].sort();
  throw new UsageError(
    `namespace "${namespace}" appears nowhere in the input (no object, binding subject or Namespace names it)` +
      (known.length > 0 ? `; namespaces seen: ${abbreviate(known)}` : ''),
  );
}

function abbreviate(names: string[], max = 12): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** Groups every identity of a kind may carry without a binding naming them. */
function isWellKnownGroup(group: string, graph: RbacGraph): boolean {
  if ([AUTHENTICATED_GROUP, UNAUTHENTICATED_GROUP, ALL_SERVICE_ACCOUNTS_GROUP, PRIVILEGED_GROUP].includes(group)) return true;
  return group.startsWith(SERVICE_ACCOUNT_GROUP_PREFIX) && graph.namespaces.has(group.slice(SERVICE_ACCOUNT_GROUP_PREFIX.length));
}

/**
 * The identity asked about, built as the API server builds an impersonated one. An unknown service account is an
 * error; so is a user no binding names when no --as-group names a group the input knows (a typo would otherwise
 * silently answer for "any authenticated user").
 */
export function parseSubject(options: SubjectOptions, graph: RbacGraph): UserInfo {
  const user = options.as ?? '';
  const groups = options.asGroup ?? [];
  if (user === '' && groups.length === 0) {
    throw new UsageError('say who asks: --as USER, --as system:serviceaccount:NAMESPACE:NAME, and/or --as-group GROUP');
  }
  if (groups.some((g) => g === '')) throw new UsageError('--as-group is empty');
  const subjects = knownSubjects(graph);
  const knownGroups = new Set(subjects.filter((s) => s.kind === 'Group').map((s) => s.name));
  const unknownGroups = groups.filter((g) => !knownGroups.has(g) && !isWellKnownGroup(g, graph));
  if (unknownGroups.length > 0) {
    throw new UsageError(`group${unknownGroups.length > 1 ? 's' : ''} ${unknownGroups.map((g) => `"${g}"`).join(', ')} named by no binding; known groups: ${abbreviate([...knownGroups].sort()) || 'none'}`);
  }
  if (user !== '') {
    const account = parseServiceAccountUser(user);
    if (account) {
      const known = subjects.some((s) => s.kind === 'ServiceAccount' && s.namespace === account.namespace && s.name === account.name);
      if (!known) {
        const inNamespace = subjects.filter((s) => s.kind === 'ServiceAccount' && s.namespace === account.namespace).map((s) => s.name);
        throw new UsageError(
          `service account ${account.namespace}/${account.name} is neither a ServiceAccount of the input nor a binding subject` +
            (inNamespace.length > 0 ? `; service accounts of ${account.namespace}: ${abbreviate(inNamespace)}` : ''),
        );
      }
    } else if (user.startsWith(SERVICE_ACCOUNT_USER_PREFIX)) {
      throw new UsageError(`"${user}" is not a valid service account user name: expected ${SERVICE_ACCOUNT_USER_PREFIX}NAMESPACE:NAME`);
    } else if (!subjects.some((s) => s.kind === 'User' && s.name === user) && !groups.some((g) => knownGroups.has(g))) {
      const users = subjects.filter((s) => s.kind === 'User').map((s) => s.name);
      throw new UsageError(
        `user "${user}" is named by no binding (known users: ${abbreviate(users) || 'none'}); ` +
          'to ask for a user that only gets permissions through groups, add --as-group GROUP',
      );
    }
  }
  return impersonatedIdentity(user, groups);
}

/** `User alice (groups: developers, system:authenticated)` for messages. */
export function formatIdentity(who: UserInfo): string {
  const account = parseServiceAccountUser(who.user);
  const name = account ? formatSubjectRef({ kind: 'ServiceAccount', ...account }) : who.user ? `User/${who.user}` : 'a user';
  return `${name} (groups: ${who.groups.join(', ') || 'none'})`;
}

/**
 * The questions the RBAC engine answers: who asks (a user name and the groups it belongs to, exactly the user.Info the
 * API server authorizes) and what is asked (the attributes of a resource or non-resource request, as in a
 * SubjectAccessReview). Groups are never implied here: an authenticated identity carries `system:authenticated` only
 * when the caller puts it there (see identity.ts for the groups Kubernetes gives each kind of identity).
 */

export interface UserInfo {
  /** The user name: `alice`, `system:serviceaccount:<ns>:<name>`, or empty for a group-only question. */
  user: string;
  groups: readonly string[];
}

export interface ResourceRequest {
  verb: string;
  /** API group, `''` for the core group. */
  group: string;
  /** Plural resource name (`pods`, `deployments`). */
  resource: string;
  /** `exec`, `log`, `status`, `token`…; absent or empty when none. */
  subresource?: string;
  /** Absent or empty for cluster-scoped requests and requests across all namespaces. */
  namespace?: string;
  /** Absent or empty when the request names no object (list, create, watch of a collection). */
  name?: string;
}

export interface NonResourceRequest {
  verb: string;
  /** A URL path such as `/healthz` or `/api`. */
  nonResourceURL: string;
}

export type AuthorizationRequest = ResourceRequest | NonResourceRequest;

export function isNonResourceRequest(request: AuthorizationRequest): request is NonResourceRequest {
  return 'nonResourceURL' in request;
}

/** `get pods/log "web" in namespace "prod"`, `get /healthz`: the request in words, for messages. */
export function formatRequest(request: AuthorizationRequest): string {
  if (isNonResourceRequest(request)) return `${request.verb} ${request.nonResourceURL}`;
  const resource = request.group === '' ? request.resource : `${request.resource}.${request.group}`;
  const sub = request.subresource ? `/${request.subresource}` : '';
  const name = request.name ? ` "${request.name}"` : '';
  const where = request.namespace ? ` in namespace "${request.namespace}"` : ' cluster-wide';
  return `${request.verb} ${resource}${sub}${name}${where}`;
}

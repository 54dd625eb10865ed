/**
 * What can go wrong talking to an API server, in words a user can act on. Two classes: a ClusterAccessError ends the
 * scan (nothing more can be read: no kubeconfig, unreachable server, rejected credentials); an ApiError is about one
 * request (one kind in one namespace) and the scan goes on with the other kinds.
 */

/** The cluster cannot be used at all. */
export class ClusterAccessError extends Error {
  override name = 'ClusterAccessError';
}

/** The metav1.Status an API server sends with an error. */
export interface ApiStatus {
  message?: string;
  reason?: string;
  code?: number;
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly apiStatus: ApiStatus | undefined,
    message: string,
  ) {
    super(message);
  }
}

export function apiStatusOf(body: unknown): ApiStatus | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const record = body as Record<string, unknown>;
  if (record['kind'] !== 'Status') return undefined;
  const status: ApiStatus = {};
  if (typeof record['message'] === 'string') status.message = record['message'];
  if (typeof record['reason'] === 'string') status.reason = record['reason'];
  if (typeof record['code'] === 'number') status.code = record['code'];
  return status;
}

/** A network or TLS failure, named as a user would look it up. */
export function describeNetworkError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const message = (error as Error).message ?? String(error);
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the API server running, and is the kubeconfig server address right?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the server name does not resolve (${message})`;
    case 'ETIMEDOUT':
    case 'ECONNRESET':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${code === 'ECONNRESET' ? 'connection reset' : code === 'ETIMEDOUT' ? 'timed out' : 'unreachable'} (${message})`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return `the server's TLS certificate is not signed by the kubeconfig's certificate-authority (${message})`;
    case 'CERT_HAS_EXPIRED':
      return `the server's TLS certificate has expired (${message})`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `the server's TLS certificate does not name this address (${message})`;
    default:
      return code ? `${message} (${code})` : message;
  }
}

/**
 * The RBAC permission a request needed, as `kubectl auth can-i` takes it: `list deployments.apps in namespace x`,
 * `list pods in all namespaces`, `list clusterroles.rbac.authorization.k8s.io at cluster scope`.
 */
export function permissionText(verb: string, resource: string, group: string, scope: { namespace?: string; namespaced: boolean }, name?: string): string {
  const qualified = group === '' ? resource : `${resource}.${group}`;
  const object = name !== undefined ? `${qualified} ${name}` : qualified;
  if (scope.namespace !== undefined) return `${verb} ${object} in namespace ${scope.namespace}`;
  return scope.namespaced ? `${verb} ${object} in all namespaces` : `${verb} ${object} at cluster scope`;
}

/** The server answered 401: nothing can be read with these credentials. */
export function credentialsRejected(connection: { label: string; user: string }): ClusterAccessError {
  return new ClusterAccessError(
    `${connection.label} rejected the credentials of user "${connection.user}" (401 Unauthorized): they are invalid or expired`,
  );
}

/**
 * How the webhook reaches the apiserver without @kubernetes/client-node: the in-cluster service account (token
 * re-read on each request, as bound tokens rotate) or a kubeconfig whose user authenticates with a client
 * certificate or a token. Anything else (exec and auth-provider plugins, merged KUBECONFIG lists) returns undefined,
 * and the caller falls back to the client library.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';

export interface ApiEndpoint {
  server: URL;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecure?: boolean;
  token?: () => string;
  /** Where the settings came from, for messages. */
  source: string;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

type Named<T> = { name?: string } & T;
interface KubeconfigFile {
  'current-context'?: string;
  contexts?: Named<{ context?: { cluster?: string; user?: string } }>[];
  clusters?: Named<{ cluster?: Record<string, unknown> }>[];
  users?: Named<{ user?: Record<string, unknown> }>[];
}

/** The endpoint for `kubeconfig` (or $KUBECONFIG, ~/.kube/config, in-cluster), undefined when it needs the library. */
export function apiEndpoint(options: { kubeconfig?: string; context?: string; env?: NodeJS.ProcessEnv }): ApiEndpoint | undefined {
  const env = options.env ?? process.env;
  let file = options.kubeconfig;
  if (file === undefined && env['KUBECONFIG']) {
    if (env['KUBECONFIG'].includes(':')) return undefined;
    file = env['KUBECONFIG'];
  }
  if (file === undefined) {
    const home = join(env['HOME'] ?? homedir(), '.kube', 'config');
    if (existsSync(home)) file = home;
  }
  if (file === undefined) {
    if (!env['KUBERNETES_SERVICE_HOST'] || !existsSync(join(SERVICE_ACCOUNT_DIR, 'token'))) return undefined;
    const host = env['KUBERNETES_SERVICE_HOST'];
    const server = new URL(`https://${host.includes(':') ? `[${host}]` : host}:${env['KUBERNETES_SERVICE_PORT'] ?? '443'}`);
    return { server, ca: readFileSync(join(SERVICE_ACCOUNT_DIR, 'ca.crt')), token: () => readFileSync(join(SERVICE_ACCOUNT_DIR, 'token'), 'utf8').trim(), source: 'in-cluster service account' };
  }
  const config = parse(readFileSync(file, 'utf8')) as KubeconfigFile;
  const contextName = options.context ?? config['current-context'];
  const context = config.contexts?.find((c) => c.name === contextName)?.context;
  const cluster = config.clusters?.find((c) => c.name === context?.cluster)?.cluster;
  const user = config.users?.find((u) => u.name === context?.user)?.user ?? {};
  if (!context || !cluster || typeof cluster['server'] !== 'string') return undefined;
  if (user['exec'] !== undefined || user['auth-provider'] !== undefined || user['username'] !== undefined) return undefined;
  const base = dirname(file);
  const bytes = (data: unknown, path: unknown): Buffer | undefined => {
    if (typeof data === 'string') return Buffer.from(data, 'base64');
    if (typeof path === 'string') return readFileSync(isAbsolute(path) ? path : join(base, path));
    return undefined;
  };
  const endpoint: ApiEndpoint = { server: new URL(cluster['server']), source: file };
  const ca = bytes(cluster['certificate-authority-data'], cluster['certificate-authority']);
  if (ca) endpoint.ca = ca;
  if (cluster['insecure-skip-tls-verify'] === true) endpoint.insecure = true;
  const cert = bytes(user['client-certificate-data'], user['client-certificate']);
  const key = bytes(user['client-key-data'], user['client-key']);
  if (cert && key) Object.assign(endpoint, { cert, key });
  if (typeof user['token'] === 'string') {
    const token = user['token'];
    endpoint.token = () => token;
  } else if (typeof user['tokenFile'] === 'string') {
    const path = user['tokenFile'];
    endpoint.token = () => readFileSync(path, 'utf8').trim();
  }
  return endpoint;
}

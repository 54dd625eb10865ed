/**
 * A connection to a live cluster's API server, resolved from a kubeconfig the way kubectl resolves it: an explicit
 * path, else $KUBECONFIG (paths joined with ':' are merged), else ~/.kube/config, else the in-cluster service account.
 * @kubernetes/client-node reads the kubeconfig and applies its authentication (tokens, client certificates, exec and
 * auth-provider plugins) and TLS settings; requests are plain GETs on a keep-alive agent, one at a time.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiError, ClusterAccessError, describeNetworkError } from './api-error.js';

export interface ConnectOptions {
  /** Kubeconfig file; default: $KUBECONFIG, then ~/.kube/config, then the in-cluster service account. */
  kubeconfig?: string;
  /** Context to use instead of the kubeconfig's current context. */
  context?: string;
  /** Environment read for KUBECONFIG, HOME and the in-cluster variables (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

export interface ApiResponse {
  status: number;
  /** Parsed JSON body (a metav1.Status on errors), undefined when the body is not JSON. */
  body: unknown;
}

export interface KubeConnection {
  /** Name of the context in use (`in-cluster` inside a pod). */
  readonly context: string;
  readonly server: string;
  /** The kubeconfig user name, for messages. */
  readonly user: string;
  /** `context NAME (SERVER)`: how messages name the cluster. */
  readonly label: string;
  /** GETs a path (with query) of the API server. Throws ClusterAccessError when the server cannot be reached. */
  get(path: string): Promise<ApiResponse>;
  /** Closes idle connections. */
  close(): void;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const REQUEST_TIMEOUT_MS = 120_000;

/** Loads the kubeconfig and selects the context. Throws ClusterAccessError with a message naming what is wrong. */
export function loadKubeConfig(options: ConnectOptions = {}): { config: KubeConfig; source: string } {
  const env = options.env ?? process.env;
  const config = new KubeConfig();
  let source: string;
  if (options.kubeconfig !== undefined) {
    if (options.kubeconfig === '') throw new ClusterAccessError('--kubeconfig is empty: give the path of a kubeconfig file');
    source = options.kubeconfig;
    loadFile(config, options.kubeconfig);
  } else if (env['KUBECONFIG']) {
    const files = env['KUBECONFIG'].split(delimiter).filter(Boolean);
    const present = files.filter((file) => existsSync(file));
    if (present.length === 0) throw new ClusterAccessError(`no kubeconfig found: KUBECONFIG names ${files.join(', ')}, which do not exist`);
    source = present.join(delimiter);
    loadFile(config, present[0]!);
    for (const file of present.slice(1)) {
      const more = new KubeConfig();
      loadFile(more, file);
      config.mergeConfig(more, true);
    }
  } else {
    const home = env['HOME'] ?? homedir();
    const file = join(home, '.kube', 'config');
    if (existsSync(file)) {
      source = file;
      loadFile(config, file);
    } else if (env['KUBERNETES_SERVICE_HOST'] && existsSync(join(SERVICE_ACCOUNT_DIR, 'token'))) {
      source = 'in-cluster service account';
      config.loadFromCluster();
      config.contexts = config.contexts.map((context) => ({ ...context, name: 'in-cluster' }));
      config.setCurrentContext('in-cluster');
    } else {
      throw new ClusterAccessError(
        `no kubeconfig found: pass --kubeconfig, set KUBECONFIG, create ${file}, or run inside a cluster`,
      );
    }
  }

  if (options.context !== undefined) {
    if (!config.getContextObject(options.context)) {
      const known = config.getContexts().map((c) => c.name);
      throw new ClusterAccessError(
        `context "${options.context}" is not in the kubeconfig ${source}` +
          (known.length > 0 ? ` (its contexts: ${known.join(', ')})` : ' (it has no contexts)'),
      );
    }
    config.setCurrentContext(options.context);
  }
  const current = config.getCurrentContext();
  if (!current || !config.getContextObject(current)) {
    throw new ClusterAccessError(
      current
        ? `the kubeconfig ${source} selects context "${current}", which it does not define: pass --context`
        : `the kubeconfig ${source} has no current context: pass --context (its contexts: ${config.getContexts().map((c) => c.name).join(', ') || 'none'})`,
    );
  }
  const context = config.getContextObject(current)!;
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new ClusterAccessError(`context "${current}" names cluster "${context.cluster}", which the kubeconfig ${source} does not define`);
  if (context.user && !config.getCurrentUser()) {
    throw new ClusterAccessError(`context "${current}" names user "${context.user}", which the kubeconfig ${source} does not define`);
  }
  return { config, source };
}

function loadFile(config: KubeConfig, file: string): void {
  try {
    config.loadFromFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new ClusterAccessError(`cannot read kubeconfig ${file}: ${reason}`);
  }
}

/** Opens a connection for the options' kubeconfig and context. Throws ClusterAccessError (nothing is sent yet). */
export function connect(options: ConnectOptions = {}): KubeConnection {
  const { config } = loadKubeConfig(options);
  const cluster = config.getCurrentCluster()!;
  const contextName = config.getCurrentContext();
  const user = config.getCurrentUser()?.name ?? '';
  let base: URL;
  try {
    base = new URL(cluster.server);
  } catch {
    throw new ClusterAccessError(`cluster "${cluster.name}" of context "${contextName}" has an invalid server URL "${cluster.server}"`);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new ClusterAccessError(`cluster "${cluster.name}" of context "${contextName}" has server ${cluster.server}: only https:// and http:// are supported`);
  }
  return new Connection(config, base, contextName, user);
}

class Connection implements KubeConnection {
  readonly server: string;
  readonly label: string;
  private agent: http.Agent | undefined;

  constructor(
    private readonly config: KubeConfig,
    private readonly base: URL,
    readonly context: string,
    readonly user: string,
  ) {
    this.server = base.href.replace(/\/$/, '');
    this.label = `context ${context} (${this.server})`;
  }

  /** Credentials and TLS options from the kubeconfig, applied for each request so exec plugins can refresh tokens. */
  private async requestOptions(): Promise<https.RequestOptions> {
    const options: https.RequestOptions = {};
    try {
      await this.config.applyToHTTPSOptions(options);
    } catch (error) {
      // client-node refuses plain http without insecure-skip-tls-verify after applying the credentials; kubectl
      // allows it (e.g. `kubectl proxy`), and so does this.
      const plainHttp = this.base.protocol === 'http:' && /HTTP protocol is not allowed/.test((error as Error).message);
      if (!plainHttp) throw new ClusterAccessError(`cannot use the credentials of context "${this.context}": ${(error as Error).message}`);
    }
    return options;
  }

  private agentFor(options: https.RequestOptions): http.Agent {
    if (this.agent) return this.agent;
    const cluster = this.config.getCurrentCluster();
    if (cluster?.proxyUrl && options.agent instanceof http.Agent) {
      this.agent = options.agent; // client-node's proxy agents
    } else if (this.base.protocol === 'http:') {
      this.agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    } else {
      this.agent = new https.Agent({
        keepAlive: true,
        maxSockets: 4,
        ...(options.ca !== undefined ? { ca: options.ca } : {}),
        ...(options.cert !== undefined ? { cert: options.cert } : {}),
        ...(options.key !== undefined ? { key: options.key } : {}),
        ...(options.pfx !== undefined ? { pfx: options.pfx } : {}),
        ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
        ...(cluster?.skipTLSVerify ? { rejectUnauthorized: false } : {}),
        ...(cluster?.tlsServerName ? { servername: cluster.tlsServerName } : {}),
      });
    }
    return this.agent;
  }

  async get(path: string): Promise<ApiResponse> {
    const options = await this.requestOptions();
    const agent = this.agentFor(options);
    const url = new URL(this.base.pathname.replace(/\/$/, '') + path, this.base);
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'aspis' };
    for (const [key, value] of Object.entries(options.headers ?? {})) {
      if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : String(value);
    }
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<ApiResponse>((resolve, reject) => {
      const request = transport.request(
        url,
        { method: 'GET', agent, headers, ...(options.auth ? { auth: options.auth } : {}), timeout: REQUEST_TIMEOUT_MS },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', (error) => reject(new ClusterAccessError(`${this.label}: ${describeNetworkError(error)}`)));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            chunks.length = 0;
            let body: unknown;
            try {
              body = text === '' ? undefined : JSON.parse(text);
            } catch {
              if ((response.statusCode ?? 0) < 300) {
                reject(new ApiError(response.statusCode ?? 0, undefined, `the server answered ${path} with a body that is not JSON`));
                return;
              }
              body = undefined;
            }
            resolve({ status: response.statusCode ?? 0, body });
          });
        },
      );
      request.on('timeout', () => request.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      request.on('error', (error) => reject(new ClusterAccessError(`cannot reach the API server of ${this.label}: ${describeNetworkError(error)}`)));
      request.end();
    });
  }

  close(): void {
    this.agent?.destroy();
  }
}

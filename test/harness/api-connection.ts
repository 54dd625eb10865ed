/**
 * Raw HTTPS to the test apiserver over a keep-alive agent: the fastest way to issue many small requests (thousands
 * of SubjectAccessReviews) without a client library's per-call overhead. One connection object per identity.
 */
import { Agent, request as httpsRequest } from 'node:https';

export interface ApiResponse<T = unknown> {
  status: number;
  /** Parsed JSON when the server answered JSON, else the text. */
  body: T;
}

export interface ApiCredentials {
  cert?: string;
  key?: string;
  token?: string;
}

export interface RequestOptions {
  /** Content-Type of the body; JSON by default (use application/apply-patch+yaml, merge-patch+json… for PATCH). */
  contentType?: string;
  /** Abort after this many milliseconds (default 30 s). */
  timeoutMs?: number;
}

export class ApiConnection {
  private readonly agent: Agent;
  private readonly url: URL;

  constructor(server: string, ca: string, private readonly credentials: ApiCredentials, maxSockets = 64) {
    this.url = new URL(server);
    this.agent = new Agent({ keepAlive: true, maxSockets, ca, cert: credentials.cert, key: credentials.key });
  }

  request<T = unknown>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (payload !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    if (this.credentials.token) headers.authorization = `Bearer ${this.credentials.token}`;
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: this.url.hostname,
          port: this.url.port,
          method,
          path,
          headers,
          agent: this.agent,
          timeout: options.timeoutMs ?? 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const json = (res.headers['content-type'] ?? '').includes('json');
            try {
              resolve({ status: res.statusCode ?? 0, body: (json && text ? JSON.parse(text) : text) as T });
            } catch (error) {
              reject(new Error(`${method} ${path}: unparsable JSON answer (${(error as Error).message})`));
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${options.timeoutMs ?? 30_000} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * A client of the Docker Registry HTTP API v2 / OCI distribution spec, for pulling: manifests and blobs of one
 * repository, anonymous or with credentials through the registry's WWW-Authenticate challenge (Basic, or Bearer
 * tokens from the challenge's realm). HTTPS always, plain HTTP only with `insecure` and only to loopback.
 * Registry answers become errors that say what to do (401 credentials, 404 what is missing, 429 when to retry).
 */
import { Readable } from 'node:stream';
import { digestOf, verifyBytes } from '../../image/blob-digest.js';
import { isLoopbackRegistry, registryApiHost } from '../../image/image-reference.js';
import { parseWwwAuthenticate } from '../../image/www-authenticate.js';
import { MAX_DOCUMENT_BYTES } from './opened-image.js';
import type { RegistryCredentials } from './registry-credentials.js';

export interface RegistryClientOptions {
  /** Plain HTTP; refused for anything but loopback. */
  readonly insecure?: boolean;
  readonly credentials?: RegistryCredentials;
}

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export class RegistryClient {
  private readonly base: string;
  private authorization?: string;
  readonly what: string;

  constructor(
    readonly registry: string,
    readonly repository: string,
    private readonly options: RegistryClientOptions = {},
  ) {
    if (options.insecure && !isLoopbackRegistry(registry)) {
      throw new Error(`--insecure (plain HTTP) is allowed only for registries on loopback (localhost, 127.0.0.1, ::1), not ${registry}`);
    }
    this.base = `${options.insecure ? 'http' : 'https'}://${registryApiHost(registry)}/v2/${repository}/`;
    this.what = `registry ${registry}/${repository}`;
  }

  /** A manifest or index by tag or digest: its bytes (digest-verified when pulled by digest), digest and media type. */
  async manifest(reference: string): Promise<{ bytes: Uint8Array; digest: string; mediaType?: string }> {
    const what = `${this.what}: manifest ${reference}`;
    const response = await this.get(`manifests/${reference}`, what, MANIFEST_ACCEPT);
    const bytes = await readLimited(response, MAX_DOCUMENT_BYTES, what);
    const byDigest = reference.includes(':');
    const digest = byDigest ? reference : digestOf(bytes);
    if (byDigest) verifyBytes(bytes, digest, what);
    const announced = response.headers.get('docker-content-digest');
    if (!byDigest && announced && announced.startsWith('sha256:') && announced !== digest) {
      throw new Error(`${what}: digest mismatch: content is ${digest}, the registry announced ${announced}`);
    }
    const mediaType = response.headers.get('content-type')?.split(';')[0]?.trim();
    return { bytes, digest, ...(mediaType ? { mediaType } : {}) };
  }

  async blob(digest: string, size: number | undefined): Promise<Uint8Array> {
    const what = `${this.what}: blob ${digest}`;
    const bytes = await readLimited(await this.get(`blobs/${digest}`, what), MAX_DOCUMENT_BYTES, what);
    verifyBytes(bytes, digest, what, size);
    return bytes;
  }

  /** A blob as a stream (the caller verifies it while reading). */
  async openBlob(digest: string): Promise<Readable> {
    const what = `${this.what}: blob ${digest}`;
    const response = await this.get(`blobs/${digest}`, what);
    if (!response.body) throw new Error(`${what}: empty response`);
    return Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
  }

  private async get(path: string, what: string, accept?: string): Promise<Response> {
    const url = this.base + path;
    let response = await this.fetch(url, what, accept);
    if (response.status === 401 && this.authorization === undefined) {
      const challenge = response.headers.get('www-authenticate');
      await response.body?.cancel();
      if (challenge) {
        await this.authenticate(challenge, what);
        response = await this.fetch(url, what, accept);
      }
    }
    if (!response.ok) throw await registryError(response, what, this.options.credentials !== undefined);
    return response;
  }

  private async fetch(url: string, what: string, accept?: string): Promise<Response> {
    const headers: Record<string, string> = { 'user-agent': 'aspis' };
    if (accept) headers.accept = accept;
    if (this.authorization) headers.authorization = this.authorization;
    try {
      return await fetch(url, { headers, redirect: 'follow' });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error as Error).message;
      const hint = !this.options.insecure && isLoopbackRegistry(this.registry) ? ' (a plain-HTTP registry on loopback needs --insecure)' : '';
      throw new Error(`${what}: cannot reach ${url}: ${reason}${hint}`);
    }
  }

  private async authenticate(header: string, what: string): Promise<void> {
    const challenges = parseWwwAuthenticate(header);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const credentials = this.options.credentials;
    if (bearer) {
      this.authorization = `Bearer ${await this.token(bearer.params, what)}`;
      return;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      if (!credentials) throw new Error(`${what}: 401 Unauthorized: the registry requires credentials; set ASPIS_REGISTRY_USERNAME and ASPIS_REGISTRY_PASSWORD (or log in with docker login)`);
      this.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
      return;
    }
    throw new Error(`${what}: 401 Unauthorized with an authentication scheme Aspis does not support: ${header}`);
  }

  /** A token from the Bearer challenge's realm (Docker token protocol), with credentials when there are some. */
  private async token(params: Readonly<Record<string, string>>, what: string): Promise<string> {
    if (!params.realm) throw new Error(`${what}: 401 Bearer challenge without a realm`);
    let realm: URL;
    try {
      realm = new URL(params.realm);
    } catch {
      throw new Error(`${what}: token realm "${params.realm}" is not a URL`);
    }
    if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && this.options.insecure && isLoopbackRegistry(realm.host))) {
      throw new Error(`${what}: token realm ${params.realm} is not HTTPS; refusing to send credentials or ask for tokens over plain HTTP`);
    }
    if (params.service) realm.searchParams.set('service', params.service);
    realm.searchParams.set('scope', params.scope ?? `repository:${this.repository}:pull`);
    const headers: Record<string, string> = { 'user-agent': 'aspis' };
    const credentials = this.options.credentials;
    if (credentials) headers.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    let response: Response;
    try {
      response = await fetch(realm, { headers });
    } catch (error) {
      throw new Error(`${what}: cannot reach the token service ${realm.origin}${realm.pathname}: ${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message}`);
    }
    if (!response.ok) throw await registryError(response, `${what}: token service ${realm.origin}${realm.pathname}`, credentials !== undefined);
    const body = (await response.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new Error(`${what}: the token service answered without a token`);
    return token;
  }
}

async function readLimited(response: Response, limit: number, what: string): Promise<Uint8Array> {
  const length = Number(response.headers.get('content-length') ?? '0');
  if (length > limit) throw new Error(`${what}: ${length} bytes, too large for an image document`);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > limit) throw new Error(`${what}: more than ${limit} bytes, too large for an image document`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** An error for a non-2xx answer, with the registry's own error codes (OCI distribution error body) when it sent some. */
async function registryError(response: Response, what: string, hadCredentials: boolean): Promise<Error> {
  let detail = '';
  try {
    const text = (await response.text()).slice(0, 64 * 1024);
    const errors = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] }).errors ?? [];
    detail = errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
  } catch {
    // Not a JSON error body; the status says enough.
  }
  const suffix = detail ? ` (${detail})` : '';
  switch (response.status) {
    case 401:
      return new Error(
        `${what}: 401 Unauthorized${suffix}: ${hadCredentials ? 'the registry refused the credentials' : 'the registry requires credentials; set ASPIS_REGISTRY_USERNAME and ASPIS_REGISTRY_PASSWORD (or log in with docker login)'}`,
      );
    case 403:
      return new Error(`${what}: 403 Forbidden${suffix}: these credentials may not pull this repository`);
    case 404:
      return new Error(`${what}: 404 Not Found${suffix}: check the repository, tag or digest`);
    case 429: {
      const retryAfter = response.headers.get('retry-after');
      return new Error(`${what}: 429 Too Many Requests${suffix}: the registry is rate-limiting this client${retryAfter ? `; retry after ${retryAfter} s` : '; retry later'}`);
    }
    default:
      return new Error(`${what}: HTTP ${response.status} ${response.statusText}${suffix}`);
  }
}

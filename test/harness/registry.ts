/**
 * A real container registry for tests: Debian's `docker-registry` (CNCF distribution 2.8) on a free loopback port,
 * plain HTTP, storage in a temp dir, started and stopped like test/harness/control-plane.ts starts the apiserver.
 *
 *   const registry = await startRegistry();                           // anonymous
 *   const registry = await startRegistry({ auth: 'htpasswd' });       // Basic auth (htpasswd, bcrypt)
 *   const registry = await startRegistry({ auth: 'token' });          // Docker token auth: Bearer challenge, a token
 *                                                                     // service on loopback issuing RS256 JWTs
 *   after(() => registry.stop());
 *   await registry.pushOciLayout(layoutDir, 'debian', '12');          // every image of an OCI layout folder
 *
 * What a TestRegistry gives a test:
 *   host            127.0.0.1:<port> (image references are `${host}/repo:tag`; clients need plain HTTP)
 *   users           the accepted credentials (htpasswd and token modes): [{ username: 'aspis', password: … }]
 *   tokenRequests   how many tokens the token service issued (token mode), and with which credentials
 *   push…           uploads with the harness's own credentials (a minted token or Basic), so tests need no client
 *   stop()          kills the registry and the token service and removes the temp dir
 * Needs /usr/bin/docker-registry (apt-get install docker-registry), htpasswd (apache2-utils) for Basic auth and
 * openssl for the token service's certificate. Start to ready: ~0.3 s.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, sign } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freeLoopbackPorts } from './free-port.js';
import { ProcessGroup } from './supervised-processes.js';

export const REGISTRY_BINARY = '/usr/bin/docker-registry';

export type RegistryAuth = 'none' | 'htpasswd' | 'token';

export interface TestRegistryUser {
  readonly username: string;
  readonly password: string;
}

export interface TokenRequest {
  readonly username?: string;
  readonly scope?: string;
  readonly granted: boolean;
}

export interface TestRegistry {
  readonly host: string;
  readonly auth: RegistryAuth;
  readonly users: readonly TestRegistryUser[];
  readonly tokenRequests: readonly TokenRequest[];
  readonly logPath: string;
  pushBlob(repository: string, bytes: Uint8Array): Promise<string>;
  pushManifest(repository: string, reference: string, bytes: Uint8Array, mediaType: string): Promise<string>;
  /** Pushes every blob and manifest of an OCI layout folder; tags `tag` on the layout's single entry (or an index of all). */
  pushOciLayout(layoutDir: string, repository: string, tag: string): Promise<string>;
  stop(): Promise<void>;
}

/** Why a registry with this auth cannot run here (a skip reason), or undefined. */
export function registryAvailable(auth: RegistryAuth = 'none'): string | undefined {
  if (!existsSync(REGISTRY_BINARY)) return `${REGISTRY_BINARY} is missing: apt-get install docker-registry`;
  if (auth === 'htpasswd' && !existsSync('/usr/bin/htpasswd')) return 'htpasswd is missing (Basic auth needs bcrypt entries): apt-get install apache2-utils';
  return undefined;
}

export async function startRegistry(options: { auth?: RegistryAuth } = {}): Promise<TestRegistry> {
  const auth = options.auth ?? 'none';
  const missing = registryAvailable(auth);
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'aspis-registry-'));
  const group = new ProcessGroup(dir);
  const [port, tokenPort] = await freeLoopbackPorts(2);
  const users: TestRegistryUser[] = auth === 'none' ? [] : [{ username: 'aspis', password: randomBytes(12).toString('hex') }];
  const tokenRequests: TokenRequest[] = [];
  let tokenServer: Server | undefined;
  let mintToken: ((scope: string) => string) | undefined;
  let authConfig = '';
  if (auth === 'htpasswd') {
    const htpasswd = users.map((u) => execFileSync('htpasswd', ['-Bbn', u.username, u.password], { encoding: 'utf8' }).trim()).join('\n');
    writeFileSync(join(dir, 'htpasswd'), `${htpasswd}\n`);
    authConfig = `auth:\n  htpasswd:\n    realm: aspis-test\n    path: ${join(dir, 'htpasswd')}\n`;
  } else if (auth === 'token') {
    const token = await startTokenService(dir, tokenPort!, users, tokenRequests);
    tokenServer = token.server;
    mintToken = token.mint;
    authConfig = [
      'auth:',
      '  token:',
      `    realm: http://127.0.0.1:${tokenPort}/token`,
      `    service: ${TOKEN_SERVICE}`,
      `    issuer: ${TOKEN_ISSUER}`,
      `    rootcertbundle: ${token.certPath}`,
      '',
    ].join('\n');
  }
  const config = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'storage')}`,
    'http:',
    `  addr: 127.0.0.1:${port}`,
    authConfig,
  ].join('\n');
  writeFileSync(join(dir, 'config.yml'), config);
  const processGroupEnv = { ...process.env, OTEL_TRACES_EXPORTER: 'none' };
  const registry = group.spawn('docker-registry', REGISTRY_BINARY, ['serve', join(dir, 'config.yml')], processGroupEnv);
  const host = `127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (!registry.running()) throw new Error(`docker-registry exited while starting:\n${registry.logTail()}`);
    const ok = await fetch(`http://${host}/v2/`).then(
      (r) => r.status === 200 || r.status === 401,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      await group.stop();
      throw new Error(`docker-registry not ready after 30 s:\n${registry.logTail()}`);
    }
    await sleep(50);
  }

  const authorization = (repository: string): string | undefined => {
    if (auth === 'htpasswd') return `Basic ${Buffer.from(`${users[0]!.username}:${users[0]!.password}`).toString('base64')}`;
    if (auth === 'token') return `Bearer ${mintToken!(`repository:${repository}:pull,push`)}`;
    return undefined;
  };
  const headers = (repository: string, extra: Record<string, string> = {}): Record<string, string> => {
    const value = authorization(repository);
    return value ? { ...extra, authorization: value } : extra;
  };

  const pushBlob = async (repository: string, bytes: Uint8Array): Promise<string> => {
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const head = await fetch(`http://${host}/v2/${repository}/blobs/${digest}`, { method: 'HEAD', headers: headers(repository) });
    if (head.status === 200) return digest;
    const start = await fetch(`http://${host}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers: headers(repository) });
    if (start.status !== 202) throw new Error(`blob upload start: HTTP ${start.status} ${await start.text()}`);
    const location = new URL(start.headers.get('location')!, `http://${host}`);
    location.searchParams.set('digest', digest);
    const put = await fetch(location, {
      method: 'PUT',
      headers: headers(repository, { 'content-type': 'application/octet-stream' }),
      body: new Uint8Array(bytes),
    });
    if (put.status !== 201) throw new Error(`blob upload: HTTP ${put.status} ${await put.text()}`);
    return digest;
  };

  const pushManifest = async (repository: string, reference: string, bytes: Uint8Array, mediaType: string): Promise<string> => {
    const response = await fetch(`http://${host}/v2/${repository}/manifests/${reference}`, {
      method: 'PUT',
      headers: headers(repository, { 'content-type': mediaType }),
      body: new Uint8Array(bytes),
    });
    if (response.status !== 201) throw new Error(`manifest push ${repository}:${reference}: HTTP ${response.status} ${await response.text()}`);
    return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  };

  const pushDescriptor = async (layoutDir: string, repository: string, descriptor: LayoutDescriptor): Promise<void> => {
    const bytes = readFileSync(join(layoutDir, 'blobs', ...descriptor.digest.split(':')));
    const document = JSON.parse(bytes.toString('utf8')) as { manifests?: LayoutDescriptor[]; config?: LayoutDescriptor; layers?: LayoutDescriptor[] };
    for (const child of document.manifests ?? []) await pushDescriptor(layoutDir, repository, child);
    for (const blob of [document.config, ...(document.layers ?? [])]) {
      if (blob) await pushBlob(repository, readFileSync(join(layoutDir, 'blobs', ...blob.digest.split(':'))));
    }
    await pushManifest(repository, descriptor.digest, bytes, descriptor.mediaType);
  };

  return {
    host,
    auth,
    users,
    tokenRequests,
    logPath: registry.logPath,
    pushBlob,
    pushManifest,
    async pushOciLayout(layoutDir, repository, tag) {
      const index = JSON.parse(readFileSync(join(layoutDir, 'index.json'), 'utf8')) as { manifests: LayoutDescriptor[] };
      for (const descriptor of index.manifests) await pushDescriptor(layoutDir, repository, descriptor);
      if (index.manifests.length === 1) {
        const only = index.manifests[0]!;
        return pushManifest(repository, tag, readFileSync(join(layoutDir, 'blobs', ...only.digest.split(':'))), only.mediaType);
      }
      const top = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          manifests: index.manifests.map(({ mediaType, digest, size, platform }) => ({ mediaType, digest, size, ...(platform ? { platform } : {}) })),
        }),
      );
      return pushManifest(repository, tag, top, 'application/vnd.oci.image.index.v1+json');
    },
    async stop() {
      await new Promise<void>((resolve) => (tokenServer ? tokenServer.close(() => resolve()) : resolve()));
      await group.stop();
    },
  };
}

interface LayoutDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: unknown;
}

const TOKEN_SERVICE = 'aspis-test-registry';
const TOKEN_ISSUER = 'aspis-test-token-issuer';

/**
 * The Docker token protocol's token service: GET /token?service=…&scope=… with optional Basic credentials answers
 * { token } — an RS256 JWT whose x5c header carries the certificate the registry trusts (rootcertbundle).
 * Anonymous requests get a token with no access (the registry then answers 401), as Docker Hub does for private
 * repositories; wrong credentials get 401 from the token service itself.
 */
async function startTokenService(
  dir: string,
  port: number,
  users: readonly TestRegistryUser[],
  requests: TokenRequest[],
): Promise<{ server: Server; certPath: string; mint: (scope: string) => string }> {
  const keyPath = join(dir, 'token.key');
  const certPath = join(dir, 'token.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=aspis-test-token'], {
    stdio: 'ignore',
  });
  const key = readFileSync(keyPath, 'utf8');
  const certDer = Buffer.from(
    readFileSync(certPath, 'utf8')
      .replace(/-----(BEGIN|END) CERTIFICATE-----/g, '')
      .replace(/\s+/g, ''),
    'base64',
  );
  const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const mint = (scope: string | undefined, subject = 'aspis'): string => {
    const access = (scope ?? '')
      .split(' ')
      .filter(Boolean)
      .map((s) => {
        const [type, ...rest] = s.split(':');
        const actions = rest.pop()!;
        return { type, name: rest.join(':'), actions: actions.split(',') };
      });
    const now = Math.floor(Date.now() / 1000);
    const header = b64url({ alg: 'RS256', typ: 'JWT', x5c: [certDer.toString('base64')] });
    const claims = b64url({ iss: TOKEN_ISSUER, sub: subject, aud: TOKEN_SERVICE, exp: now + 600, nbf: now - 60, iat: now, jti: randomBytes(8).toString('hex'), access });
    const signature = sign('RSA-SHA256', Buffer.from(`${header}.${claims}`), key).toString('base64url');
    return `${header}.${claims}.${signature}`;
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname !== '/token') {
      res.writeHead(404).end();
      return;
    }
    const scope = url.searchParams.get('scope') ?? undefined;
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    let username: string | undefined;
    if (basic) {
      const [user, ...password] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
      if (!users.some((u) => u.username === user && u.password === password.join(':'))) {
        requests.push({ username: user!, ...(scope ? { scope } : {}), granted: false });
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'wrong username or password' }] }));
        return;
      }
      username = user;
    }
    requests.push({ ...(username ? { username } : {}), ...(scope ? { scope } : {}), granted: username !== undefined });
    const token = username ? mint(scope, username) : mint(undefined, 'anonymous');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 600 }));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, certPath, mint: (scope) => mint(scope) };
}

/**
 * Pulling from a real registry (Debian's docker-registry on loopback, test/harness/registry.ts): anonymous, Basic
 * (htpasswd) and Bearer-token auth, multi-platform indexes, 404s; and, from a loopback HTTP server that answers
 * what a registry under load or attack would (429, a manifest that does not match its digest), clear errors.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLayer } from './build-layer.js';
import { writeOciLayout } from './write-oci-layout.js';
import { registryAvailable, startRegistry, type TestRegistry } from '../../harness/registry.js';
import { freeLoopbackPort } from '../../harness/free-port.js';
import { openImage } from '../../../src/sources/image/open-image.js';
import { readImage } from '../../../src/sources/image/read-image.js';
import { runCli } from '../../cli/run-cli.js';

const skip = registryAvailable();
const OS_RELEASE = 'ID=alpine\nVERSION_ID=3.19.1\n';
const pkgJson = (name: string, version: string): string => JSON.stringify({ name, version });

let work: string;
let layout: string;
let multiLayout: string;
before(async () => {
  work = mkdtempSync(join(tmpdir(), 'aspis-registry-source-'));
  layout = join(work, 'single');
  writeOciLayout(layout, [
    {
      layers: [
        await buildLayer([{ name: 'etc/os-release', content: OS_RELEASE }]),
        await buildLayer([{ name: 'usr/lib/node_modules/left-pad/package.json', content: pkgJson('left-pad', '1.3.0') }], 'zstd'),
      ],
    },
  ]);
  multiLayout = join(work, 'multi');
  writeOciLayout(multiLayout, [
    { platform: { os: 'linux', architecture: 'amd64' }, layers: [await buildLayer([{ name: 'usr/lib/node_modules/amd/package.json', content: pkgJson('amd', '1.0.0') }])] },
    { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, layers: [await buildLayer([{ name: 'usr/lib/node_modules/arm/package.json', content: pkgJson('arm', '2.0.0') }])] },
  ]);
});
after(() => rmSync(work, { recursive: true, force: true }));

const names = (packages: readonly { name: string; version: string }[]): string[] => packages.map((p) => `${p.name}@${p.version}`).sort();

describe('registry, anonymous', { skip: skip ?? false }, () => {
  let registry: TestRegistry;
  let manifestDigest: string;
  before(async () => {
    registry = await startRegistry();
    manifestDigest = await registry.pushOciLayout(layout, 'team/app', '1.0');
    await registry.pushOciLayout(multiLayout, 'team/multi', 'latest');
  });
  after(() => registry?.stop());

  it('pulls by tag and by digest (gzip and zstd layers), with the manifest digest reported', async () => {
    const byTag = await readImage(`${registry.host}/team/app:1.0`, { insecure: true, cacheDir: join(work, 'cache') });
    assert.deepEqual(byTag.problemLines, []);
    assert.deepEqual(names(byTag.catalog.packages), ['left-pad@1.3.0']);
    assert.equal(byTag.image.manifestDigest, manifestDigest);
    const byDigest = await readImage(`${registry.host}/team/app@${manifestDigest}`, { insecure: true, cacheDir: join(work, 'cache') });
    assert.deepEqual(names(byDigest.catalog.packages), ['left-pad@1.3.0']);
  });

  it('picks the platform of a multi-platform index, and lists the offered ones when asked for another', async () => {
    const arm = await readImage(`registry:${registry.host}/team/multi`, { insecure: true, platform: 'linux/arm64', cacheDir: join(work, 'cache') });
    assert.deepEqual(names(arm.catalog.packages), ['arm@2.0.0']);
    const amd = await readImage(`docker://${registry.host}/team/multi:latest`, { insecure: true, platform: 'linux/amd64', cacheDir: join(work, 'cache') });
    assert.deepEqual(names(amd.catalog.packages), ['amd@1.0.0']);
    await assert.rejects(openImage(`${registry.host}/team/multi`, { insecure: true, platform: 'windows/amd64' }), /no manifest for platform windows\/amd64 \(the index offers linux\/amd64, linux\/arm64\/v8\)/);
  });

  it('404s name what is missing', async () => {
    await assert.rejects(openImage(`${registry.host}/team/app:2.0`, { insecure: true }), /manifest 2\.0: 404 Not Found \(MANIFEST_UNKNOWN: manifest unknown\)/);
    await assert.rejects(openImage(`${registry.host}/nobody/here:1`, { insecure: true }), /404 Not Found \((NAME|MANIFEST)_UNKNOWN/);
  });

  it('plain HTTP only with --insecure, and --insecure only for loopback', async () => {
    await assert.rejects(openImage(`${registry.host}/team/app:1.0`), /cannot reach https:\/\/127\.0\.0\.1:\d+\/v2\/team\/app\/manifests\/1\.0: .*needs --insecure/);
    await assert.rejects(openImage('registry.example.com/team/app:1.0', { insecure: true }), /--insecure \(plain HTTP\) is allowed only for registries on loopback/);
    const cli = runCli(['sbom', `${registry.host}/team/app:1.0`, '--insecure', '-o', 'spdx']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /"SPDX-2\.3"/);
  });
});

describe('registry, Basic auth (htpasswd)', { skip: registryAvailable('htpasswd') ?? false }, () => {
  let registry: TestRegistry;
  before(async () => {
    registry = await startRegistry({ auth: 'htpasswd' });
    await registry.pushOciLayout(layout, 'private/app', '1');
  });
  after(() => registry?.stop());

  it('asks for credentials, refuses wrong ones, and pulls with the right ones', async () => {
    const env = (username?: string, password?: string): NodeJS.ProcessEnv => ({
      HOME: work,
      ...(username !== undefined ? { ASPIS_REGISTRY_USERNAME: username, ASPIS_REGISTRY_PASSWORD: password } : {}),
    });
    await assert.rejects(openImage(`${registry.host}/private/app:1`, { insecure: true, env: env() }), /401 Unauthorized: the registry requires credentials; set ASPIS_REGISTRY_USERNAME/);
    await assert.rejects(openImage(`${registry.host}/private/app:1`, { insecure: true, env: env('aspis', 'wrong') }), /401 Unauthorized.*the registry refused the credentials/);
    const user = registry.users[0]!;
    const image = await openImage(`${registry.host}/private/app:1`, { insecure: true, env: env(user.username, user.password) });
    assert.equal(image.layers.length, 2);
  });
});

describe('registry, Bearer token auth', { skip: skip ?? false }, () => {
  let registry: TestRegistry;
  before(async () => {
    registry = await startRegistry({ auth: 'token' });
    await registry.pushOciLayout(layout, 'private/app', '1');
  });
  after(() => registry?.stop());

  it('follows the challenge to the token service, with credentials when there are some', async () => {
    const user = registry.users[0]!;
    const env = { HOME: work, ASPIS_REGISTRY_USERNAME: user.username, ASPIS_REGISTRY_PASSWORD: user.password };
    const result = await readImage(`${registry.host}/private/app:1`, { insecure: true, env, cacheDir: join(work, 'cache') });
    assert.deepEqual(result.problemLines, []);
    assert.deepEqual(names(result.catalog.packages), ['left-pad@1.3.0']);
    assert.deepEqual(registry.tokenRequests.at(-1), { username: 'aspis', scope: 'repository:private/app:pull', granted: true });
    assert.equal(registry.tokenRequests.filter((r) => r.username === 'aspis').length, 1, 'one token for the whole pull');
  });

  it('anonymous tokens grant nothing: 401 asking for credentials; wrong credentials: the token service says so', async () => {
    await assert.rejects(openImage(`${registry.host}/private/app:1`, { insecure: true, env: { HOME: work } }), /401 Unauthorized.*requires credentials/);
    await assert.rejects(
      openImage(`${registry.host}/private/app:1`, { insecure: true, env: { HOME: work, ASPIS_REGISTRY_USERNAME: 'aspis', ASPIS_REGISTRY_PASSWORD: 'nope' } }),
      /token service http:\/\/127\.0\.0\.1:\d+\/token: 401 Unauthorized \(UNAUTHORIZED: wrong username or password\): the registry refused the credentials/,
    );
  });
});

describe('registry answers a real registry would not give a test on demand', () => {
  let server: Server;
  let host: string;
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 2 }, layers: [] }));
  before(async () => {
    const port = await freeLoopbackPort();
    host = `127.0.0.1:${port}`;
    server = createServer((req, res) => {
      if (req.url?.includes('/limited/')) {
        res.writeHead(429, { 'retry-after': '7', 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'pull rate limit' }] }));
      } else if (req.url?.includes('/manifests/')) {
        res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': `sha256:${'b'.repeat(64)}` }).end(manifest);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('429 says the registry is rate-limiting, and when to retry', async () => {
    await assert.rejects(openImage(`${host}/limited/app:1`, { insecure: true }), /429 Too Many Requests \(TOOMANYREQUESTS: pull rate limit\): the registry is rate-limiting this client; retry after 7 s/);
  });

  it('a manifest that does not hash to the digest asked for (or announced) is refused', async () => {
    await assert.rejects(openImage(`${host}/team/app@sha256:${'c'.repeat(64)}`, { insecure: true }), /digest mismatch: content is sha256:[0-9a-f]{64}, expected sha256:c{64}/);
    await assert.rejects(openImage(`${host}/team/app:1`, { insecure: true }), /digest mismatch: content is sha256:[0-9a-f]{64}, the registry announced sha256:b{64}/);
  });
});

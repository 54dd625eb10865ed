/**
 * Offline by construction, as a user runs it (the real CLI in child processes):
 *   aspis db import (osv-advisories corpus) → db keygen → db bundle → db verify / db import-bundle
 *   aspis scan image oci:LAYOUT --offline --bundle B --bundle-key PUB, inside a network namespace
 * The image is a small OCI layout written here (Ubuntu 22.04 glibc, a pip-installed Jinja2 and an npm
 * jsonwebtoken, all with advisories in the corpus).
 *
 * The namespace (`unshare --net`) has one interface, loopback, brought up as on any air-gapped host; the test
 * proves it has no route anywhere else (a registry scan without --offline fails with a network error). Inside it,
 * the offline scan's JSON equals the online scan's, and under strace it opens no socket but AF_UNIX ones (tsx's
 * own IPC pipe): not even a failed attempt at the network. A registry reference under --offline is refused before
 * any socket is made.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { corpusDir } from '../corpora/corpus-location.js';
import { REPO_ROOT } from '../cli/run-cli.js';
import { buildLayer } from '../image/sources/build-layer.js';
import { writeOciLayout } from '../image/sources/write-oci-layout.js';
import { ociArchitecture } from '../../src/image/platform.js';
import { generateBundleKeyPair } from '../../src/store/vuln-db/bundle-keys.js';

const work = mkdtempSync(join(tmpdir(), 'aspis-offline-'));
after(() => rmSync(work, { recursive: true, force: true }));

const paths = {
  db: join(work, 'online', 'osv.sqlite'),
  privateKey: join(work, 'keys', 'bundle.key'),
  publicKey: join(work, 'keys', 'bundle.pub'),
  otherPublicKey: join(work, 'keys', 'other.pub'),
  bundle: join(work, 'osv-bundle.tar.gz'),
  installed: join(work, 'installed', 'osv.sqlite'),
  layout: join(work, 'image'),
  cache: join(work, 'cache'),
};
const image = `oci:${paths.layout}:1`;
const REGISTRY_IMAGE = 'registry-1.docker.io/library/alpine:3.19';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI (src/cli/bin.ts through tsx), optionally inside `unshare --net` with loopback up, optionally under strace. */
function aspis(args: string[], options: { netns?: boolean; strace?: string; env?: Record<string, string> } = {}): Run {
  const cli = [process.execPath, '--import', import.meta.resolve('tsx'), resolve(REPO_ROOT, 'src/cli/bin.ts'), ...args];
  const traced = options.strace ? ['strace', '-f', '-qq', '-e', 'trace=socket,connect', '-o', options.strace, ...cli] : cli;
  const [command, ...rest] = options.netns ? ['unshare', '--net', '--', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', ...traced] : traced;
  const { ASPIS_BUNDLE_KEY: _key, ASPIS_BUNDLE_SIGNING_KEY: _signingKey, ...inherited } = process.env;
  const result = spawnSync(command!, rest, {
    cwd: work,
    encoding: 'utf8',
    env: { ...inherited, NO_COLOR: '1', XDG_CACHE_HOME: paths.cache, ASPIS_VULN_DB: join(work, 'no-default-db.sqlite'), ...options.env },
    maxBuffer: 64 << 20,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function ok(run: Run): string {
  assert.equal(run.code, 0, run.stderr);
  return run.stdout;
}

/** The scan report without the time it was made. */
function report(json: string): Record<string, unknown> {
  const { generatedAt: _, ...rest } = JSON.parse(json) as Record<string, unknown>;
  return rest;
}

/** Socket families the traced process tree opened, and every connect() that was not to a unix socket. */
function networkCalls(straceFile: string): { families: string[]; nonUnixConnects: string[] } {
  const lines = readFileSync(straceFile, 'utf8').split('\n');
  const families = [...new Set(lines.map((l) => /socket\((AF_[A-Z0-9]+)/.exec(l)?.[1]).filter((f): f is string => f !== undefined))].sort();
  const nonUnixConnects = lines.filter((l) => /connect\(/.test(l) && !/sa_family=AF_UNIX/.test(l));
  return { families, nonUnixConnects };
}

function unavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  const probe = spawnSync('unshare', ['--net', '--', 'sh', '-c', 'ip link set lo up && ip -o link show'], { encoding: 'utf8' });
  if (probe.status !== 0) return `cannot make a network namespace here: ${(probe.stderr || probe.error?.message || '').trim()}`;
  return undefined;
}
const noNetns = unavailable();
const noStrace = spawnSync('strace', ['-V']).status === 0 ? undefined : 'strace is not installed (.ci/run installs it)';

let online: Record<string, unknown>;

before(async () => {
  const corpus = corpusDir('osv-advisories');
  ok(aspis(['db', 'import', join(corpus, 'ubuntu'), join(corpus, 'npm'), join(corpus, 'pypi', 'jinja2'), '--db', paths.db]));
  mkdirSync(join(work, 'keys'));
  ok(aspis(['db', 'keygen', '--private-key', paths.privateKey, '--public-key', paths.publicKey]));
  writeFileSync(paths.otherPublicKey, generateBundleKeyPair().publicKeyPem);
  ok(aspis(['db', 'bundle', '--output', paths.bundle, '--key', paths.privateKey, '--db', paths.db]));
  const layer = await buildLayer([
    { name: 'etc/os-release', content: 'NAME="Ubuntu"\nID=ubuntu\nVERSION_ID="22.04"\nVERSION_CODENAME=jammy\nPRETTY_NAME="Ubuntu 22.04.3 LTS"\n' },
    {
      name: 'var/lib/dpkg/status',
      content: 'Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc\nVersion: 2.35-0ubuntu3.1\n\n',
    },
    { name: 'usr/local/lib/python3.10/dist-packages/Jinja2-2.10.dist-info/METADATA', content: 'Metadata-Version: 2.1\nName: Jinja2\nVersion: 2.10\n' },
    { name: 'app/node_modules/jsonwebtoken/package.json', content: JSON.stringify({ name: 'jsonwebtoken', version: '8.5.1', license: 'MIT' }) },
  ]);
  writeOciLayout(paths.layout, [{ layers: [layer], refName: '1', platform: { os: 'linux', architecture: ociArchitecture(process.arch) } }]);
  online = report(ok(aspis(['scan', 'image', image, '--db', paths.db, '-o', 'json'])));
});

describe('the reference: the same image scanned online', () => {
  it('finds the advisories of all three ecosystems (so equal outputs below mean something)', () => {
    const found = (online.vulnerabilities as Array<{ package: { name: string } }>).map((v) => v.package.name);
    for (const name of ['libc6', 'Jinja2', 'jsonwebtoken']) assert.ok(found.some((n) => n.toLowerCase() === name.toLowerCase()), `${name} in ${found.join(', ')}`);
  });
});

describe('in a network namespace with nothing but loopback', { skip: noNetns }, () => {
  it('has no network: a registry scan without --offline fails with a network error', () => {
    const links = spawnSync('unshare', ['--net', '--', 'sh', '-c', 'ip link set lo up && ip -o link show'], { encoding: 'utf8' });
    assert.deepEqual(links.stdout.trim().split('\n').map((l) => l.split(':')[1]!.trim()), ['lo']);
    const run = aspis(['scan', 'image', REGISTRY_IMAGE, '--db', paths.db, '-o', 'json'], { netns: true });
    assert.equal(run.code, 2, run.stdout);
    // The resolver cannot be reached from the namespace (EAI_AGAIN here; other resolver set-ups fail otherwise).
    assert.match(run.stderr, /cannot reach https:\/\/registry-1\.docker\.io\/v2\/.*: (EAI_AGAIN|ENOTFOUND|ENETUNREACH|ECONNREFUSED)/, run.stderr);
  });

  it('scans with --offline --bundle and reports exactly what the online scan reports', () => {
    const run = aspis(['scan', 'image', image, '--offline', '--bundle', paths.bundle, '--bundle-key', paths.publicKey, '-o', 'json'], { netns: true });
    assert.deepEqual(report(ok(run)), online);
    // The verified database was unpacked into the cache once, under its sha256, with its signed metadata beside it.
    // ($ASPIS_VULN_DB points into the work folder, so the cache is its bundles/ folder.)
    const cached = readdirSync(join(work, 'bundles')).sort();
    assert.equal(cached.length, 3);
    assert.match(cached[0]!, /^[0-9a-f]{64}\.sqlite$/);
  });

  it('scans with --offline and the database "db import-bundle" installed, the same report', () => {
    ok(aspis(['db', 'import-bundle', paths.bundle, '--key', paths.publicKey, '--db', paths.installed]));
    const run = aspis(['scan', 'image', image, '--offline', '--db', paths.installed, '-o', 'json'], { netns: true });
    assert.equal(run.code, 2, 'no trusted key given');
    assert.match(run.stderr, /--offline needs the trusted public key: --bundle-key FILE or \$ASPIS_BUNDLE_KEY/);
    assert.deepEqual(report(ok(aspis(['scan', 'image', image, '--offline', '--db', paths.installed, '--bundle-key', paths.publicKey, '-o', 'json'], { netns: true }))), online);
  });

  it('opens no network socket at all while scanning offline (strace: AF_UNIX only, no other connect)', { skip: noStrace }, () => {
    const trace = join(work, 'offline-scan.strace');
    const run = aspis(['scan', 'image', image, '--offline', '--bundle', paths.bundle, '--bundle-key', paths.publicKey, '-o', 'json'], { netns: true, strace: trace });
    assert.deepEqual(report(ok(run)), online);
    const calls = networkCalls(trace);
    assert.ok(calls.families.every((f) => f === 'AF_UNIX'), `socket families: ${calls.families.join(', ')}`);
    assert.deepEqual(calls.nonUnixConnects, []);
  });

  it('refuses a registry reference under --offline before opening any socket', { skip: noStrace }, () => {
    const trace = join(work, 'refused.strace');
    const run = aspis(['scan', 'image', REGISTRY_IMAGE, '--offline', '--bundle', paths.bundle, '--bundle-key', paths.publicKey], { netns: true, strace: trace });
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /--offline: registry-1\.docker\.io\/library\/alpine:3\.19 is not a local image .*use oci:DIR, oci-archive:FILE, docker-archive:FILE or an existing path/);
    const calls = networkCalls(trace);
    assert.ok(calls.families.every((f) => f === 'AF_UNIX'), `socket families: ${calls.families.join(', ')}`);
    assert.deepEqual(calls.nonUnixConnects, []);
  });
});

describe('--offline outside a namespace', () => {
  it('refuses registry references, explicit registry transports included', () => {
    for (const reference of ['docker://alpine:3.19', 'registry:localhost:5000/app:1']) {
      const run = aspis(['scan', 'image', reference, '--offline', '--bundle', paths.bundle, '--bundle-key', paths.publicKey]);
      assert.equal(run.code, 2, reference);
      assert.match(run.stderr, /--offline: .* is not a local image/, reference);
    }
  });

  it('refuses a database that was not installed from a bundle, one changed since, and a bundle signed by another key', () => {
    const plain = aspis(['scan', 'image', image, '--offline', '--db', paths.db, '--bundle-key', paths.publicKey]);
    assert.equal(plain.code, 2);
    assert.match(plain.stderr, /osv\.sqlite was not installed from a signed bundle/);
    const wrongKey = aspis(['scan', 'image', image, '--offline', '--bundle', paths.bundle, '--bundle-key', paths.otherPublicKey]);
    assert.equal(wrongKey.code, 2);
    assert.match(wrongKey.stderr, /signature does not verify with the trusted key sha256:[0-9a-f]{64}: the bundle names signing key sha256:[0-9a-f]{64}/);
    const changed = join(work, 'changed', 'osv.sqlite');
    ok(aspis(['db', 'import-bundle', paths.bundle, '--key', paths.publicKey, '--db', changed]));
    const status = JSON.parse(ok(aspis(['db', 'status', '--db', changed, '-o', 'json']))) as { records: number; bundle?: { keyId: string; createdBy: string } };
    assert.match(status.bundle?.keyId ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.match(status.bundle?.createdBy ?? '', /^aspis \d/);
    ok(aspis(['db', 'import', join(corpusDir('osv-advisories'), 'go', 'GO-2020-0001.json'), '--db', changed]));
    const run = aspis(['scan', 'image', image, '--offline', '--db', changed, '--bundle-key', paths.publicKey]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /changed since it was installed from the signed bundle/);
  });

  it('--bundle-max-age refuses a bundle signed longer ago (a replayed old bundle), and accepts a recent one', () => {
    const recent = aspis(['scan', 'image', image, '--offline', '--bundle', paths.bundle, '--bundle-key', paths.publicKey, '--bundle-max-age', '7', '-o', 'json'], { netns: true });
    assert.deepEqual(report(ok(recent)), online);
    // The bundle was signed when this suite started: older than a millionth of a day (0.09 s).
    const old = aspis(['scan', 'image', image, '--offline', '--bundle', paths.bundle, '--bundle-key', paths.publicKey, '--bundle-max-age', '0.000001']);
    assert.equal(old.code, 2, old.stderr);
    assert.match(old.stderr, /osv-bundle\.tar\.gz: the bundle was signed at \d{4}-\d\d-\d\dT[^,]+, [\d.]+ days ago, more than --bundle-max-age 0\.000001: get a current bundle/);
    ok(aspis(['db', 'import-bundle', paths.bundle, '--key', paths.publicKey, '--db', paths.installed]));
    const installed = aspis(['scan', 'image', image, '--offline', '--db', paths.installed, '--bundle-key', paths.publicKey, '--bundle-max-age', '0.000001']);
    assert.equal(installed.code, 2, installed.stderr);
    assert.match(installed.stderr, /the bundle was signed at .*more than --bundle-max-age/);
    for (const bad of ['0', '-1', 'soon']) {
      const run = aspis(['scan', 'image', image, '--offline', '--bundle', paths.bundle, '--bundle-key', paths.publicKey, '--bundle-max-age', bad]);
      assert.equal(run.code, 2);
      assert.match(run.stderr, new RegExp(`--bundle-max-age must be a positive number of days, got "${bad}"`));
    }
    const online2 = aspis(['scan', 'image', image, '--db', paths.db, '--bundle-max-age', '7']);
    assert.equal(online2.code, 2);
    assert.match(online2.stderr, /--bundle-max-age applies to signed bundles: use it with --offline or --bundle/);
  });

  it('scan sbom takes --offline and --bundle too, with the key from $ASPIS_BUNDLE_KEY', () => {
    const sbom = join(work, 'app.cdx.json');
    writeFileSync(
      sbom,
      JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [{ type: 'library', name: 'jsonwebtoken', version: '8.5.1', purl: 'pkg:npm/jsonwebtoken@8.5.1' }] }),
    );
    const expected = report(ok(aspis(['scan', 'sbom', sbom, '--db', paths.db, '-o', 'json'])));
    assert.ok((expected.vulnerabilities as unknown[]).length > 0);
    const env = { ASPIS_BUNDLE_KEY: readFileSync(paths.publicKey, 'utf8') };
    assert.deepEqual(report(ok(aspis(['scan', 'sbom', sbom, '--offline', '--bundle', paths.bundle, '-o', 'json'], { env }))), expected);
  });
});

describe('db verify, db import-bundle, db keygen', () => {
  it('verify prints the signed metadata; a bad bundle exits 2 naming the file, and import-bundle then writes nothing', () => {
    const verified = JSON.parse(ok(aspis(['db', 'verify', paths.bundle, '--key', paths.publicKey, '-o', 'json']))) as { records: number; recordsPerEcosystem: Record<string, number> };
    assert.equal(verified.recordsPerEcosystem['npm'], 16);
    const truncated = join(work, 'truncated.tar.gz');
    const bytes = readFileSync(paths.bundle);
    writeFileSync(truncated, bytes.subarray(0, bytes.length >> 1));
    const bad = aspis(['db', 'verify', truncated, '--key', paths.publicKey]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^aspis: .*truncated\.tar\.gz: truncated bundle/);
    const target = join(work, 'never', 'osv.sqlite');
    const refused = aspis(['db', 'import-bundle', truncated, '--key', paths.publicKey, '--db', target]);
    assert.equal(refused.code, 2);
    assert.deepEqual(readdirSync(join(work, 'never')), []);
  });

  it('keygen does not overwrite a key; bundle needs a signing key', () => {
    const again = aspis(['db', 'keygen', '--private-key', paths.privateKey, '--public-key', join(work, 'keys', 'new.pub')]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /bundle\.key exists: not overwriting a key/);
    assert.equal(existsSync(join(work, 'keys', 'new.pub')), false);
    const unsigned = aspis(['db', 'bundle', '--output', join(work, 'unsigned.tar.gz'), '--db', paths.db]);
    assert.equal(unsigned.code, 2);
    assert.match(unsigned.stderr, /--key FILE or \$ASPIS_BUNDLE_SIGNING_KEY is required/);
    assert.equal(existsSync(join(work, 'unsigned.tar.gz')), false);
  });
});

/**
 * The image checks end to end on a real image: the Debian 12 image the test rig builds with debootstrap
 * (test/harness/debian-image.ts), plus two layers written here with tar-stream — one adds a freshly generated
 * private key, a GitHub token and a setuid helper, the next deletes the key with a whiteout — with no User in its
 * config and an unpinned base annotation. `scanOneImage` must report exactly what find(1) sees on the root
 * filesystem plus what the layers added, the deleted key with its layer, path and line (never its bytes), and apply
 * `.aspis.yaml` (disable, severity, exceptions with reason) as a manifest scan does.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { debianImageUnavailable, ensureDebianImage, type DebianImage } from '../../harness/debian-image.js';
import { buildLayer, sha256, type BuiltLayer } from '../sources/build-layer.js';
import { scanOneImage, type ScannedImage } from '../../../src/cli/scan/scan-one-image.js';
import { loadImageCheckSetup } from '../../../src/cli/scan/image-check-setup.js';
import { SHELLS, PACKAGE_MANAGERS } from '../../../src/image/hygiene/shells-and-package-managers.js';
import { VulnDatabase } from '../../../src/store/vuln-db/vuln-database.js';

const skip = debianImageUnavailable();
const NOW = new Date('2026-11-27T12:00:00Z');

interface Built {
  dir: string;
  base: { digest: string };
  added: BuiltLayer;
  deleting: BuiltLayer;
  key: string;
  token: string;
}

function blobPath(layout: string, digest: string): string {
  return join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length));
}

function writeBlob(layout: string, bytes: Buffer): { digest: string; size: number } {
  const digest = sha256(bytes);
  writeFileSync(blobPath(layout, digest), bytes);
  return { digest, size: bytes.length };
}

/** The Debian layout's only layer, reused as the base layer of a new image (linked, not copied, where possible). */
async function buildImage(debian: DebianImage, dir: string): Promise<Built> {
  const layout = join(dir, 'layout');
  mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
  const index = JSON.parse(readFileSync(join(debian.layout, 'index.json'), 'utf8'));
  const manifest = JSON.parse(readFileSync(blobPath(debian.layout, index.manifests[0].digest), 'utf8'));
  const baseConfig = JSON.parse(readFileSync(blobPath(debian.layout, manifest.config.digest), 'utf8'));
  const baseLayer = manifest.layers[0];
  try {
    linkSync(blobPath(debian.layout, baseLayer.digest), blobPath(layout, baseLayer.digest));
  } catch {
    copyFileSync(blobPath(debian.layout, baseLayer.digest), blobPath(layout, baseLayer.digest));
  }

  const key = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const token = `ghp_${[...randomBytes(36)].map((b) => alnum[b % alnum.length]).join('')}`;
  const added = await buildLayer([
    { name: 'root/.ssh', type: 'directory', mode: 0o700 },
    { name: 'root/.ssh/id_deploy', content: `# deploy key for the build\n${key}`, mode: 0o600 },
    { name: 'app', type: 'directory' },
    { name: 'app/.env', content: `APP_ENV=production\nGITHUB_TOKEN=${token}\n` },
    { name: 'usr/local/bin/helper', content: '#!/bin/sh\nexec id\n', mode: 0o4755 },
  ]);
  const deleting = await buildLayer([{ name: 'root/.ssh/.wh.id_deploy' }]);
  for (const layer of [added, deleting]) writeFileSync(blobPath(layout, layer.digest), layer.blob);

  const config = writeBlob(
    layout,
    Buffer.from(
      JSON.stringify({
        architecture: baseConfig.architecture,
        os: baseConfig.os,
        config: { Env: ['PATH=/usr/local/bin:/usr/bin:/bin'], Labels: { 'org.example.team': 'payments' } },
        rootfs: { type: 'layers', diff_ids: [...baseConfig.rootfs.diff_ids, added.diffId, deleting.diffId] },
      }),
    ),
  );
  const imageManifest = writeBlob(
    layout,
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [baseLayer, ...[added, deleting].map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size }))],
        annotations: { 'org.opencontainers.image.base.name': 'docker.io/library/debian:12' },
      }),
    ),
  );
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...imageManifest, annotations: { 'org.opencontainers.image.ref.name': 'latest' } }],
    }),
  );
  return { dir: layout, base: { digest: baseLayer.digest }, added, deleting, key, token };
}

/** find(1) on the root filesystem: regular files with setuid/setgid bits, and bin-folder entries named like a tool. */
function findOnRootfs(rootfs: string, args: string[]): string[] {
  return execFileSync('find', [rootfs, '-xdev', ...args], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((p) => p.slice(rootfs.length))
    .sort();
}

function binEntriesNamed(rootfs: string, names: Set<string>): string[] {
  const dirs = ['/bin', '/sbin', '/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin'].map((d) => rootfs + d);
  const listed = execFileSync('find', [...dirs, '-maxdepth', '1', '(', '-type', 'f', '-perm', '/111', '-o', '-type', 'l', ')'], { encoding: 'utf8' });
  return listed
    .split('\n')
    .filter(Boolean)
    .filter((p) => names.has(p.slice(p.lastIndexOf('/') + 1)) || /\/pip3\.\d+$/.test(p))
    .map((p) => p.slice(rootfs.length))
    .sort();
}

describe('image checks on a real Debian image with a secret added and deleted', { skip: skip ?? false }, () => {
  let work: string;
  let debian: DebianImage;
  let built: Built;
  let db: VulnDatabase;

  before(async () => {
    debian = await ensureDebianImage();
    work = mkdtempSync(join(tmpdir(), 'aspis-image-checks-'));
    built = await buildImage(debian, work);
    db = VulnDatabase.open(join(work, 'osv.sqlite'), { create: true });
  });
  after(() => {
    db?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const scan = (yaml?: string): Promise<ScannedImage> => {
    const cwd = mkdtempSync(join(work, 'cwd-'));
    if (yaml !== undefined) writeFileSync(join(cwd, '.aspis.yaml'), yaml);
    return scanOneImage(`oci:${built.dir}:latest`, db, { config: loadImageCheckSetup({ cwd }), now: NOW });
  };

  it('reports exactly the facts of the image, with layer, path and line for secrets, and never their bytes', async () => {
    const report = await scan();
    assert.deepEqual(report.problems, []);
    const byCheck = (id: string) => report.findings.filter((f) => f.checkId === id);
    assert.ok(report.findings.every((f) => f.resource.kind === 'ContainerImage' && f.resource.name === `oci:${built.dir}:latest` && !f.waiver));

    // Secrets: the deleted key (line 2 of a file of layer 2 of 3) and the token still in the image, in walk order
    // (top layer first, tar order within a layer); nothing in Debian itself.
    assert.deepEqual(
      byCheck('image-secrets-in-layers').map((f) => [f.path, f.evidence]),
      [
        ['status.secrets[0]', { rule: 'private-key', layerDigest: built.added.digest, path: '/root/.ssh/id_deploy', line: 2, inFinalFilesystem: false }],
        ['status.secrets[1]', { rule: 'github-token', layerDigest: built.added.digest, path: '/app/.env', line: 2, inFinalFilesystem: true }],
      ],
    );
    assert.match(byCheck('image-secrets-in-layers').find((f) => (f.evidence as { rule: string }).rule === 'private-key')!.message, /deleted or replaced by a later layer, still in the image/);
    const text = JSON.stringify(report);
    const keyBody = built.key.split('\n').filter((l) => l !== '' && !l.startsWith('-----')).join('');
    for (const secret of [keyBody, built.token]) {
      for (let i = 0; i + 12 <= secret.length; i++) assert.ok(!text.includes(secret.slice(i, i + 12)), 'a piece of a secret is in the report');
    }

    // Setuid/setgid: what find -perm /6000 sees on the Debian root filesystem, plus the helper of the added layer.
    const expectedSetuid = [...findOnRootfs(debian.rootfs, ['-type', 'f', '-perm', '/6000']), '/usr/local/bin/helper'].sort();
    assert.ok(expectedSetuid.length > 5, 'Debian ships setuid programs (su, passwd, mount)');
    assert.deepEqual(byCheck('image-setuid-files').map((f) => (f.evidence as { path: string }).path).sort(), expectedSetuid);
    const helper = byCheck('image-setuid-files').find((f) => (f.evidence as { path: string }).path === '/usr/local/bin/helper')!;
    assert.deepEqual(helper.evidence, { path: '/usr/local/bin/helper', layerDigest: built.added.digest, mode: '4755', uid: 0, gid: 0 });

    // Shells and package managers: what find lists in the bin folders of the root filesystem.
    const shells = binEntriesNamed(debian.rootfs, SHELLS);
    const managers = binEntriesNamed(debian.rootfs, PACKAGE_MANAGERS);
    assert.ok(shells.includes('/usr/bin/sh') && managers.includes('/usr/bin/dpkg') && managers.includes('/usr/bin/apt-get'));
    assert.deepEqual(byCheck('image-shell-present').map((f) => [f.path, f.evidence]), [['status.shells', shells]]);
    assert.deepEqual(byCheck('image-package-manager-present').map((f) => [f.path, f.evidence]), [['status.packageManagers', managers]]);

    // The config sets no User; the base is named by tag only; the layout names the image latest; Debian 12 is supported.
    assert.deepEqual(byCheck('image-runs-as-root').map((f) => f.path), ['status.config']);
    assert.deepEqual(byCheck('image-base-unpinned').map((f) => [f.path, f.evidence]), [['status.baseImage', { name: 'docker.io/library/debian:12' }]]);
    assert.deepEqual(byCheck('image-reference-latest').map((f) => f.path), ['spec.tags[0]']);
    assert.deepEqual(byCheck('image-os-end-of-life'), []);
    assert.deepEqual(
      [...new Set(report.findings.map((f) => f.checkId))].sort(),
      ['image-base-unpinned', 'image-package-manager-present', 'image-reference-latest', 'image-runs-as-root', 'image-secrets-in-layers', 'image-setuid-files', 'image-shell-present'],
    );
    assert.equal(report.packages.length, debian.dpkgPackages.length, 'the packages are still catalogued');
  });

  it('.aspis.yaml: a disabled check does not run, a severity override applies, an exception waives with its reason; errors are problems', async () => {
    const report = await scan(
      [
        'checks:',
        '  disable: [image-package-manager-present]',
        '  severity: {image-setuid-files: high}',
        'exceptions:',
        '  - checks: [image-shell-present]',
        '    resources: {kinds: [ContainerImage], names: ["oci:*"]}',
        '    reason: debug image, shell needed by the on-call runbook',
        '    owner: platform-team',
        '  - checks: [image-runs-as-root]',
        '    resources: {kinds: [Deployment]}',
        '    reason: a manifest exception, not an image one',
        '  - checks: [image-runs-as-rooot]',
        '    reason: typo',
        '',
      ].join('\n'),
    );
    assert.deepEqual(report.problems, ['.aspis.yaml:12:14: exceptions[2].checks[0]: "image-runs-as-rooot" names no check (did you mean "image-runs-as-root"?)']);
    assert.deepEqual(report.findings.filter((f) => f.checkId === 'image-package-manager-present'), []);
    const setuid = report.findings.filter((f) => f.checkId === 'image-setuid-files');
    assert.ok(setuid.length > 0 && setuid.every((f) => f.severity === 'high'));
    assert.deepEqual(
      report.findings.filter((f) => f.waiver).map((f) => [f.checkId, f.waiver]),
      [['image-shell-present', { source: 'config', reason: 'debug image, shell needed by the on-call runbook', owner: 'platform-team', declaredAt: '.aspis.yaml:5' }]],
    );
    assert.equal(report.findings.filter((f) => f.checkId === 'image-runs-as-root' && !f.waiver).length, 1, 'the Deployment exception does not waive the image');
    // The Deployment exception is not about images, and the typo is a problem already: neither is listed again.
    assert.deepEqual(report.checkWaivers, []);
  });
});

/**
 * A real Debian 12 image for tests, built once and cached (debootstrap takes a minute or more):
 *   debootstrap --variant=minbase bookworm ROOTFS MIRROR      (MIRROR: the apt source ending in /debian)
 *   umoci init/new/unpack/repack/config                       → OCI layout, one gzip layer, ref name "12"
 *   skopeo copy                                                → docker-archive, oci-archive, zstd OCI layout
 * into ~/.cache/aspis/images/<DEBIAN_IMAGE_VERSION>/ ($ASPIS_TEST_IMAGE_CACHE overrides the parent folder).
 * Concurrent test files wait on a lock folder; a half-built image is rebuilt.
 *
 *   const image = await ensureDebianImage();   // throws with the reason when it cannot be built (not root, no
 *                                              // debootstrap/umoci/skopeo, mirror unreachable)
 *   image.rootfs             the root filesystem (compare with dpkg-query --admindir=rootfs/var/lib/dpkg)
 *   image.layout             OCI layout folder; `oci:${image.layout}:12`
 *   image.zstdLayout         the same image with a zstd layer; `oci:${image.zstdLayout}:12-zstd`
 *   image.dockerArchive      docker-save archive (uncompressed layer named by its diff id), tag aspis/debian:12
 *   image.ociArchive         OCI archive; `oci-archive:${image.ociArchive}:12`
 *   image.dpkgPackages       `dpkg-query -W` of the rootfs: name, version, source name and version
 *
 * Build it ahead of the tests with `npx tsx test/harness/debian-image.ts` (prints the folder and build time).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);

/** Bump to rebuild every cached copy (e.g. when the build steps change). */
export const DEBIAN_IMAGE_VERSION = 'debian-12-minbase-v1';
export const DEBIAN_LAYOUT_TAG = '12';

export interface DpkgPackage {
  readonly name: string;
  readonly version: string;
  readonly sourceName: string;
  readonly sourceVersion: string;
  readonly architecture: string;
}

export interface DebianImage {
  readonly dir: string;
  readonly rootfs: string;
  readonly layout: string;
  readonly zstdLayout: string;
  readonly dockerArchive: string;
  readonly ociArchive: string;
  readonly dpkgPackages: readonly DpkgPackage[];
}

export function imageCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.ASPIS_TEST_IMAGE_CACHE ?? join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'aspis', 'images');
}

/** Why the image cannot be built here, or undefined when it can (or already is). */
export function debianImageUnavailable(): string | undefined {
  if (existsSync(join(imageCacheRoot(), DEBIAN_IMAGE_VERSION, 'done'))) return undefined;
  if (process.getuid?.() !== 0) return 'building the Debian test image needs root (debootstrap)';
  for (const tool of ['/usr/sbin/debootstrap', '/usr/bin/umoci', '/usr/bin/skopeo']) {
    if (!existsSync(tool)) return `${tool} is missing: apt-get install debootstrap umoci skopeo`;
  }
  return undefined;
}

export async function ensureDebianImage(): Promise<DebianImage> {
  const dir = join(imageCacheRoot(), DEBIAN_IMAGE_VERSION);
  if (!existsSync(join(dir, 'done'))) {
    const why = debianImageUnavailable();
    if (why) throw new Error(why);
    await withLock(`${dir}.lock`, async () => {
      if (!existsSync(join(dir, 'done'))) await build(dir);
    });
  }
  return describe(dir);
}

function describe(dir: string): DebianImage {
  const dpkgPackages = readFileSync(join(dir, 'dpkg-query.tsv'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name, version, sourceName, sourceVersion, architecture] = line.split('\t');
      return { name: name!, version: version!, sourceName: sourceName!, sourceVersion: sourceVersion!, architecture: architecture! };
    });
  return {
    dir,
    rootfs: join(dir, 'rootfs'),
    layout: join(dir, 'oci'),
    zstdLayout: join(dir, 'oci-zstd'),
    dockerArchive: join(dir, 'docker-archive.tar'),
    ociArchive: join(dir, 'oci-archive.tar'),
    dpkgPackages,
  };
}

async function build(dir: string): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const rootfs = join(dir, 'rootfs');
  const started = Date.now();
  const step = async (command: string, args: string[], cwd = dir): Promise<void> => {
    try {
      await run(command, args, { cwd, maxBuffer: 64 * 1024 ** 2 });
    } catch (error) {
      const e = error as { stderr?: string; stdout?: string; message: string };
      throw new Error(`${command} ${args.join(' ')} failed: ${e.message}\n${(e.stderr ?? '').slice(-4000)}${(e.stdout ?? '').slice(-2000)}`);
    }
  };
  await step('debootstrap', ['--variant=minbase', 'bookworm', rootfs, debianMirror()]);
  const layout = join(dir, 'oci');
  const bundle = join(dir, 'bundle');
  const image = `${layout}:${DEBIAN_LAYOUT_TAG}`;
  await step('umoci', ['init', '--layout', layout]);
  await step('umoci', ['new', '--image', image]);
  await step('umoci', ['unpack', '--image', image, bundle]);
  rmSync(join(bundle, 'rootfs'), { recursive: true, force: true });
  await step('cp', ['-a', rootfs, join(bundle, 'rootfs')]);
  await step('umoci', ['repack', '--image', image, bundle]);
  rmSync(bundle, { recursive: true, force: true });
  await step('umoci', [
    'config',
    '--image',
    image,
    '--os',
    'linux',
    '--architecture',
    'amd64',
    '--config.cmd',
    'bash',
    '--config.env',
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  ]);
  await step('umoci', ['gc', '--layout', layout]);
  await step('skopeo', ['copy', '-q', `oci:${image}`, `docker-archive:${join(dir, 'docker-archive.tar')}:aspis/debian:${DEBIAN_LAYOUT_TAG}`]);
  await step('skopeo', ['copy', '-q', `oci:${image}`, `oci-archive:${join(dir, 'oci-archive.tar')}:${DEBIAN_LAYOUT_TAG}`]);
  await step('skopeo', ['copy', '-q', '--dest-compress-format', 'zstd', '--dest-compress', `oci:${image}`, `oci:${join(dir, 'oci-zstd')}:${DEBIAN_LAYOUT_TAG}-zstd`]);
  const { stdout } = await run('dpkg-query', ['--admindir', join(rootfs, 'var/lib/dpkg'), '-W', '-f', '${Package}\t${Version}\t${source:Package}\t${source:Version}\t${Architecture}\n'], {
    maxBuffer: 16 * 1024 ** 2,
  });
  writeFileSync(join(dir, 'dpkg-query.tsv'), stdout);
  writeFileSync(join(dir, 'done'), `${JSON.stringify({ version: DEBIAN_IMAGE_VERSION, buildSeconds: Math.round((Date.now() - started) / 1000) })}\n`);
}

/** The Debian archive apt uses here: the `URIs:` line ending in /debian of debian.sources (the others may be off). */
export function debianMirror(): string {
  try {
    const sources = readFileSync('/etc/apt/sources.list.d/debian.sources', 'utf8');
    const uri = sources
      .split('\n')
      .map((line) => /^URIs:\s*(\S+)/.exec(line)?.[1])
      .find((u) => u !== undefined && /\/debian\/?$/.test(u));
    if (uri) return uri;
  } catch {
    // Fall through to the default.
  }
  return 'http://deb.debian.org/debian';
}

/** A lock folder held by one process; a lock whose owner is dead, or older than 30 minutes, is taken over. */
export async function withLock<T>(lock: string, body: () => Promise<T>): Promise<T> {
  mkdirSync(join(lock, '..'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      const owner = Number(readFileSync(join(lock, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
      const stale = !owner || !alive(owner) || Date.now() - statSync(lock).mtimeMs > 30 * 60_000;
      if (stale) rmSync(lock, { recursive: true, force: true });
      else await sleep(1000);
    }
  }
  try {
    return await body();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const image = await ensureDebianImage();
  process.stdout.write(`${image.dir} (${image.dpkgPackages.length} packages) ready in ${Math.round((Date.now() - started) / 1000)} s\n`);
}

/**
 * Image (b) of issue 6: image (a) (test/harness/debian-image.ts, Debian 12 minbase) plus ONE layer holding old,
 * known-vulnerable packages installed by their own tools from their registries. Built once and cached under
 * ~/.cache/aspis/images/<version>-<content key> ($ASPIS_TEST_IMAGE_CACHE overrides the parent folder); the key
 * hashes the recipe below, so changing a pin rebuilds it.
 *
 * How the layer is made (all as root, nothing pulled from a container registry):
 *   cp -a (a)/oci → oci;  umoci unpack --image oci:12 bundle          the root filesystem of (a), with umoci's mtree
 *   chroot bundle/rootfs apt-get install python3-yaml …              Debian packages from Debian's archive: python3
 *                                                                     and PyYAML owned by dpkg (dist-packages)
 *   pip install --target rootfs/usr/local/lib/python3.11/dist-packages --only-binary :all: PINNED_PYPI
 *       the HOST's pip (3.11, the image's Python minor) from PyPI: minbase has no pip, and --target writes the
 *       same dist-info folders the image's own pip would write into /usr/local (Debian's site folder for pip)
 *   npm install --prefix rootfs/app PINNED_NPM                       the HOST's npm from the npm registry
 *   go build (CGO_ENABLED=0) with PINNED_GO → rootfs/usr/local/bin/vulnerable-go-app   Go module proxy
 *   umoci repack --image oci:12-vulnerable bundle                    umoci diffs the tree: one new gzip layer
 *                                                                     (added files, and whiteouts for apt's removed
 *                                                                     lists/caches)
 * The bundle's rootfs is kept as `rootfs`: the root filesystem the oracles (dpkg-query, pip list, npm ls,
 * go version -m) run on.
 *
 *   const image = await ensureVulnerableImage();   // throws with the reason when it cannot be built
 *   image.layout / VULNERABLE_LAYOUT_TAG           `oci:${image.layout}:12-vulnerable`
 *   image.rootfs, image.sitePackages, image.appDir, image.goBinary
 *
 * Build it ahead of the tests with `npx tsx test/harness/vulnerable-image.ts`.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DEBIAN_LAYOUT_TAG, debianImageUnavailable, ensureDebianImage, imageCacheRoot, withLock } from './debian-image.js';

const run = promisify(execFile);

/** Debian packages installed with apt in the layer: Python itself, and a Python library packaged by Debian. */
export const PINNED_DEBIAN = ['python3-yaml', 'python3-six'];
/** Old PyPI releases with advisories in the osv-advisories corpus (requests < 2.20.0, urllib3, Jinja2, certifi …). */
export const PINNED_PYPI = ['requests==2.19.1', 'urllib3==1.23', 'idna==2.7', 'chardet==3.0.4', 'certifi==2018.4.16', 'Jinja2==2.10', 'MarkupSafe==2.1.3', 'Django==3.2', 'asgiref==3.8.1', 'sqlparse==0.4.1', 'pytz==2021.1'];
/** Old npm releases with advisories in the corpus (lodash, minimist, express → path-to-regexp, jsonwebtoken, ws …). */
export const PINNED_NPM = ['lodash@4.17.4', 'minimist@0.0.8', 'express@4.16.0', 'jsonwebtoken@8.5.1', 'ws@7.4.5', 'moment@2.29.1', 'axios@0.21.1', 'json5@2.1.0'];
/** A Go program linking old golang.org/x/net, golang.org/x/text and gopkg.in/yaml.v2 (the build picks x/text by MVS). */
export const GO_MAIN = `package main

import (
	"fmt"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v2"
)

func main() {
	var v map[string]string
	_ = yaml.Unmarshal([]byte("a: b"), &v)
	doc, _ := html.Parse(strings.NewReader("<p>hi</p>"))
	fmt.Println(language.English, v, doc.Type)
}
`;
export const GO_MOD = `module example.com/aspis/vulnerable-go-app

go 1.21

require (
	golang.org/x/net v0.1.0
	gopkg.in/yaml.v2 v2.2.2
)
`;

export const VULNERABLE_LAYOUT_TAG = '12-vulnerable';
const VERSION = 'debian-12-vulnerable-v1';
const SITE_PACKAGES = 'usr/local/lib/python3.11/dist-packages';

export interface VulnerableImage {
  readonly dir: string;
  readonly layout: string;
  readonly rootfs: string;
  /** Where pip installed the PINNED_PYPI packages. */
  readonly sitePackages: string;
  /** Debian's own Python library folder (packages owned by dpkg). */
  readonly debianDistPackages: string;
  readonly appDir: string;
  readonly goBinary: string;
}

function recipe(): string {
  return JSON.stringify({ VERSION, PINNED_DEBIAN, PINNED_PYPI, PINNED_NPM, GO_MAIN, GO_MOD });
}

export function vulnerableImageDir(): string {
  return join(imageCacheRoot(), `${VERSION}-${createHash('sha256').update(recipe()).digest('hex').slice(0, 12)}`);
}

/** Why image (b) cannot be built here, or undefined when it can (or already is). */
export function vulnerableImageUnavailable(): string | undefined {
  if (existsSync(join(vulnerableImageDir(), 'done'))) return undefined;
  const base = debianImageUnavailable();
  if (base) return base;
  for (const tool of ['pip3', 'npm', 'go', 'chroot']) {
    if (!whichSync(tool)) return `${tool} is missing (needed to build the vulnerable test image)`;
  }
  return undefined;
}

function whichSync(tool: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, tool)));
}

export async function ensureVulnerableImage(): Promise<VulnerableImage> {
  const dir = vulnerableImageDir();
  if (!existsSync(join(dir, 'done'))) {
    const why = vulnerableImageUnavailable();
    if (why) throw new Error(why);
    await withLock(`${dir}.lock`, async () => {
      if (!existsSync(join(dir, 'done'))) await build(dir);
    });
  }
  return describe(dir);
}

function describe(dir: string): VulnerableImage {
  const rootfs = join(dir, 'rootfs');
  return {
    dir,
    layout: join(dir, 'oci'),
    rootfs,
    sitePackages: join(rootfs, SITE_PACKAGES),
    debianDistPackages: join(rootfs, 'usr/lib/python3/dist-packages'),
    appDir: join(rootfs, 'app'),
    goBinary: join(rootfs, 'usr/local/bin/vulnerable-go-app'),
  };
}

async function step(command: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<string> {
  try {
    const { stdout } = await run(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, maxBuffer: 64 * 1024 ** 2, timeout: 900_000 });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${e.message}\n${(e.stderr ?? '').slice(-4000)}${(e.stdout ?? '').slice(-2000)}`);
  }
}

async function build(dir: string): Promise<void> {
  const base = await ensureDebianImage();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const layout = join(dir, 'oci');
  const bundle = join(dir, 'bundle');
  await step('cp', ['-a', base.layout, layout]);
  await step('umoci', ['unpack', '--image', `${layout}:${DEBIAN_LAYOUT_TAG}`, bundle]);
  const rootfs = join(bundle, 'rootfs');

  // Debian packages through the image's own apt and dpkg (network to Debian's archive only).
  const resolv = join(rootfs, 'etc/resolv.conf');
  const hadResolv = existsSync(resolv);
  const savedResolv = hadResolv ? readFileSync(resolv) : undefined;
  copyFileSync('/etc/resolv.conf', resolv);
  try {
    const env = { DEBIAN_FRONTEND: 'noninteractive', PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
    await step('chroot', [rootfs, 'apt-get', 'update', '-qq'], { env });
    await step('chroot', [rootfs, 'apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...PINNED_DEBIAN], { env });
    await step('chroot', [rootfs, 'apt-get', 'clean'], { env });
  } finally {
    if (savedResolv) writeFileSync(resolv, savedResolv);
    else rmSync(resolv, { force: true });
  }
  rmSync(join(rootfs, 'var/lib/apt/lists'), { recursive: true, force: true });
  mkdirSync(join(rootfs, 'var/lib/apt/lists/partial'), { recursive: true });

  // PyPI, with the host's pip: binary wheels only, exactly the pinned set (no resolver surprises).
  await step('pip3', ['install', '--quiet', '--no-input', '--disable-pip-version-check', '--no-deps', '--only-binary', ':all:', '--target', join(rootfs, SITE_PACKAGES), ...PINNED_PYPI]);

  // npm, with the host's npm, as an application folder.
  const app = join(rootfs, 'app');
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'vulnerable-app', version: '1.0.0', private: true }, null, 2)}\n`);
  await step('npm', ['install', '--save-exact', '--ignore-scripts', '--no-audit', '--no-fund', ...PINNED_NPM], { cwd: app });

  // Go, from the module proxy; built outside the image, only the binary goes in.
  const goDir = mkdtempSync(join(tmpdir(), 'aspis-vulnerable-go-'));
  try {
    writeFileSync(join(goDir, 'main.go'), GO_MAIN);
    writeFileSync(join(goDir, 'go.mod'), GO_MOD);
    const env = { CGO_ENABLED: '0', GOFLAGS: '-mod=mod', GOARCH: 'amd64' };
    await step('go', ['mod', 'tidy'], { cwd: goDir, env });
    await step('go', ['build', '-trimpath', '-o', join(rootfs, 'usr/local/bin/vulnerable-go-app'), '.'], { cwd: goDir, env });
  } finally {
    rmSync(goDir, { recursive: true, force: true });
  }

  await step('umoci', ['repack', '--image', `${layout}:${VULNERABLE_LAYOUT_TAG}`, bundle]);
  await step('umoci', ['config', '--image', `${layout}:${VULNERABLE_LAYOUT_TAG}`, '--config.workingdir', '/app']);
  await step('umoci', ['gc', '--layout', layout]);
  await step('mv', [rootfs, join(dir, 'rootfs')]);
  rmSync(bundle, { recursive: true, force: true });
  writeFileSync(join(dir, 'done'), `${JSON.stringify({ version: VERSION, buildSeconds: Math.round((Date.now() - started) / 1000) })}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const image = await ensureVulnerableImage();
  process.stdout.write(`${image.dir} ready in ${Math.round((Date.now() - started) / 1000)} s\n`);
}

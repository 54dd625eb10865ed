/**
 * Issue 6, verification (b): image (a) plus a layer of old, known-vulnerable packages installed by apt, pip, npm
 * and go (test/harness/vulnerable-image.ts). Oracles, run on the image's root filesystem:
 *   dpkg-query -W (admin dir of the rootfs), pip list --path (each site folder), npm ls --all --json (the app),
 *   go version -m (the binary): Aspis's package list must equal theirs, every name and version;
 * and the osv-advisories corpus: the advisories `aspis scan image` reports for each package must be exactly those
 * whose records (read here from the corpus files, evaluated with node-semver and @renovatebot/pep440, not with
 * Aspis's comparators) affect the installed version.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import yaml from 'js-yaml';
import semver from 'semver';
import * as pep440 from '@renovatebot/pep440';
import { ensureVulnerableImage, vulnerableImageUnavailable, VULNERABLE_LAYOUT_TAG, type VulnerableImage } from '../../harness/vulnerable-image.js';
import { runCli } from '../../cli/run-cli.js';
import { readImage, type ReadImageResult } from '../../../src/sources/image/read-image.js';
import { unmatchableVersions } from '../../../src/vuln/matching/unmatchable-versions.js';

const CORPUS = ['/work/shared/corpora/osv-advisories', join(dirname(new URL(import.meta.url).pathname), '../../../../shared/corpora/osv-advisories')].find((d) => existsSync(join(d, 'index.csv')));
const skip = vulnerableImageUnavailable() ?? (CORPUS ? undefined : 'the osv-advisories corpus is not here');

const run = (command: string, args: string[], cwd = '/'): string => execFileSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
const pep503 = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

function pipList(site: string): string[] {
  const listed = JSON.parse(run('pip3', ['list', '--path', site, '--format', 'json', '--disable-pip-version-check'])) as Array<{ name: string; version: string }>;
  return listed.map((p) => `${p.name} ${p.version}`).sort();
}

interface LsNode { version?: string; path?: string; dependencies?: Record<string, LsNode> }

/** npm ls --all --json (--long adds each folder's path): one package per installed folder, as npm counts them. */
function npmLs(app: string): string[] {
  const byPath = new Map<string, string>();
  const walk = (node: LsNode): void => {
    for (const [name, child] of Object.entries(node.dependencies ?? {})) {
      if (!child.path) continue;
      byPath.set(child.path, `${name} ${child.version}`);
      walk(child);
    }
  };
  walk(JSON.parse(run('npm', ['ls', '--all', '--json', '--long'], app)) as LsNode);
  return [...byPath.values()].sort();
}

/** go version -m: the main module, each dependency (after its replacement) and stdlib at the toolchain version. */
function goVersionM(binary: string): string[] {
  const lines = run('go', ['version', '-m', binary]).split('\n');
  const modules = [`stdlib ${lines[0]!.split(': ')[1]!.trim()}`];
  for (const line of lines.slice(1)) {
    const [, kind, path, version] = line.split('\t');
    if (kind === 'mod' || kind === 'dep') modules.push(`${path} ${version}`);
    else if (kind === '=>') modules[modules.length - 1] = `${path} ${version || '(devel)'}`;
  }
  return modules.sort();
}

const lines = (packages: ReadImageResult['catalog']['packages'], ecosystem: string, where?: (p: { locations: readonly { path: string }[] }) => boolean): string[] =>
  packages
    .filter((p) => p.ecosystem === ecosystem && (!where || where(p)))
    .map((p) => `${p.name} ${p.version}`)
    .sort();

// ----- the advisory oracle: corpus records evaluated with the ecosystems' own libraries -----

interface Event { introduced?: string; fixed?: string; last_affected?: string; limit?: string }
interface Record_ { id: string; withdrawn?: unknown; affected?: Array<{ package?: { ecosystem?: string; name?: string }; versions?: string[]; ranges?: Array<{ type: string; events: Event[] }> }> }

function corpusRows(): Array<{ id: string; ecosystem: string; name: string; path: string }> {
  return readFileSync(join(CORPUS!, 'index.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((row) => {
      const [id, ecosystem, name, path] = row.split(',');
      return { id: id!, ecosystem: ecosystem!, name: name!, path: path! };
    });
}

function readRecord(path: string): Record_ {
  const text = readFileSync(join(CORPUS!, path), 'utf8');
  return (path.endsWith('.yaml') ? yaml.load(text, { schema: yaml.JSON_SCHEMA }) : JSON.parse(text)) as Record_;
}

/** The order of each ecosystem by a library that is not Aspis's: node-semver (npm, Go SEMVER) and PEP 440. */
function libraryCompare(ecosystem: string): (a: string, b: string) => number {
  if (ecosystem === 'PyPI') return (a, b) => pep440.compare(a, b);
  // Go installs say v1.2.3 and name toolchains go1.21.3 / go1.21rc2; the Go database writes 1.2.3 / 1.21.0-rc.2.
  const clean = (v: string): string => {
    const release = /^go(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(beta|rc)(\d+))?$/.exec(v);
    const s = release ? `${release[1]}.${release[2] ?? 0}.${release[3] ?? 0}${release[4] ? `-${release[4]}.${release[5]}` : ''}` : v.replace(/^v/, '');
    return semver.valid(s) ?? semver.coerce(s)?.version ?? s;
  };
  return (a, b) => semver.compare(clean(a), clean(b));
}

/** OSV's evaluation (events in order; introduced opens, fixed closes, last_affected closes after) with library order. */
function affects(record: Record_, ecosystem: string, name: string, version: string): boolean {
  const compare = libraryCompare(ecosystem);
  for (const affected of record.affected ?? []) {
    const pkg = affected.package;
    if (pkg?.ecosystem !== ecosystem || (ecosystem === 'PyPI' ? pep503(pkg.name ?? '') !== pep503(name) : pkg.name !== name)) continue;
    if (affected.versions?.includes(version)) return true;
    for (const range of affected.ranges ?? []) {
      if (range.type === 'GIT') continue;
      let vulnerable = false;
      const events = range.events
        .filter((e) => e.limit === undefined)
        .map((e) => ({ kind: Object.keys(e)[0] as keyof Event, value: Object.values(e)[0] as string }))
        .sort((a, b) => (a.value === '0' ? -1 : b.value === '0' ? 1 : compare(a.value, b.value)));
      for (const { kind, value } of events) {
        if (kind === 'introduced' && (value === '0' || compare(version, value) >= 0)) vulnerable = true;
        else if (kind === 'fixed' && compare(version, value) >= 0) vulnerable = false;
        else if (kind === 'last_affected' && compare(version, value) > 0) vulnerable = false;
      }
      if (vulnerable) return true;
    }
  }
  return false;
}

describe('image (b): old vulnerable Python, npm and Go packages on Debian 12', { skip: skip ?? false, timeout: 900_000 }, () => {
  let image: VulnerableImage;
  let result: ReadImageResult;
  let work: string;
  const reference = (): string => `oci:${image.layout}:${VULNERABLE_LAYOUT_TAG}`;

  before(async () => {
    image = await ensureVulnerableImage();
    work = mkdtempSync(join(tmpdir(), 'aspis-vulnerable-image-'));
    result = await readImage(reference(), { cacheDir: work });
  });
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('is image (a) plus one layer', () => {
    assert.equal(result.image.layers.length, 2);
    assert.deepEqual(result.problemLines, []);
  });

  it('Debian packages equal dpkg-query -W on the root filesystem (python3 and python3-yaml added by the layer)', () => {
    const dpkg = run('dpkg-query', ['--admindir', join(image.rootfs, 'var/lib/dpkg'), '-W', '-f', '${Package} ${Version}\n']).split('\n').filter(Boolean).sort();
    assert.ok(dpkg.some((l) => l.startsWith('python3-yaml ')));
    assert.deepEqual(lines(result.catalog.packages, 'Debian'), dpkg);
  });

  it('PyPI packages equal pip list --path of the pip site folder; those in Debian dist-packages are their dpkg package', () => {
    const local = '/usr/local/lib/python3.11/dist-packages/';
    assert.deepEqual(lines(result.catalog.packages, 'PyPI', (p) => p.locations.every((l) => l.path.startsWith(local))), pipList(image.sitePackages));
    assert.deepEqual(lines(result.catalog.packages, 'PyPI'), pipList(image.sitePackages), 'no other PyPI package is reported');
    // Debian's python3-yaml and python3-six: pip sees them in dist-packages; dpkg owns their metadata.
    const debian = pipList(image.debianDistPackages);
    assert.equal(debian.length, 2);
    for (const entry of debian) {
      const [name, version] = entry.split(' ');
      const metadata = ['dist-info/METADATA', 'egg-info/PKG-INFO'].map((m) => `/usr/lib/python3/dist-packages/${name}-${version}.${m}`).find((p) => existsSync(join(image.rootfs, p)))!;
      const owner = run('dpkg-query', ['--admindir', join(image.rootfs, 'var/lib/dpkg'), '-S', metadata]).split(':')[0]!;
      const dpkgPackage = result.catalog.packages.find((p) => p.ecosystem === 'Debian' && p.name === owner);
      assert.ok(dpkgPackage, owner);
      assert.match(dpkgPackage.metadata?.['languagePackages'] ?? '', new RegExp(`pkg:pypi/${pep503(name!)}@${version!.replace(/\./g, '\\.')}`), `${owner} lists ${entry}`);
    }
  });

  it('npm packages equal npm ls --all --json in the app folder', () => {
    const expected = npmLs(image.appDir);
    assert.ok(expected.length > 50);
    assert.deepEqual(lines(result.catalog.packages, 'npm'), expected);
  });

  it('Go modules equal go version -m of the binary; its (devel) main module is reported as not matchable, with the reason', () => {
    assert.deepEqual(lines(result.catalog.packages, 'Go'), goVersionM(image.goBinary));
    const unmatched = unmatchableVersions(result.catalog.packages);
    assert.deepEqual(unmatched.map((u) => `${u.package.name} ${u.package.version}`), ['example.com/aspis/vulnerable-go-app (devel)']);
    assert.match(unmatched[0]!.reason, /development build/);
  });

  it('aspis scan image reports exactly the corpus advisories that affect each installed PyPI, npm and Go version', () => {
    // The corpus records of every package in the image (real files, unchanged), imported as users import them.
    const installed = result.catalog.packages.filter((p) => ['PyPI', 'npm', 'Go'].includes(p.ecosystem));
    const keys = new Set(installed.map((p) => `${p.ecosystem}\u0000${p.ecosystem === 'PyPI' ? pep503(p.name) : p.name}`));
    const rows = corpusRows().filter((r) => keys.has(`${r.ecosystem}\u0000${r.ecosystem === 'PyPI' ? pep503(r.name) : r.name}`));
    const records = join(work, 'osv');
    for (const row of rows) {
      mkdirSync(join(records, dirname(row.path)), { recursive: true });
      copyFileSync(join(CORPUS!, row.path), join(records, row.path));
    }
    const db = join(work, 'osv.sqlite');
    const imported = runCli(['db', 'import', records, '--db', db]);
    assert.equal(imported.code, 0, imported.stderr);

    const expected: string[] = [];
    for (const p of installed) {
      const ids = new Set(rows.filter((r) => r.ecosystem === p.ecosystem && (p.ecosystem === 'PyPI' ? pep503(r.name) === pep503(p.name) : r.name === p.name)).map((r) => r.path));
      for (const path of ids) {
        const record = readRecord(path);
        if (!record.withdrawn && p.version !== '(devel)' && affects(record, p.ecosystem, p.name, p.version)) expected.push(`${p.ecosystem} ${p.name} ${p.version} ${record.id}`);
      }
    }
    assert.ok(expected.length >= 40, `the pins were chosen to be vulnerable (${expected.length} advisories)`);
    for (const [ecosystem, name] of [['PyPI', 'requests'], ['PyPI', 'urllib3'], ['PyPI', 'Jinja2'], ['npm', 'lodash'], ['npm', 'minimist'], ['Go', 'golang.org/x/net']]) {
      assert.ok(expected.some((e) => e.startsWith(`${ecosystem} ${name} `)), `${ecosystem} ${name} has advisories in the corpus`);
    }

    const scan = runCli(['scan', 'image', reference(), '--db', db, '-o', 'json']);
    assert.equal(scan.code, 0, scan.stderr);
    const report = JSON.parse(scan.stdout) as { vulnerabilities: Array<{ id: string; records: string[]; package: { ecosystem: string; name: string; version: string } }>; notes?: string[] };
    // The (devel) main module cannot be matched: a note in the JSON and on stderr, not a problem (exit 0 above).
    assert.equal(report.notes?.length, 1);
    assert.match(report.notes![0]!, /^Go package example\.com\/aspis\/vulnerable-go-app \(devel\): not matched against the vulnerability database: .*development build/);
    assert.ok(scan.stderr.includes(`aspis: note: ${report.notes![0]}`), scan.stderr);
    const reported = report.vulnerabilities
      .filter((v) => ['PyPI', 'npm', 'Go'].includes(v.package.ecosystem))
      .flatMap((v) => v.records.map((id) => `${v.package.ecosystem} ${v.package.name} ${v.package.version} ${id}`));
    assert.deepEqual([...new Set(reported)].sort(), [...new Set(expected)].sort());
  });
});

/**
 * A real Debian 12 image (debootstrap → umoci → skopeo, test/harness/debian-image.ts) read through every source:
 * OCI layout (gzip and zstd layers), OCI archive, docker-save archive, and Debian's docker-registry on loopback.
 * Oracles: the root filesystem itself (the final file list) and dpkg-query run on it (the packages).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';
import { debianImageUnavailable, ensureDebianImage, type DebianImage } from '../../harness/debian-image.js';
import { registryAvailable, startRegistry, type TestRegistry } from '../../harness/registry.js';
import { runCli } from '../../cli/run-cli.js';
import { openImage } from '../../../src/sources/image/open-image.js';
import { readImage } from '../../../src/sources/image/read-image.js';
import { walkLayers } from '../../../src/image/layer-walk.js';
import { readSbomPackages } from '../../../src/image/sbom/sbom-packages.js';
import { VulnDatabase } from '../../../src/store/vuln-db/vuln-database.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv | Ajv2019) => void;
const skip = debianImageUnavailable() ?? registryAvailable();
const here = dirname(fileURLToPath(import.meta.url));

/** name version source source-version, as dpkg-query prints them, sorted. */
function dpkgOracle(image: DebianImage): string[] {
  return image.dpkgPackages.map((p) => `${p.name} ${p.version} ${p.sourceName} ${p.sourceVersion}`).sort();
}

function packageLines(packages: readonly { name: string; version: string; sourceName?: string; sourceVersion?: string; ecosystem: string }[]): string[] {
  return packages
    .filter((p) => p.ecosystem === 'Debian')
    .map((p) => `${p.name} ${p.version} ${p.sourceName ?? p.name} ${p.sourceVersion ?? p.version}`)
    .sort();
}

describe('real Debian 12 image', { skip: skip ?? false, timeout: 600_000 }, () => {
  let image: DebianImage;
  let registry: TestRegistry;
  let work: string;

  before(async () => {
    image = await ensureDebianImage();
    registry = await startRegistry();
    await registry.pushOciLayout(image.layout, 'aspis/debian', '12');
    work = mkdtempSync(join(tmpdir(), 'aspis-debian-test-'));
  });
  after(async () => {
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('the final filesystem of the OCI layout is exactly the root filesystem (paths, types, sizes)', async () => {
    const opened = await openImage(`oci:${image.layout}:12`);
    const walk = await walkLayers({ layers: opened.layers, open: (l) => opened.openLayer(l), wants: () => false });
    assert.deepEqual(walk.problems, []);
    const ours = [...walk.view.entries()].map((e) => `${e.file.path} ${e.kind === 'hardlink' ? 'file' : e.kind} ${e.kind === 'file' ? e.file.size : ''}`).sort();
    const find = execFileSync('find', ['.', '-mindepth', '1', '-printf', '/%P %y %s\\n'], { cwd: image.rootfs, encoding: 'utf8', maxBuffer: 64 << 20 });
    const theirs = find
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [path, type, size] = line.split(' ');
        const kind = { d: 'directory', f: 'file', l: 'symlink' }[type!] ?? 'other';
        return `${path} ${kind} ${kind === 'file' ? size : ''}`;
      })
      // A hard link's second name carries no size in the tar: compare the first name's size only.
      .sort();
    const hardlinked = new Set([...walk.view.entries()].filter((e) => e.kind === 'hardlink').map((e) => e.file.path));
    const strip = (line: string): string => (hardlinked.has(line.split(' ')[0]!) ? line.replace(/ \d+$/, ' ') : line);
    assert.equal(ours.length, theirs.length);
    assert.deepEqual(ours.map(strip), theirs.map(strip));
  });

  const sources = (): [string, string, Record<string, unknown>][] => [
    ['OCI layout (gzip)', `oci:${image.layout}:12`, {}],
    ['OCI layout (zstd)', `oci:${image.zstdLayout}:12-zstd`, {}],
    ['OCI archive', `oci-archive:${image.ociArchive}:12`, {}],
    ['docker-save archive', image.dockerArchive, {}],
    ['registry (plain HTTP on loopback)', `${registry.host}/aspis/debian:12`, { insecure: true }],
  ];

  it('every source yields dpkg-query -W of the root filesystem, with source packages, and the OS', async () => {
    for (const [label, input, options] of sources()) {
      const result = await readImage(input, { ...options, cacheDir: work });
      assert.deepEqual(result.problemLines, [], label);
      assert.deepEqual(packageLines(result.catalog.packages), dpkgOracle(image), label);
      assert.equal(result.catalog.os?.id, 'debian', label);
      assert.equal(result.catalog.os?.versionId, '12', label);
      assert.equal(result.stats.rereadPasses, 0, `${label}: /etc/os-release → ../usr/lib/os-release is kept in the one pass`);
    }
    assert.deepEqual(readdirSync(join(work, 'tmp')), [], 'spilled files are removed after each scan');
  });

  it('aspis sbom -o cyclonedx is valid CycloneDX 1.6 and reads back to the same packages', () => {
    const out = join(work, 'debian.cdx.json');
    const run = runCli(['sbom', `oci:${image.layout}:12`, '-o', 'cyclonedx', '--output-file', out]);
    assert.equal(run.code, 0, run.stderr);
    const document = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    const validate = cycloneDxValidator();
    assert.ok(validate(document), JSON.stringify(validate.errors?.slice(0, 3)));
    assert.equal(document.specVersion, '1.6');
    assert.equal(validate({ ...document, components: [{ type: 'library' }] }), false, 'the validator rejects a component without a name');
    const back = readSbomPackages(readFileSync(out, 'utf8'), out);
    assert.deepEqual(back.errors, []);
    assert.deepEqual(packageLines(back.packages), dpkgOracle(image));
    assert.ok(back.packages.every((p) => p.ecosystem !== 'Debian' || p.distroRelease === '12'));
  });

  it('aspis sbom -o spdx is valid SPDX 2.3 and reads back to the same packages', () => {
    const out = join(work, 'debian.spdx.json');
    const run = runCli(['sbom', image.dockerArchive, '-o', 'spdx', '--output-file', out]);
    assert.equal(run.code, 0, run.stderr);
    const document = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    const validate = spdxValidator();
    assert.ok(validate(document), JSON.stringify(validate.errors?.slice(0, 3)));
    assert.equal(validate({ ...document, packages: [{ SPDXID: 'SPDXRef-x' }] }), false, 'the validator rejects a package without a name');
    const back = readSbomPackages(readFileSync(out, 'utf8'), out);
    assert.deepEqual(back.errors, []);
    assert.deepEqual(packageLines(back.packages), dpkgOracle(image));
  });

  it('aspis scan sbom and scan image match the packages against the database (source package, release)', () => {
    const sbom = join(work, 'scan.cdx.json');
    assert.equal(runCli(['sbom', `oci:${image.layout}:12`, '--output-file', sbom]).code, 0);
    const zlib = image.dpkgPackages.find((p) => p.name === 'zlib1g')!;
    // A record in the shape of Debian's OSV export: it names the SOURCE package (zlib), fixed in a later version.
    const records = join(work, 'osv');
    execFileSync('mkdir', ['-p', records]);
    writeFileSync(
      join(records, 'DEBIAN-TEST-0001.json'),
      JSON.stringify({
        schema_version: '1.6.0',
        id: 'DEBIAN-TEST-0001',
        modified: '2024-01-01T00:00:00Z',
        summary: 'test advisory on the zlib source package',
        affected: [{ package: { ecosystem: 'Debian:12', name: 'zlib' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: `${zlib.sourceVersion}+aspis1` }] }] }],
      }),
    );
    const db = join(work, 'osv.sqlite');
    assert.equal(runCli(['db', 'import', records, '--db', db]).code, 0);
    const run = runCli(['scan', 'sbom', sbom, '--db', db, '-o', 'json', '--fail-on', 'low']);
    const report = JSON.parse(run.stdout) as { packages: unknown[]; vulnerabilities: { id: string; package: { name: string } }[] };
    assert.equal(report.packages.length, image.dpkgPackages.length);
    assert.deepEqual(
      report.vulnerabilities.map((v) => `${v.id} ${v.package.name}`),
      ['DEBIAN-TEST-0001 zlib1g'],
    );
    assert.equal(run.code, 0, 'severity unknown does not reach --fail-on low');
    VulnDatabase.open(db).close();

    const scan = runCli(['scan', 'image', `${registry.host}/aspis/debian:12`, '--insecure', '--db', db, '-o', 'json']);
    assert.equal(scan.code, 0, scan.stderr);
    const direct = JSON.parse(scan.stdout) as typeof report & { target: { os: string; manifestDigest: string } };
    assert.equal(direct.target.os, 'Debian GNU/Linux 12 (bookworm)');
    assert.match(direct.target.manifestDigest, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(
      direct.vulnerabilities.map((v) => `${v.id} ${v.package.name}`),
      ['DEBIAN-TEST-0001 zlib1g'],
    );
    const table = runCli(['scan', 'image', `oci:${image.layout}:12`, '--db', db]);
    assert.match(table.stdout, new RegExp(`: ${image.dpkgPackages.length} packages, 1 vulnerabilities \\(1 unknown\\)`));
    assert.match(table.stdout, /UNKNOWN\s+DEBIAN-TEST-0001\s+zlib1g/);
  });
});

function cycloneDxValidator(): ValidateFunction {
  const require = createRequire(import.meta.url);
  const schemaDir = join(dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res/schema');
  const load = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(schemaDir, name), 'utf8')) as Record<string, unknown>;
  // The bundled copies refer to each other by their SNAPSHOT file names: register them under those.
  const referenced = (name: string): Record<string, unknown> => {
    const { $id: _id, ...schema } = load(name);
    return schema;
  };
  const ajv = new Ajv({ strict: false, allErrors: false });
  addFormats(ajv);
  // draft 2019 formats the 1.6 schema uses that ajv-formats does not define; checked as plain strings.
  ajv.addFormat('iri-reference', true);
  ajv.addFormat('idn-email', true);
  for (const name of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json', 'cryptography-defs.SNAPSHOT.schema.json']) {
    ajv.addSchema(referenced(name), `http://cyclonedx.org/schema/${name}`);
  }
  return ajv.compile(load('bom-1.6.SNAPSHOT.schema.json'));
}

function spdxValidator(): ValidateFunction {
  const ajv = new Ajv2019({ strict: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(here, 'schemas/spdx-schema-v2.3.json'), 'utf8')) as object);
}

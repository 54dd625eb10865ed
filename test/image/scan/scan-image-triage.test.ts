/**
 * `aspis scan image` with triage on the real Debian 12 image (test/harness/debian-image.ts), read from its OCI layout.
 * The shared OSV corpus has no Debian records (its PROVENANCE.md), so the database holds records in the shape of
 * Debian's OSV export, naming real source packages of the image relative to the versions dpkg-query reports:
 * fixed after the installed version (affected), no fix (affected, unfixed), and fixed before it (not affected).
 * (Source packages whose binaries are binNMUs, such as bash 5.2.15-2+b13 from source 5.2.15-2, are avoided here: the
 * matcher compares their binary version, see the report of this change.)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { debianImageUnavailable, ensureDebianImage, type DebianImage } from '../../harness/debian-image.js';
import { runCli } from '../../cli/run-cli.js';
import { cycloneDx16Validator, publishedSchemaValidator, sarifValidator } from './report-validators.js';

const skip = debianImageUnavailable();

describe('aspis scan image: triage and outputs on the real Debian 12 image', { skip: skip ?? false, timeout: 600_000 }, () => {
  let image: DebianImage;
  let work: string;
  let db: string;
  let input: string;
  let manifestDigest: string;
  /** The JSON of the first test (no triage), reused to save a scan. */
  let plainJson = '{"packages": []}';
  const scan = (args: string[]) => runCli(['scan', 'image', input, '--db', db, ...args], { cwd: work });
  const source = (name: string) => image.dpkgPackages.find((p) => p.sourceName === name)!;

  before(async () => {
    image = await ensureDebianImage();
    input = `oci:${image.layout}:12`;
    work = mkdtempSync(join(tmpdir(), 'aspis-scan-image-triage-'));
    mkdirSync(join(work, 'osv'));
    const record = (id: string, name: string, events: Record<string, string>[], vector: string) =>
      writeFileSync(
        join(work, 'osv', `${id}.json`),
        JSON.stringify({
          schema_version: '1.6.0',
          id,
          aliases: [id.replace(/^DEBIAN-/, '')],
          modified: '2026-01-01T00:00:00Z',
          severity: [{ type: 'CVSS_V3', score: vector }],
          affected: [{ package: { ecosystem: 'Debian:12', name }, ranges: [{ type: 'ECOSYSTEM', events }] }],
        }),
      );
    record('DEBIAN-CVE-2099-0001', 'zlib', [{ introduced: '0' }, { fixed: `${source('zlib').sourceVersion}+aspis1` }], 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
    record('DEBIAN-CVE-2099-0002', 'glibc', [{ introduced: '0' }], 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N');
    record('DEBIAN-CVE-2099-0003', 'tar', [{ introduced: '0' }, { fixed: `${source('tar').sourceVersion}+aspis1` }], 'CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N');
    record('DEBIAN-CVE-2099-0004', 'dpkg', [{ introduced: '0' }, { fixed: '1.0' }], 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
    db = join(work, 'osv.sqlite');
    assert.equal(runCli(['db', 'import', join(work, 'osv'), '--db', db]).code, 0);
    const index = JSON.parse(readFileSync(join(image.layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    manifestDigest = index.manifests[0]!.digest;
  });
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('JSON: every binary package of an affected source package, nothing for a fixed one; --ignore-unfixed drops exactly the unfixed', () => {
    const run = scan(['-o', 'json']);
    plainJson = run.stdout;
    const report = JSON.parse(run.stdout) as { vulnerabilities: { id: string; severity: string; fixedVersions: string[]; package: { name: string } }[]; findings: unknown[]; summary: { filtered: { unfixed: number } } };
    const validate = publishedSchemaValidator('image-scan.schema.json');
    assert.ok(validate(report), JSON.stringify(validate.errors?.slice(0, 3)));
    const expected = [
      ...image.dpkgPackages.filter((p) => p.sourceName === 'zlib').map((p) => `CVE-2099-0001 ${p.name}`),
      ...image.dpkgPackages.filter((p) => p.sourceName === 'glibc').map((p) => `CVE-2099-0002 ${p.name}`),
      ...image.dpkgPackages.filter((p) => p.sourceName === 'tar').map((p) => `CVE-2099-0003 ${p.name}`),
    ].sort();
    assert.ok(expected.length >= 4, 'glibc has several binary packages in minbase (libc6, libc-bin)');
    assert.deepEqual(report.vulnerabilities.map((v) => `${v.id} ${v.package.name}`).sort(), expected);
    assert.ok(report.findings.length > 0, 'the image check findings are in the same report');
    const fixedOnly = JSON.parse(scan(['-o', 'json', '--ignore-unfixed']).stdout) as typeof report;
    assert.deepEqual(fixedOnly.vulnerabilities.map((v) => `${v.id} ${v.package.name}`).sort(), expected.filter((k) => !k.startsWith('CVE-2099-0002')));
    assert.equal(fixedOnly.summary.filtered.unfixed, expected.length - fixedOnly.vulnerabilities.length);
  });

  it('VEX naming the image by pkg:oci digest with a subcomponent suppresses that package only; --fail-on follows', () => {
    writeFileSync(
      join(work, 'image.openvex.json'),
      JSON.stringify({
        '@context': 'https://openvex.dev/ns/v0.2.0',
        '@id': 'https://example.com/vex/debian-12',
        author: 'base image team',
        timestamp: '2026-11-01T00:00:00Z',
        statements: [
          {
            vulnerability: { name: 'CVE-2099-0001' },
            products: [{ '@id': `pkg:oci/debian@${encodeURIComponent(manifestDigest)}`, subcomponents: [{ '@id': 'pkg:deb/debian/zlib1g' }] }],
            status: 'not_affected',
            justification: 'vulnerable_code_not_in_execute_path',
          },
        ],
      }),
    );
    const failing = scan(['--fail-on', 'critical']);
    assert.equal(failing.code, 1);
    const run = scan(['--fail-on', 'critical', '--vex', 'image.openvex.json', '-o', 'json']);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { suppressed: { id: string; package: { name: string }; vex: { status: string } }[]; vulnerabilities: { id: string }[] };
    assert.deepEqual(report.suppressed.map((v) => `${v.id} ${v.package.name} ${v.vex.status}`), ['CVE-2099-0001 zlib1g not_affected']);
    assert.ok(!report.vulnerabilities.some((v) => v.id === 'CVE-2099-0001'));
  });

  it('SARIF locates each vulnerability at the file the package was found in (dpkg database) and its layer, with a rule per check too', () => {
    const packages = (JSON.parse(plainJson) as { packages: { name: string; locations: { path: string; layerDigest: string }[] }[] }).packages;
    const where = packages.find((p) => p.name === 'zlib1g')!.locations[0]!;
    const log = JSON.parse(scan(['-o', 'sarif']).stdout) as {
      runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; locations: { physicalLocation?: { artifactLocation: { uri: string; uriBaseId?: string } }; logicalLocations: { kind: string; name: string }[] }[] }[] }[];
    };
    const validate = sarifValidator();
    assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 3)));
    const run = log.runs[0]!;
    const zlib = run.results.find((r) => r.ruleId === 'CVE-2099-0001')!;
    assert.match(where.path, /^\/var\/lib\/dpkg\//);
    assert.deepEqual(zlib.locations[0]!.physicalLocation?.artifactLocation, { uri: encodeURI(where.path.slice(1)), uriBaseId: 'IMAGEROOT' });
    assert.equal(zlib.locations[0]!.logicalLocations.find((l) => l.kind === 'layer')!.name, where.layerDigest);
    const ids = run.tool.driver.rules.map((r) => r.id);
    assert.ok(ids.includes('CVE-2099-0001') && ids.includes('image-runs-as-root'), ids.join(', '));
  });

  it('CycloneDX 1.6 of the image: valid, the packages with their locations, vulnerabilities affecting them by bom-ref', () => {
    const run = scan(['-o', 'cyclonedx', '--vex', 'image.openvex.json', '--output-file', 'bom.json']);
    assert.equal(run.stdout, '');
    const bom = JSON.parse(readFileSync(join(work, 'bom.json'), 'utf8')) as {
      metadata: { component: { type: string; version?: string } };
      components: { 'bom-ref': string; name: string; properties?: { name: string; value: string }[] }[];
      vulnerabilities: { id: string; affects: { ref: string }[]; analysis?: { state: string } }[];
    };
    const validate = cycloneDx16Validator();
    assert.ok(validate(bom), JSON.stringify(validate.errors?.slice(0, 3)));
    assert.deepEqual(bom.metadata.component, { ...bom.metadata.component, type: 'container', version: manifestDigest });
    assert.equal(bom.components.length, image.dpkgPackages.length);
    const names = new Map(bom.components.map((c) => [c['bom-ref'], c]));
    const zlib = bom.vulnerabilities.find((v) => v.id === 'CVE-2099-0001')!;
    const component = names.get(zlib.affects[0]!.ref)!;
    assert.equal(component.name, 'zlib1g');
    assert.ok(component.properties?.some((p) => p.name === 'aspis:location:path' && p.value === '/var/lib/dpkg/status'));
    assert.equal(zlib.analysis?.state, 'not_affected');
  });
});

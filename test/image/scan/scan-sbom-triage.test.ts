/**
 * `aspis scan sbom` with triage, on real data: the Ubuntu OSV records of the shared corpus
 * (../shared/corpora/osv-advisories/ubuntu, real records from canonical/ubuntu-security-notices) and an SBOM in
 * syft's shape (purls with distro and upstream qualifiers) listing packages at the versions Ubuntu 22.04 released
 * with. Oracles: the records themselves (which package is affected in Ubuntu:22.04:LTS, whether a fixed version
 * exists), the official CycloneDX 1.6 and SARIF 2.1.0 schemas, and the published docs/image-scan.schema.json.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusDir } from '../../corpora/corpus-location.js';
import { runCli } from '../../cli/run-cli.js';
import { cycloneDx16Validator, publishedSchemaValidator, sarifValidator } from './report-validators.js';

/** Binary package, version as released in 22.04 (jammy), source package. */
const JAMMY: [string, string, string][] = [
  ['libc6', '2.35-0ubuntu3', 'glibc'],
  ['zlib1g', '1:1.2.11.dfsg-2ubuntu9', 'zlib'],
  ['sudo', '1.9.9-1ubuntu2', 'sudo'],
  ['openssh-client', '1:8.9p1-3', 'openssh'],
  ['dpkg', '1.21.1ubuntu2', 'dpkg'],
  ['libssl3', '3.0.2-0ubuntu1', 'openssl'],
  ['nodejs', '12.22.9~dfsg-1ubuntu3', 'nodejs'],
  ['ovmf', '2022.02-3', 'edk2'],
  ['bash', '5.1-6ubuntu1', 'bash'],
];

interface OsvEvent { introduced?: string; fixed?: string }
interface OsvRecord { id: string; affected: { package: { ecosystem: string; name: string }; ranges?: { events: OsvEvent[] }[] }[] }

/** From the records alone: which (CVE, binary package) pairs concern these source packages in Ubuntu 22.04, and whether a fix exists. */
function recordOracle(records: OsvRecord[]): Map<string, { fixed: boolean }> {
  const out = new Map<string, { fixed: boolean }>();
  for (const record of records) {
    for (const affected of record.affected) {
      if (affected.package.ecosystem !== 'Ubuntu:22.04:LTS') continue;
      for (const [binary, , source] of JAMMY) {
        if (source !== affected.package.name) continue;
        const fixed = (affected.ranges ?? []).some((r) => r.events.some((e) => e.fixed !== undefined));
        out.set(`${record.id} ${binary}`, { fixed });
      }
    }
  }
  return out;
}

interface Vuln { id: string; severity: string; package: { name: string; purl?: string }; fixedVersions: string[]; vex?: { status: string; declaredAt: string }; waiver?: { declaredAt: string; reason: string } }
interface ScanJson { summary: { vulnerabilities: number; suppressed: number; filtered: { severity: number; unfixed: number } }; vulnerabilities: Vuln[]; suppressed: Vuln[]; waivers: { declaredAt: string; id: string; status: string; message: string }[]; problems: string[]; vex: { statements: number }[] }

describe('aspis scan sbom: VEX, waivers, filters and outputs on real Ubuntu advisories', { timeout: 300_000 }, () => {
  let work: string;
  let db: string;
  let sbom: string;
  let oracle: Map<string, { fixed: boolean }>;
  const scan = (args: string[], cwd?: string) => runCli(['scan', 'sbom', sbom, '--db', db, ...args], cwd ? { cwd } : {});
  const keys = (list: Vuln[]) => list.map((v) => `${v.id} ${v.package.name}`).sort();

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'aspis-scan-sbom-triage-'));
    const ubuntu = join(corpusDir('osv-advisories'), 'ubuntu');
    oracle = recordOracle(readdirSync(ubuntu).map((f) => JSON.parse(readFileSync(join(ubuntu, f), 'utf8')) as OsvRecord));
    db = join(work, 'osv.sqlite');
    const imported = runCli(['db', 'import', ubuntu, '--db', db]);
    assert.equal(imported.code, 0, imported.stderr);
    sbom = join(work, 'jammy.cdx.json');
    const components = JAMMY.map(([name, version, source]) => ({
      type: 'library',
      'bom-ref': name,
      name,
      version,
      purl: `pkg:deb/ubuntu/${name}@${encodeURIComponent(version)}?arch=amd64&distro=ubuntu-22.04${source !== name ? `&upstream=${source}` : ''}`,
    }));
    writeFileSync(sbom, JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components }, null, 2));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('reports exactly what the records say for Ubuntu 22.04, valid against the published schema; --fail-on decides the exit code', () => {
    const run = scan(['-o', 'json', '--fail-on', 'critical']);
    assert.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout) as ScanJson;
    const validate = publishedSchemaValidator('image-scan.schema.json');
    assert.ok(validate(report), JSON.stringify(validate.errors?.slice(0, 3)));
    assert.ok(oracle.size >= 8, 'the corpus holds the Ubuntu 22.04 records this test is about');
    assert.deepEqual(keys(report.vulnerabilities), [...oracle.keys()].sort());
    assert.deepEqual(report.vulnerabilities.find((v) => v.id === 'CVE-2023-4911')?.fixedVersions, ['2.35-0ubuntu3.4']);
    assert.equal(validate({ ...report, summary: { ...report.summary, suppressed: 'none' } }), false, 'the schema has teeth');
  });

  it('--ignore-unfixed leaves out exactly the vulnerabilities the records give no fixed version, and counts them', () => {
    const report = JSON.parse(scan(['-o', 'json', '--ignore-unfixed']).stdout) as ScanJson;
    const withFix = [...oracle].filter(([, v]) => v.fixed).map(([k]) => k).sort();
    assert.ok(withFix.length < oracle.size, 'some have no fix (nodejs and edk2 in 22.04)');
    assert.deepEqual(keys(report.vulnerabilities), withFix);
    assert.equal(report.summary.filtered.unfixed, oracle.size - withFix.length);
  });

  it('--severity keeps only the ratings asked for (a filter that leaves nothing is not an error), an unknown rating is a usage error', () => {
    const all = JSON.parse(scan(['-o', 'json']).stdout) as ScanJson;
    const high = JSON.parse(scan(['-o', 'json', '--severity', 'critical,HIGH']).stdout) as ScanJson;
    assert.deepEqual(keys(high.vulnerabilities), keys(all.vulnerabilities.filter((v) => v.severity === 'critical' || v.severity === 'high')));
    assert.equal(high.summary.filtered.severity, all.vulnerabilities.length - high.vulnerabilities.length);
    assert.ok(high.summary.filtered.severity > 0);
    const none = scan(['--severity', 'info', '--fail-on', 'info']);
    assert.equal(none.code, 0, 'nothing rated info: nothing to fail on');
    assert.match(none.stdout, /0 vulnerabilities/);
    assert.match(none.stdout, new RegExp(`Not shown: ${all.vulnerabilities.length} outside --severity`));
    const bad = scan(['--severity', 'severe']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--severity: "severe" is not a severity/);
  });

  it('VEX not_affected (the latest statement) and waivers in force suppress, reported with what suppressed them; an expired waiver does not; none reach --fail-on', () => {
    writeFileSync(
      join(work, 'app.openvex.json'),
      JSON.stringify(
        {
          '@context': 'https://openvex.dev/ns/v0.2.0',
          '@id': 'https://example.com/vex/jammy-1',
          author: 'platform team',
          timestamp: '2026-10-01T00:00:00Z',
          statements: [
            { vulnerability: { name: 'CVE-2023-4911' }, products: [{ '@id': 'pkg:deb/ubuntu/libc6' }], status: 'affected', action_statement: 'upgrade glibc' },
            {
              vulnerability: { name: 'CVE-2023-4911' },
              timestamp: '2026-11-01T00:00:00Z',
              products: [{ '@id': 'pkg:deb/ubuntu/libc6?arch=amd64' }],
              status: 'not_affected',
              justification: 'vulnerable_code_not_in_execute_path',
              impact_statement: 'no setuid program runs in this image',
            },
            { vulnerability: { name: 'CVE-2023-38408' }, products: [{ '@id': 'pkg:deb/ubuntu/openssh-client' }], status: 'under_investigation' },
          ],
        },
        null,
        2,
      ),
    );
    writeFileSync(
      join(work, '.aspis.yaml'),
      [
        'vulnerabilities:',
        '  vex: [app.openvex.json]',
        '  exceptions:',
        '    - id: CVE-2023-22809',
        '      package: pkg:deb/ubuntu/sudo',
        '      reason: sudoedit is not installed for any user',
        '      owner: team-base',
        '      expires: 2099-12-31',
        '    - id: CVE-2022-1664',
        '      reason: dpkg never runs on untrusted archives',
        '      expires: 2025-06-30',
        '    - id: CVE-1999-0001',
        '      reason: left over',
        '',
      ].join('\n'),
    );
    const run = scan(['-o', 'json', '--fail-on', 'high'], work);
    const report = JSON.parse(run.stdout) as ScanJson;
    assert.deepEqual(report.problems, []);
    assert.deepEqual(report.vex.map((d) => d.statements), [3], 'the VEX file named in .aspis.yaml, relative to it');
    assert.deepEqual(
      report.suppressed.map((v) => [v.id, v.package.name, v.vex?.status ?? `waiver ${v.waiver?.declaredAt}`]),
      [
        ['CVE-2023-4911', 'libc6', 'not_affected'],
        ['CVE-2023-22809', 'sudo', 'waiver .aspis.yaml:4'],
      ],
    );
    assert.equal(report.suppressed[0]?.vex?.declaredAt, 'app.openvex.json:19', 'the not_affected statement (line of its object)');
    assert.ok(keys(report.vulnerabilities).includes('CVE-2022-1664 dpkg'), 'the expired waiver no longer applies');
    assert.equal(report.vulnerabilities.find((v) => v.id === 'CVE-2023-38408')?.vex?.status, 'under_investigation');
    assert.deepEqual(
      report.waivers.map((w) => [w.declaredAt, w.status]),
      [
        ['.aspis.yaml:9', 'expired'],
        ['.aspis.yaml:12', 'unused'],
      ],
    );
    assert.equal(report.summary.vulnerabilities + report.summary.suppressed, oracle.size);
    assert.equal(run.code, 1, 'critical ones remain');

    // Suppressing the rest of what is at or above high makes --fail-on high pass.
    const rest = [...report.vulnerabilities, ...report.suppressed.filter((v) => v.waiver)].filter((v) => v.severity === 'critical' || v.severity === 'high');
    writeFileSync(
      join(work, 'rest.yaml'),
      ['vulnerabilities:', '  vex: [app.openvex.json]', '  exceptions:', ...rest.flatMap((v) => [`    - id: ${v.id}`, `      package: ${v.package.name}`, '      reason: accepted for the test'])].join('\n'),
    );
    const passing = scan(['--fail-on', 'high', '-c', 'rest.yaml'], work);
    assert.equal(passing.code, 0, passing.stdout + passing.stderr);
    assert.match(passing.stdout, /Suppressed:/);
    assert.match(passing.stdout, /VEX not_affected \(vulnerable_code_not_in_execute_path\) at app\.openvex\.json:19/);
  });

  it('a bad VEX statement or config entry is an error naming file:line and field (exit 2), the rest still applies', () => {
    writeFileSync(
      join(work, 'bad.openvex.json'),
      JSON.stringify({
        '@context': 'https://openvex.dev/ns/v0.2.0',
        '@id': 'x',
        author: 'a',
        timestamp: '2026-10-01T00:00:00Z',
        statements: [
          { vulnerability: { name: 'CVE-2023-4911' }, products: [{ '@id': 'pkg:deb/ubuntu/libc6' }], status: 'not_affected', justification: 'vulnerable_code_not_present' },
          { vulnerability: { name: 'CVE-2022-1664' }, products: [{ '@id': 'pkg:deb/ubuntu/dpkg' }], status: 'not_affected' },
        ],
      }),
    );
    writeFileSync(join(work, 'bad.yaml'), 'vulnerabilities:\n  exceptions:\n    - id: CVE-2023-22809\n      expires: someday\n      reason: x\n');
    const run = scan(['-o', 'json', '--vex', 'bad.openvex.json', '-c', 'bad.yaml', '--vex', 'missing.json'], work);
    assert.equal(run.code, 2);
    const report = JSON.parse(run.stdout) as ScanJson;
    assert.deepEqual(report.problems, [
      'bad.yaml:4:16: vulnerabilities.exceptions[0].expires: "someday" is not an ISO 8601 date (2027-01-31) or date-time with an offset (2027-01-31T18:00:00Z)',
      'bad.openvex.json:1:274: statements[1].justification: a not_affected statement needs a justification or an impact_statement; the statement is ignored',
      'missing.json: cannot read the VEX document: no such file',
    ]);
    assert.deepEqual(report.suppressed.map((v) => v.id), ['CVE-2023-4911'], 'the valid statement still applies');
    assert.ok(keys(report.vulnerabilities).includes('CVE-2023-22809 sudo'), 'the invalid waiver is left out, so it waives nothing');
    assert.match(run.stderr, /aspis: bad\.openvex\.json:1:274: statements\[1\]\.justification/);
  });

  it('SARIF: valid 2.1.0, one rule per vulnerability id, suppressions for VEX and waivers', () => {
    const run = scan(['-o', 'sarif'], work);
    const log = JSON.parse(run.stdout) as { runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; suppressions?: { justification: string }[]; locations: { logicalLocations: { fullyQualifiedName: string }[] }[] }[] }[] };
    const validate = sarifValidator();
    assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 3)));
    const [sarifRun] = log.runs;
    assert.deepEqual(sarifRun!.tool.driver.rules.map((r) => r.id), [...new Set([...oracle.keys()].map((k) => k.split(' ')[0]!))].sort());
    assert.equal(sarifRun!.results.length, oracle.size);
    const suppressed = sarifRun!.results.filter((r) => r.suppressions).map((r) => `${r.ruleId} ${r.suppressions![0]!.justification}`);
    assert.deepEqual(suppressed.sort(), ['CVE-2023-22809 sudoedit is not installed for any user', 'CVE-2023-4911 VEX not_affected: vulnerable_code_not_in_execute_path (no setuid program runs in this image)']);
    const libc = sarifRun!.results.find((r) => r.ruleId === 'CVE-2023-4911')!;
    assert.match(libc.locations[0]!.logicalLocations[0]!.fullyQualifiedName, /^pkg:deb\/ubuntu\/libc6@/);
  });

  it('CycloneDX 1.6: valid against the official schema, one vulnerability per affected package with its rating and analysis', () => {
    const run = scan(['-o', 'cyclonedx'], work);
    const bom = JSON.parse(run.stdout) as {
      specVersion: string;
      components: { 'bom-ref': string; purl?: string }[];
      vulnerabilities: { id: string; ratings: { score?: number; severity: string; method: string; vector?: string }[]; affects: { ref: string }[]; analysis?: { state: string; justification?: string; response?: string[] } }[];
    };
    const validate = cycloneDx16Validator();
    assert.ok(validate(bom), JSON.stringify(validate.errors?.slice(0, 3)));
    assert.equal(bom.specVersion, '1.6');
    assert.equal(bom.vulnerabilities.length, oracle.size);
    const refOf = new Map(bom.components.map((c) => [c['bom-ref'], c.purl ?? '']));
    const byKey = new Map(bom.vulnerabilities.map((v) => [`${v.id} ${/pkg:deb\/ubuntu\/([^@]+)/.exec(refOf.get(v.affects[0]!.ref) ?? '')?.[1]}`, v]));
    assert.deepEqual([...byKey.keys()].sort(), [...oracle.keys()].sort(), 'affects names the component by bom-ref');
    assert.deepEqual(byKey.get('CVE-2023-4911 libc6')?.analysis, { state: 'not_affected', justification: 'code_not_reachable', detail: 'no setuid program runs in this image; OpenVEX statement at app.openvex.json:19' });
    assert.deepEqual(byKey.get('CVE-2023-22809 sudo')?.analysis?.response, ['will_not_fix']);
    assert.equal(byKey.get('CVE-2023-22809 sudo')?.analysis?.state, 'exploitable');
    assert.equal(byKey.get('CVE-2023-38408 openssh-client')?.analysis?.state, 'in_triage');
    assert.deepEqual(byKey.get('CVE-2022-37434 zlib1g')?.ratings, [{ score: 9.8, severity: 'critical', method: 'CVSSv31', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }]);
  });
});

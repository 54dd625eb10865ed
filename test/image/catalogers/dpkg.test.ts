import { it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { bytesContent, type CatalogInput } from '../../../src/image/catalogers/cataloger.js';
import { dpkgCataloger } from '../../../src/image/catalogers/dpkg.js';
import { catalogImage } from '../../../src/image/catalogers/catalog-image.js';
import { osReleaseCataloger } from '../../../src/image/catalogers/os-release.js';
import { directoryInputs } from './directory-inputs.js';

const hasDpkg = existsSync('/var/lib/dpkg/status');

it("dpkg cataloger on this machine's database equals dpkg-query -W (binary:Package, Version, source:Package)", { skip: !hasDpkg && 'no dpkg database here' }, async () => {
  const expected = execFileSync('dpkg-query', ['-W', '-f', '${db:Status-Abbrev} ${binary:Package} ${Version} ${source:Package} ${source:Version}\n'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => /^.i/.test(l) || /^.[HUFWt]/.test(l))
    .map((l) => l.slice(4))
    .sort();
  const inputs = directoryInputs('/', [dpkgCataloger, osReleaseCataloger], { subdirs: ['etc', 'usr/lib/os-release', 'var/lib/dpkg', 'usr/share/doc'] });
  const result = await catalogImage(inputs, [dpkgCataloger]);
  assert.deepEqual(result.problems, []);
  const actual = result.packages
    .map((p) => {
      const binary = p.metadata?.['multiArch'] === 'same' ? `${p.name}:${p.metadata['architecture']}` : p.name;
      return `${binary} ${p.version} ${p.sourceName ?? p.name} ${p.sourceVersion ?? p.version}`;
    })
    .sort();
  assert.ok(expected.length > 50);
  assert.deepEqual(actual, expected);
  // Every package is matched as the release this machine runs, with a deb purl naming its source.
  assert.equal(result.os?.id, 'debian');
  const libc = result.packages.find((p) => p.name === 'libc6');
  assert.ok(libc);
  assert.equal(libc.ecosystem, 'Debian');
  assert.equal(libc.sourceName, 'glibc');
  assert.equal(libc.distroRelease, result.os?.versionId);
  assert.match(libc.purl, /^pkg:deb\/debian\/libc6@[^?]+\?arch=amd64&distro=debian-\d+&upstream=glibc$/);
  // The first location is the file list dpkg wrote when it installed the package (its layer is the installing one).
  assert.equal(libc.locations[0]!.path, '/var/lib/dpkg/info/libc6:amd64.list');
  assert.ok(existsSync(libc.locations[0]!.path));
});

it('dpkg licences come from DEP-5 copyright files and common-licenses references', { skip: !hasDpkg && 'no dpkg database here' }, async () => {
  const inputs = directoryInputs('/', [dpkgCataloger], { subdirs: ['var/lib/dpkg/status', 'usr/share/doc'] });
  const { packages } = await catalogImage(inputs, [dpkgCataloger]);
  const withLicenses = packages.filter((p) => p.licenses && p.licenses.length > 0);
  assert.ok(withLicenses.length > packages.length / 2, `${withLicenses.length} of ${packages.length} packages have licences`);
  // base-files and libc6: the two conventions.
  assert.ok(packages.find((p) => p.name === 'libc6')?.licenses?.includes('LGPL-2.1'));
  const dep5 = packages.find((p) => p.name === 'dpkg');
  assert.ok(dep5?.licenses?.includes('GPL-2+'), JSON.stringify(dep5?.licenses));
});

it('distroless status.d files: one stanza each, .md5sums skipped; not-installed stanzas dropped; bad stanzas reported with line', async () => {
  const layer = 'sha256:distroless';
  const file = (path: string, text: string): CatalogInput => ({
    file: { path, mode: 0o100644, size: text.length, layerDigest: layer, uid: 0, gid: 0 },
    content: bytesContent(new TextEncoder().encode(text)),
  });
  // Stanzas as dpkg writes them (copied from this machine's status file), one per status.d file as distroless does.
  const status = execFileSync('dpkg-query', ['-s', 'base-files', 'tzdata'], { encoding: 'utf8' }).split(/\n\n/);
  const inputs = [
    file('/var/lib/dpkg/status.d/base-files', status[0]!),
    file('/var/lib/dpkg/status.d/tzdata', `${status[1]}\n\nPackage: removed-one\nStatus: deinstall ok config-files\nVersion: 1.0\n\nPackage: broken\nStatus: install ok installed\n`),
    file('/var/lib/dpkg/status.d/tzdata.md5sums', 'd41d8cd98f00b204e9800998ecf8427e  usr/share/zoneinfo/UTC\n'),
  ];
  const wanted = inputs.filter((i) => dpkgCataloger.wants(i.file));
  assert.equal(wanted.length, 2);
  const result = await dpkgCataloger.catalog(wanted, {});
  assert.deepEqual(result.packages.map((p) => p.name), ['base-files', 'tzdata']);
  assert.equal(result.problems.length, 1);
  assert.match(result.problems[0]!.path, /^\/var\/lib\/dpkg\/status\.d\/tzdata:\d+$/);
  assert.match(result.problems[0]!.message, /without Version/);
  // Without os-release: Debian ecosystem, no release (so nothing is matched against the wrong release).
  assert.equal(result.packages[0]!.ecosystem, 'Debian');
  assert.equal(result.packages[0]!.distroRelease, undefined);
});

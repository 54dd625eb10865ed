import { it } from 'node:test';
import assert from 'node:assert/strict';
import { bytesContent, type CatalogInput } from '../../../src/image/catalogers/cataloger.js';
import { catalogImage } from '../../../src/image/catalogers/catalog-image.js';
import { DEFAULT_CATALOGERS } from '../../../src/image/catalogers/default-catalogers.js';

const file = (path: string, text: string, layerDigest = 'sha256:base'): CatalogInput => {
  const bytes = new TextEncoder().encode(text);
  return { file: { path, mode: 0o100644, size: bytes.length, layerDigest, uid: 0, gid: 0 }, content: bytesContent(bytes) };
};

/** The files of Debian's python3-yaml 6.0-3 as dpkg records them, plus the same library installed again by pip. */
const INPUTS = [
  file('/etc/os-release', 'ID=debian\nVERSION_ID="12"\n'),
  file('/var/lib/dpkg/status', 'Package: python3-yaml\nStatus: install ok installed\nArchitecture: amd64\nSource: pyyaml\nVersion: 6.0-3\n\n'),
  file('/var/lib/dpkg/info/python3-yaml.list', '/.\n/usr\n/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info\n/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA\n/usr/lib/python3/dist-packages/yaml/__init__.py\n'),
  file('/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA', 'Metadata-Version: 2.1\nName: PyYAML\nVersion: 6.0\n'),
  file('/usr/local/lib/python3.11/dist-packages/PyYAML-5.3.dist-info/METADATA', 'Metadata-Version: 2.1\nName: PyYAML\nVersion: 5.3\n', 'sha256:app'),
];

it('a Python distribution whose metadata dpkg owns is reported once, as its Debian package; pip-installed ones stay', async () => {
  const catalog = await catalogImage(INPUTS, DEFAULT_CATALOGERS);
  assert.deepEqual(catalog.problems, []);
  assert.deepEqual(catalog.packages.map((p) => `${p.foundBy} ${p.name} ${p.version}`).sort(), ['dpkg python3-yaml 6.0-3', 'python PyYAML 5.3']);
  const deb = catalog.packages.find((p) => p.foundBy === 'dpkg')!;
  assert.equal(deb.metadata?.['languagePackages'], 'pkg:pypi/pyyaml@6.0');
  assert.equal(deb.sourceName, 'pyyaml', 'matched through Debian advisories on the source package');
});

it('without the dpkg database (e.g. a layer removed it) the Python distribution is reported by the python cataloger', async () => {
  const catalog = await catalogImage(INPUTS.filter((i) => !i.file.path.startsWith('/var/lib/dpkg/')), DEFAULT_CATALOGERS);
  assert.deepEqual(catalog.packages.map((p) => `${p.foundBy} ${p.name} ${p.version}`).sort(), ['python PyYAML 5.3', 'python PyYAML 6.0']);
});

it("Alpine: a py3-* package's dist-info (apk database F:/R: lines) is that Alpine package, not a second PyPI package", async () => {
  // apk-tools' installed-database format (see apk.test.ts for why it is written by hand here).
  const installed = [
    'P:py3-yaml', 'V:6.0.1-r1', 'A:x86_64', 'L:MIT', 'o:py3-yaml',
    'F:usr/lib/python3.11/site-packages/PyYAML-6.0.1.dist-info', 'R:METADATA', 'a:0:0:644', 'R:RECORD',
    'F:usr/lib/python3.11/site-packages/yaml', 'R:__init__.py', '',
  ].join('\n');
  const catalog = await catalogImage(
    [
      file('/etc/os-release', 'ID=alpine\nVERSION_ID=3.19.1\n'),
      file('/lib/apk/db/installed', installed),
      file('/usr/lib/python3.11/site-packages/PyYAML-6.0.1.dist-info/METADATA', 'Metadata-Version: 2.1\nName: PyYAML\nVersion: 6.0.1\n'),
    ],
    DEFAULT_CATALOGERS,
  );
  assert.deepEqual(catalog.problems, []);
  assert.deepEqual(catalog.packages.map((p) => `${p.foundBy} ${p.name} ${p.version} ${p.metadata?.['languagePackages'] ?? ''}`), ['apk py3-yaml 6.0.1-r1 pkg:pypi/pyyaml@6.0.1']);
});

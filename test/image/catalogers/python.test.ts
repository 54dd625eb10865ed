import { it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { bytesContent } from '../../../src/image/catalogers/cataloger.js';
import { pythonCataloger } from '../../../src/image/catalogers/python.js';
import { cachedFixture, run, toolAvailable } from '../real-fixtures.js';
import { directoryInputs } from './directory-inputs.js';

/** Old releases with known advisories (requests 2.19.1: CVE-2018-18074; Jinja2 2.10: CVE-2019-10906; …). */
const PINNED = ['requests==2.19.1', 'Jinja2==2.10', 'Django==3.2.0', 'Flask==1.0', 'PyJWT==1.5.0', 'urllib3==1.23'];

const venv = toolAvailable('python3')
  ? cachedFixture('python-venv', PINNED.join(' '), (dir) => {
      run('python3', ['-m', 'venv', join(dir, 'venv')], dir);
      run(join(dir, 'venv/bin/python'), ['-m', 'pip', 'install', '--quiet', '--no-input', ...PINNED], dir);
    })
  : { skip: 'python3 is not installed' };

function sitePackages(venvDir: string): string {
  const lib = join(venvDir, 'lib');
  return join(lib, readdirSync(lib).find((d) => d.startsWith('python'))!, 'site-packages');
}

/** pip list --path DIR: the oracle. */
function pipList(python: string, dir: string): string[] {
  const listed = JSON.parse(run(python, ['-m', 'pip', 'list', '--path', dir, '--format', 'json', '--disable-pip-version-check'], dir)) as Array<{ name: string; version: string }>;
  return listed.map((p) => `${p.name} ${p.version}`).sort();
}

it('python cataloger on a venv with pinned old packages equals pip list --path', { skip: 'skip' in venv && venv.skip }, async () => {
  const { dir } = venv as { dir: string };
  const site = sitePackages(join(dir, 'venv'));
  const inputs = directoryInputs(dir, [pythonCataloger], { subdirs: [site.slice(dir.length + 1)] });
  const result = await pythonCataloger.catalog(inputs, {});
  assert.deepEqual(result.problems, []);
  const actual = result.packages.map((p) => `${p.name} ${p.version}`).sort();
  assert.deepEqual(actual, pipList(join(dir, 'venv/bin/python'), site));
  const requests = result.packages.find((p) => p.name === 'requests')!;
  assert.equal(requests.ecosystem, 'PyPI');
  assert.equal(requests.purl, 'pkg:pypi/requests@2.19.1');
  assert.deepEqual(requests.licenses, ['Apache 2.0']);
  assert.match(requests.locations[0]!.path, /\/site-packages\/requests-2\.19\.1\.dist-info\/METADATA$/);
  assert.deepEqual(result.packages.find((p) => p.name === 'Django')!.licenses, ['BSD-3-Clause']);
});

const DIST_PACKAGES = '/usr/lib/python3/dist-packages';

it("python cataloger on this machine's Debian dist-packages (egg-info folders, one name with both kinds) equals pip list --path", { skip: (!existsSync(DIST_PACKAGES) || !toolAvailable('pip3')) && 'no Debian dist-packages or pip here' }, async () => {
  const inputs = directoryInputs('/', [pythonCataloger], { subdirs: [DIST_PACKAGES.slice(1)] });
  assert.ok(inputs.some((i) => i.file.path.endsWith('.egg-info/PKG-INFO')));
  const result = await pythonCataloger.catalog(inputs, {});
  assert.deepEqual(result.problems, []);
  assert.deepEqual(result.packages.map((p) => `${p.name} ${p.version}`).sort(), pipList('python3', DIST_PACKAGES));
});

it('python metadata without a Version is a problem naming the file; the other distributions are kept', async () => {
  const file = (path: string, text: string) => ({
    file: { path, mode: 0o100644, size: text.length, layerDigest: 'sha256:l', uid: 0, gid: 0 },
    content: bytesContent(new TextEncoder().encode(text)),
  });
  const result = await pythonCataloger.catalog(
    [
      file('/app/site-packages/broken-1.0.dist-info/METADATA', 'Metadata-Version: 2.1\nName: broken\n\nVersion: 1.0 in the body does not count\n'),
      file('/app/site-packages/single-2.0.egg-info', 'Metadata-Version: 1.0\nName: single\nVersion: 2.0\nLicense: UNKNOWN\nClassifier: License :: OSI Approved :: MIT License\n'),
    ],
    {},
  );
  assert.deepEqual(result.packages.map((p) => [p.name, p.version, p.licenses]), [['single', '2.0', ['MIT License']]]);
  assert.deepEqual(result.problems.map((p) => [p.path, p.message]), [['/app/site-packages/broken-1.0.dist-info/METADATA', 'no Version field in the metadata headers']]);
});

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesContent } from '../../../src/image/catalogers/cataloger.js';
import { phpComposerCataloger } from '../../../src/image/catalogers/php-composer.js';
import { cachedFixture, run, toolAvailable } from '../real-fixtures.js';
import { directoryInputs } from './directory-inputs.js';

// Packagist is not reachable from here, so Composer (Debian's) installs two packages from a local path
// repository; vendor/composer/installed.json is then Composer's own output.
const PACKAGES = {
  'pkgs/logger/composer.json': { name: 'acme/logger', version: '1.25.1', license: 'MIT', type: 'library' },
  'pkgs/http/composer.json': { name: 'acme/http', version: '6.5.0', license: ['MIT', 'Apache-2.0'], require: { 'acme/logger': '^1.0' } },
  'pkgs/tester/composer.json': { name: 'acme/tester', version: '9.5.0', license: 'BSD-3-Clause' },
  'app/composer.json': {
    name: 'acme/app',
    repositories: [{ 'packagist.org': false }, { type: 'path', url: '../pkgs/*', options: { symlink: false } }],
    require: { 'acme/http': '6.5.0' },
    'require-dev': { 'acme/tester': '9.5.0' },
  },
};

const project = toolAvailable('composer')
  ? cachedFixture('php-composer', JSON.stringify(PACKAGES), (dir) => {
      for (const [path, json] of Object.entries(PACKAGES)) {
        mkdirSync(join(dir, path, '..'), { recursive: true });
        writeFileSync(join(dir, path), JSON.stringify(json));
      }
      run('composer', ['install', '--no-interaction', '--quiet'], join(dir, 'app'), { COMPOSER_HOME: join(dir, 'composer-home') });
      writeFileSync(join(dir, 'composer-show.json'), run('composer', ['show', '--format=json'], join(dir, 'app'), { COMPOSER_HOME: join(dir, 'composer-home') }));
    })
  : { skip: 'composer is not installed (apt-get install composer)' };

it('php-composer cataloger on vendor/composer/installed.json equals composer show', { skip: 'skip' in project && project.skip }, async () => {
  const { dir } = project as { dir: string };
  const shown = (JSON.parse(run('cat', [join(dir, 'composer-show.json')], dir)) as { installed: Array<{ name: string; version: string }> }).installed;
  const result = await phpComposerCataloger.catalog(directoryInputs(dir, [phpComposerCataloger], { subdirs: ['app'] }), {});
  assert.deepEqual(result.problems, []);
  assert.deepEqual(result.packages.map((p) => `${p.name} ${p.version}`).sort(), shown.map((p) => `${p.name} ${p.version}`).sort());
  const http = result.packages.find((p) => p.name === 'acme/http')!;
  assert.deepEqual([http.ecosystem, http.purl, http.licenses], ['Packagist', 'pkg:composer/acme/http@6.5.0', ['MIT', 'Apache-2.0']]);
  assert.equal(result.packages.find((p) => p.name === 'acme/tester')!.metadata?.['dev'], 'true');
  assert.equal(http.locations[0]!.path, '/app/vendor/composer/installed.json');
});

it('php-composer: Composer 1 arrays are read; entries without a version and unreadable files are problems', async () => {
  const file = (path: string, text: string) => ({ file: { path, mode: 0o100644, size: text.length, layerDigest: 'sha256:l', uid: 0, gid: 0 }, content: bytesContent(new TextEncoder().encode(text)) });
  const result = await phpComposerCataloger.catalog(
    [
      file('/srv/a/vendor/composer/installed.json', JSON.stringify([{ name: 'monolog/monolog', version: '1.25.1', license: ['MIT'] }, { name: 'no/version' }])),
      file('/srv/b/vendor/composer/installed.json', '{"packages": [ {"name": '),
    ],
    {},
  );
  assert.deepEqual(result.packages.map((p) => `${p.name} ${p.version}`), ['monolog/monolog 1.25.1']);
  assert.deepEqual(result.problems.map((p) => p.path), ['/srv/a/vendor/composer/installed.json!packages[1]', '/srv/b/vendor/composer/installed.json']);
});

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CATALOGERS } from '../../../src/image/catalogers/default-catalogers.js';
import { readImage } from '../../../src/sources/image/read-image.js';
import { buildLayer } from '../sources/build-layer.js';
import { writeOciLayout } from '../sources/write-oci-layout.js';

it('every cataloger module is in the default list once, with a unique kebab-case id', async () => {
  const ids = DEFAULT_CATALOGERS.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) assert.match(id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
  // A module that exports a Cataloger and is not listed would silently never run.
  const folder = new URL('../../../src/image/catalogers/', import.meta.url);
  const listed = new Set(DEFAULT_CATALOGERS);
  for (const name of readdirSync(folder).filter((f) => f.endsWith('.ts'))) {
    const module = (await import(new URL(name, folder).href)) as Record<string, unknown>;
    for (const [exported, value] of Object.entries(module)) {
      if (value && typeof value === 'object' && 'wants' in value && 'catalog' in value && 'id' in value) {
        assert.ok(listed.has(value as never), `${name} exports cataloger ${exported} that DEFAULT_CATALOGERS does not list`);
      }
    }
  }
});

it('an image scan runs the default list: Ruby gems and Composer packages are found in an OCI layout', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aspis-default-catalogers-'));
  try {
    const layer = await buildLayer([
      { name: 'usr/local/bundle/specifications/rack-2.2.3.gemspec', content: '# stub: rack 2.2.3 ruby lib\nGem::Specification.new do |s|\n  s.name = "rack".freeze\n  s.version = "2.2.3"\n  s.licenses = ["MIT".freeze]\nend\n' },
      { name: 'var/www/vendor/composer/installed.json', content: JSON.stringify({ packages: [{ name: 'guzzlehttp/psr7', version: '1.8.1', license: ['MIT'] }], 'dev-package-names': [] }) },
    ]);
    writeOciLayout(join(dir, 'oci'), [{ layers: [layer], refName: 'x' }]);
    const result = await readImage(`oci:${join(dir, 'oci')}:x`, { cacheDir: join(dir, 'cache') });
    assert.deepEqual(result.problemLines, []);
    assert.deepEqual(result.catalog.packages.map((p) => `${p.foundBy} ${p.ecosystem} ${p.name} ${p.version}`).sort(), [
      'php-composer Packagist guzzlehttp/psr7 1.8.1',
      'ruby-gemspec RubyGems rack 2.2.3',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

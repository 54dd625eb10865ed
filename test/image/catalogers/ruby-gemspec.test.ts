import { it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { bytesContent } from '../../../src/image/catalogers/cataloger.js';
import { rubyGemspecCataloger } from '../../../src/image/catalogers/ruby-gemspec.js';
import { cachedFixture, run, toolAvailable } from '../real-fixtures.js';
import { directoryInputs } from './directory-inputs.js';

/** Debian's ruby-* packages ship gemspecs RubyGems generated; extracted, not installed. */
const DEBS = ['ruby-rack', 'ruby-nokogiri', 'ruby-json'];

const debs = toolAvailable('apt-get') && toolAvailable('dpkg-deb')
  ? cachedFixture('ruby-debs', DEBS.join(' '), (dir) => {
      run('apt-get', ['download', ...DEBS], dir);
      for (const deb of readdirSync(dir).filter((f) => f.endsWith('.deb'))) run('dpkg-deb', ['-x', deb, 'root'], dir);
    })
  : { skip: 'apt-get or dpkg-deb is not available' };

/** Ruby itself reads each gemspec: the oracle. */
function rubyLoad(paths: readonly string[]): string[] {
  const script = 'ARGV.each { |f| s = Gem::Specification.load(f); puts [s.name, s.version, s.licenses.join(",")].join(" ") }';
  return run('ruby', ['-e', script, ...paths], '/').split('\n').filter(Boolean).sort();
}

function show(packages: ReadonlyArray<{ name: string; version: string; licenses?: readonly string[] }>): string[] {
  return packages.map((p) => [p.name, p.version, (p.licenses ?? []).join(',')].join(' ')).sort();
}

const RUBY_GEMS = '/usr/lib/ruby/gems';

it("ruby-gemspec cataloger equals Gem::Specification.load on Ruby's bundled and default gems", { skip: (!toolAvailable('ruby') || !existsSync(RUBY_GEMS)) && 'ruby is not installed (apt-get install ruby)' }, async () => {
  const inputs = directoryInputs('/', [rubyGemspecCataloger], { subdirs: [RUBY_GEMS.slice(1)] });
  assert.ok(inputs.some((i) => i.file.path.includes('/specifications/default/')));
  const result = await rubyGemspecCataloger.catalog(inputs, {});
  assert.deepEqual(result.problems, []);
  assert.deepEqual(show(result.packages), rubyLoad(inputs.map((i) => i.file.path)));
});

it("ruby-gemspec cataloger equals Gem::Specification.load on Debian's ruby-rack, ruby-nokogiri and ruby-json", { skip: ('skip' in debs && debs.skip) || (!toolAvailable('ruby') && 'ruby is not installed') }, async () => {
  const { dir } = debs as { dir: string };
  const root = join(dir, 'root');
  const inputs = directoryInputs(root, [rubyGemspecCataloger]);
  assert.equal(inputs.length, DEBS.length);
  const result = await rubyGemspecCataloger.catalog(inputs, {});
  assert.deepEqual(result.problems, []);
  assert.deepEqual(show(result.packages), rubyLoad(inputs.map((i) => join(root, i.file.path))));
  assert.equal(result.packages.find((p) => p.name === 'rack')!.purl.startsWith('pkg:gem/rack@'), true);
});

it('ruby-gemspec: a gemspec with neither a version assignment nor a stub line is a problem naming it', async () => {
  const text = 'Gem::Specification.new do |s|\n  s.name = "half".freeze\nend\n';
  const result = await rubyGemspecCataloger.catalog([{ file: { path: '/usr/lib/ruby/gems/3.1.0/specifications/half.gemspec', mode: 0o100644, size: text.length, layerDigest: 'sha256:l', uid: 0, gid: 0 }, content: bytesContent(new TextEncoder().encode(text)) }], {});
  assert.deepEqual(result.packages, []);
  assert.deepEqual(result.problems.map((p) => p.message), ['no version assignment or stub line']);
});

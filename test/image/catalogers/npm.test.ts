import { it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesContent } from '../../../src/image/catalogers/cataloger.js';
import { npmCataloger } from '../../../src/image/catalogers/npm.js';
import { cachedFixture, run, toolAvailable } from '../real-fixtures.js';
import { directoryInputs } from './directory-inputs.js';

/** Old releases with known advisories (lodash 4.17.4: prototype pollution; minimist 0.0.8; express 4.16.0 …). */
const PINNED = ['lodash@4.17.4', 'minimist@0.0.8', 'express@4.16.0', '@hapi/hoek@8.0.0', 'debug@2.6.8'];

const project = toolAvailable('npm')
  ? cachedFixture('npm-project', `${PINNED.join(' ')} lock-v1 ls-long`, (dir) => {
      const app = join(dir, 'app');
      mkdirSync(app);
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fixture', version: '1.0.0', private: true }));
      run('npm', ['install', '--save-exact', '--ignore-scripts', '--no-audit', '--no-fund', ...PINNED], app);
      // The same project as shipped without node_modules: lockfile v3 (as installed) and v1 (as npm 6 wrote it).
      mkdirSync(join(dir, 'lock-only'));
      copyFileSync(join(app, 'package-lock.json'), join(dir, 'lock-only/package-lock.json'));
      mkdirSync(join(dir, 'lock-v1'));
      copyFileSync(join(app, 'package.json'), join(dir, 'lock-v1/package.json'));
      run('npm', ['install', '--package-lock-only', '--lockfile-version', '1', '--ignore-scripts', '--no-audit', '--no-fund'], join(dir, 'lock-v1'));
      writeFileSync(join(dir, 'npm-ls.json'), run('npm', ['ls', '--all', '--json', '--long'], app));
    })
  : { skip: 'npm is not installed' };

interface LsNode { name?: string; version?: string; path?: string; dependencies?: Record<string, LsNode> }

/** npm ls --all --json --long: one entry per installed folder (a deduped dependency repeats its folder's path). */
function installedFromNpmLs(tree: LsNode): string[] {
  const byPath = new Map<string, string>();
  const walk = (node: LsNode): void => {
    for (const [name, child] of Object.entries(node.dependencies ?? {})) {
      if (!child.path) continue;
      byPath.set(child.path, `${name}@${child.version}`);
      walk(child);
    }
  };
  walk(tree);
  return [...byPath.values()].sort();
}

it('npm cataloger on node_modules installed with pinned old releases equals npm ls --all --json (--long, for install paths)', { skip: 'skip' in project && project.skip }, async () => {
  const { dir } = project as { dir: string };
  const expected = installedFromNpmLs(JSON.parse(run('cat', [join(dir, 'npm-ls.json')], dir)) as LsNode);
  assert.ok(expected.length > 40);
  const result = await npmCataloger.catalog(directoryInputs(dir, [npmCataloger], { subdirs: ['app'] }), {});
  assert.deepEqual(result.problems, []);
  assert.deepEqual(result.packages.map((p) => `${p.name}@${p.version}`).sort(), expected);
  const hoek = result.packages.find((p) => p.name === '@hapi/hoek')!;
  assert.equal(hoek.purl, 'pkg:npm/%40hapi/hoek@8.0.0');
  assert.equal(hoek.locations[0]!.path, '/app/node_modules/@hapi/hoek/package.json');
  assert.deepEqual(result.packages.find((p) => p.name === 'lodash')!.licenses, ['MIT']);
});

it('npm lockfiles (v3 and v1) of a project shipped without node_modules give the same packages as npm ls', { skip: 'skip' in project && project.skip }, async () => {
  const { dir } = project as { dir: string };
  const expected = installedFromNpmLs(JSON.parse(run('cat', [join(dir, 'npm-ls.json')], dir)) as LsNode);
  for (const folder of ['lock-only', 'lock-v1']) {
    const result = await npmCataloger.catalog(directoryInputs(dir, [npmCataloger], { subdirs: [folder] }), {});
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.packages.map((p) => `${p.name}@${p.version}`).sort(), expected, folder);
    assert.ok(result.packages.every((p) => p.locations[0]!.path === `/${folder}/package-lock.json`));
  }
});

it('npm: unreadable package.json and one without a version are problems naming the file; others are kept', async () => {
  const file = (path: string, text: string) => ({
    file: { path, mode: 0o100644, size: text.length, layerDigest: 'sha256:l', uid: 0, gid: 0 },
    content: bytesContent(new TextEncoder().encode(text)),
  });
  const inputs = [
    file('/app/node_modules/ok/package.json', '{"name":"ok","version":"1.2.3","license":{"type":"ISC"}}'),
    file('/app/node_modules/trunc/package.json', '{"name":"trunc","vers'),
    file('/app/node_modules/nover/package.json', '{"name":"nover"}'),
    file('/app/node_modules/ok/lib/package.json', '{"type":"module"}'),
    file('/app/node_modules/.package-lock.json', '{}'),
  ];
  const wanted = inputs.filter((i) => npmCataloger.wants(i.file));
  assert.equal(wanted.length, 3);
  const result = await npmCataloger.catalog(wanted, {});
  assert.deepEqual(result.packages.map((p) => [p.name, p.version, p.licenses]), [['ok', '1.2.3', ['ISC']]]);
  assert.deepEqual(result.problems.map((p) => p.path), ['/app/node_modules/nover/package.json', '/app/node_modules/trunc/package.json']);
});

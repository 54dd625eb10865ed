/**
 * main() loads only the command a run names (and, for `scan`, only its subcommand): every subcommand must still be
 * reachable that way, and help without a subcommand must still list them all.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCliInProcess } from './run-cli-in-process.js';

const root = resolve(import.meta.dirname, '../..');

/**
 * Runs `aspis scan manifests examples/` in a fresh process from `cwd`, and tells which of the packages a scan needs only
 * for a configuration file (zod: its schema; yaml: its parser) were loaded: zod marks globalThis when it loads, yaml
 * is required (yaml-package.ts).
 */
function packagesLoadedByScan(cwd: string): { zod: boolean; yaml: boolean; code: number } {
  const script = `
    const { main } = await import(${JSON.stringify(join(root, 'src/cli/main.ts'))});
    const code = await main(['node', 'aspis', 'scan', 'manifests', ${JSON.stringify(join(root, 'examples'))}, '-o', 'json', '--output-file', '/dev/null']);
    const { createRequire } = await import('node:module');
    const cache = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify({ code, zod: '__zod_globalConfig' in globalThis, yaml: cache.some((f) => f.includes('/node_modules/yaml/')) }));
  `;
  const child = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script], { cwd, encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as { zod: boolean; yaml: boolean; code: number };
}

describe('command loading', () => {
  for (const sub of ['manifests', 'cluster', 'image', 'sbom']) {
    it(`scan ${sub} --help reaches its own command`, async () => {
      const result = await runCliInProcess(['scan', sub, '--help']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`^Usage: aspis scan ${sub} \\[options\\]`));
    });
  }

  it('scan --help lists every subcommand, and an unknown subcommand is a usage error naming it', async () => {
    const help = await runCliInProcess(['scan', '--help']);
    assert.equal(help.code, 0, help.stderr);
    for (const sub of ['manifests', 'cluster', 'image', 'sbom']) assert.match(help.stdout, new RegExp(`^  ${sub} `, 'm'));
    const unknown = await runCliInProcess(['scan', 'nothing']);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /unknown command 'nothing'/);
  });

  it('scan manifests loads the configuration parser only when there is a configuration file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aspis-loading-'));
    try {
      const without = packagesLoadedByScan(dir);
      assert.deepEqual(without, { code: 0, zod: false, yaml: false });
      writeFileSync(join(dir, '.aspis.yaml'), 'checks:\n  disable: [image-tag-latest]\n');
      const withConfig = packagesLoadedByScan(dir);
      assert.deepEqual(withConfig, { code: 0, zod: true, yaml: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--version prints the package version without loading the commands (help loads them all)', () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    // Commands load zod (their option schemas), which marks globalThis; a CommonJS package count says the same.
    const run = (args: string[]) => {
      const script = `
        const { main } = await import(${JSON.stringify(join(root, 'src/cli/main.ts'))});
        const write = process.stdout.write.bind(process.stdout);
        let out = '';
        process.stdout.write = (chunk) => ((out += chunk), true);
        const code = await main(['node', 'aspis', ...${JSON.stringify(args)}]);
        process.stdout.write = write;
        const { createRequire } = await import('node:module');
        console.log(JSON.stringify({ code, out, zod: '__zod_globalConfig' in globalThis, commonJsModules: Object.keys(createRequire(import.meta.url).cache).length }));`;
      const child = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script], { encoding: 'utf8' });
      assert.equal(child.status, 0, child.stderr);
      return JSON.parse(child.stdout.trim().split('\n').pop()!) as { code: number; out: string; zod: boolean; commonJsModules: number };
    };
    const versions = ['--version', '-V'].map((flag) => run([flag]));
    for (const result of versions) assert.deepEqual([result.code, result.out.trim(), result.zod], [0, version, false]);
    const help = run(['--help']);
    assert.equal(help.code, 0);
    assert.ok(help.zod, 'help loads every command');
    assert.ok(help.commonJsModules > versions[0]!.commonJsModules);
    assert.match(help.out, /^ {2}netpol /m);
  });
});

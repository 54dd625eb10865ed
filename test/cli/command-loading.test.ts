/**
 * main() loads only the command a run names (and, for `scan`, only its subcommand): every subcommand must still be
 * reachable that way, and help without a subcommand must still list them all.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCliInProcess } from './run-cli-in-process.js';

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
});

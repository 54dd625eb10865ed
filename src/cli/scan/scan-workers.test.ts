import { it } from 'node:test';
import assert from 'node:assert/strict';
import { workerExecArgv } from './scan-workers.js';

it('keeps the Node options a worker can take, leaving out those about the main script and their values', () => {
  assert.deepEqual(
    workerExecArgv(['--import', 'tsx', '--input-type=module', '-e', 'code', '--max-old-space-size=512', '--eval=x', '-p', 'y', '--input-type', 'commonjs', '-pe', 'z', '--enable-source-maps']),
    ['--import', 'tsx', '--max-old-space-size=512', '--enable-source-maps'],
  );
  assert.deepEqual(workerExecArgv(['--print=1', '--eval', '--input-type=module']), []);
  assert.deepEqual(workerExecArgv([]), []);
});

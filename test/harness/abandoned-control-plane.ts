/**
 * Child process for control-plane.test.ts: starts a control plane and prints its server, pids and work dir as one
 * JSON line. Mode `hang` then waits to be killed; mode `forget` ends when its stdin closes, without calling stop().
 * The test checks that nothing the control plane started survives either way.
 */
import { startControlPlane } from './control-plane.js';

const mode = process.argv[2];
const controlPlane = await startControlPlane();
const { server, pids, workDir } = controlPlane;
process.stdout.write(`${JSON.stringify({ server, pids, workDir })}\n`);
if (mode === 'hang') setInterval(() => undefined, 60_000);
else process.stdin.resume().on('end', () => process.stdin.destroy());

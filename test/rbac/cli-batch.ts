/**
 * Runs several `aspis` invocations in one process (start-up through tsx costs ~1.5 s each time): reads a JSON array of
 * argument lists on stdin, writes a JSON array of { code, stdout, stderr } on stdout. Used by runCliBatch.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

export interface BatchResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs each argument list as `aspis ARGS…` in one child process. */
export function runCliBatch(argsList: string[][]): BatchResult[] {
  const result = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), fileURLToPath(import.meta.url)], {
    input: JSON.stringify(argsList),
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ASPIS_CLI_BATCH: '1' },
    maxBuffer: 64 << 20,
  });
  if (result.status !== 0) throw new Error(`cli-batch failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout) as BatchResult[];
}

async function serve(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const argsList = JSON.parse(Buffer.concat(chunks).toString('utf8')) as string[][];
  const write = { stdout: process.stdout.write.bind(process.stdout), stderr: process.stderr.write.bind(process.stderr) };
  const results: BatchResult[] = [];
  for (const args of argsList) {
    const out = { stdout: '', stderr: '' };
    process.stdout.write = ((chunk: string) => ((out.stdout += chunk), true)) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) => ((out.stderr += chunk), true)) as typeof process.stderr.write;
    try {
      results.push({ code: await main(['node', 'aspis', ...args]), ...out });
    } finally {
      process.stdout.write = write.stdout as typeof process.stdout.write;
      process.stderr.write = write.stderr as typeof process.stderr.write;
    }
  }
  write.stdout(JSON.stringify(results));
}

if (process.env['ASPIS_CLI_BATCH'] === '1' && process.argv[1] === fileURLToPath(import.meta.url)) await serve();

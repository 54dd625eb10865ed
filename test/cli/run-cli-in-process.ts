/**
 * Runs `aspis ARGS` through main() in this process with stdout and stderr captured: no tsx start-up per run (~1.5 s),
 * for suites that run the CLI many times. The test runner reports through stdout too, in binary chunks: those pass
 * through; aspis writes text.
 */
import { main } from '../../src/cli/main.js';
import type { CliResult } from './run-cli.js';

export async function runCliInProcess(args: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const [write, writeErr] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) =>
    typeof chunk === 'string' ? (out.push(chunk), true) : (write as (...args: unknown[]) => boolean).call(process.stdout, chunk, ...rest)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) =>
    typeof chunk === 'string' ? (err.push(chunk), true) : (writeErr as (...args: unknown[]) => boolean).call(process.stderr, chunk, ...rest)) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'aspis', ...args]);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
}

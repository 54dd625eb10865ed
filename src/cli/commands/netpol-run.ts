/**
 * Shared ending of `aspis netpol` subcommands: input problems go to stderr and make the exit code 2 (the answer is
 * still printed), usage problems (a name that designates nothing, a bad --port) exit 2 with the message.
 */
import { EndpointError } from '../../network/index.js';
import { EXIT } from '../exit-codes.js';
import type { NetpolEnv } from './netpol.js';
import { describeInputError } from './netpol-input.js';
import type { InputError } from '../../core/model/report.js';

export class NetpolUsageError extends Error {}

/** Prints the input's problems and returns the exit code for them (2), or `otherwise`. */
export function finishNetpol(errors: readonly InputError[], otherwise: number): number {
  for (const error of errors) process.stderr.write(`aspis: ${describeInputError(error)}\n`);
  return errors.length > 0 ? EXIT.error : otherwise;
}

export async function runNetpol(env: NetpolEnv, body: () => Promise<number>): Promise<void> {
  try {
    env.setExitCode(await body());
  } catch (error) {
    if (!(error instanceof NetpolUsageError) && !(error instanceof EndpointError)) throw error;
    process.stderr.write(`aspis: ${error.message}\n`);
    env.setExitCode(EXIT.usage);
  }
}


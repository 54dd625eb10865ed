/**
 * A total order over one ecosystem's version strings. `compare` returns a negative number, zero or a positive
 * number; it throws InvalidVersionError for a string the ecosystem cannot order (callers decide what that means).
 */
export interface VersionComparator {
  /** Name used in messages and docs, e.g. "PEP 440" or "dpkg". */
  readonly scheme: string;
  compare(a: string, b: string): number;
}

export class InvalidVersionError extends Error {
  constructor(
    readonly version: string,
    readonly scheme: string,
    reason?: string,
  ) {
    super(`"${version}" is not a valid ${scheme} version${reason ? `: ${reason}` : ''}`);
    this.name = 'InvalidVersionError';
  }
}

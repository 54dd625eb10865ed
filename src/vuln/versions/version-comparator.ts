/**
 * A total order over one ecosystem's version strings. `compare` returns a negative number, zero or a positive
 * number; it throws InvalidVersionError for a string the ecosystem cannot order (callers decide what that means).
 */
export interface VersionComparator {
  /** Name used in messages and docs, e.g. "PEP 440" or "dpkg". */
  readonly scheme: string;
  compare(a: string, b: string): number;
  /**
   * A key that is the same for versions this order calls equal ("2.5" and "2.5.0" in PEP 440, "v1.2.3" and
   * "1.2.3+build" in SemVer), for looking versions up in OSV's enumerated `versions` lists. Without it, a listed
   * version must match exactly.
   */
  canonical?(version: string): string;
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

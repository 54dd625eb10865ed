import { comparatorForEcosystem } from '../versions/comparator-for-ecosystem.js';
import type { PackageQuery } from './package-query.js';

/** A package that cannot be matched, and why: reported next to the findings so it never passes silently. */
export interface UnmatchedPackage {
  readonly package: PackageQuery;
  readonly reason: string;
}

/**
 * The packages whose version their ecosystem's order cannot read, so no range can be evaluated for them (Go's
 * "(devel)" main modules and development toolchains, a hand-edited version): matching skips their ranges, and
 * callers report them with this reason. Packages of ecosystems Aspis has no order for are left to the caller.
 */
export function unmatchableVersions(packages: readonly PackageQuery[]): UnmatchedPackage[] {
  const unmatched: UnmatchedPackage[] = [];
  for (const query of packages) {
    const order = comparatorForEcosystem(query.ecosystem);
    if (!order) continue;
    try {
      order.compare(query.version, query.version);
    } catch (error) {
      unmatched.push({ package: query, reason: `not matched against the vulnerability database: ${(error as Error).message}` });
    }
  }
  return unmatched;
}

/** "Go example.com/app (devel): not matched …" for a problems list. */
export function formatUnmatchedPackage(unmatched: UnmatchedPackage): string {
  const p = unmatched.package;
  return `${p.ecosystem} package ${p.name} ${p.version}: ${unmatched.reason}`;
}

import { comparatorForEcosystem, baseEcosystem } from '../versions/comparator-for-ecosystem.js';
import { go } from '../versions/go.js';
import { semver } from '../versions/semver.js';
import type { RangeComparators } from './range-evaluation.js';

/** The orders that evaluate an OSV ecosystem's ranges: its own for ECOSYSTEM, SemVer for SEMVER (Go's reading of "go1.21"). */
export function rangeComparatorsFor(ecosystem: string): RangeComparators {
  return {
    ecosystem: comparatorForEcosystem(ecosystem),
    semver: baseEcosystem(ecosystem) === 'Go' ? go : semver,
  };
}

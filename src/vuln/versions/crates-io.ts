import { semver } from './semver.js';
import type { VersionComparator } from './version-comparator.js';

/** Cargo versions are SemVer 2.0; build metadata never affects precedence. */
export const cratesIo: VersionComparator = { scheme: 'crates.io (SemVer 2.0)', compare: semver.compare, canonical: semver.canonical! };

import { semver } from './semver.js';
import type { VersionComparator } from './version-comparator.js';

/** npm versions are SemVer 2.0 (node-semver's order; see semver.ts for why the comparison is our own). */
export const npm: VersionComparator = { scheme: 'npm (SemVer 2.0)', compare: semver.compare, canonical: semver.canonical! };

import { semver } from './semver.js';
import type { VersionComparator } from './version-comparator.js';

/** Elixir's Version module (used by Hex) follows SemVer 2.0 precedence; build metadata is ignored. */
export const hex: VersionComparator = { scheme: 'Hex (SemVer 2.0)', compare: semver.compare, canonical: semver.canonical! };

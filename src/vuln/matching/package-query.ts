/**
 * One installed package to match against the vulnerability database, as catalogers report it.
 * `ecosystem` is the OSV ecosystem name without a release ("npm", "PyPI", "Go", "Debian", "Ubuntu", "Alpine", …);
 * distribution packages add the release they were installed from, and the source package they were built from
 * (Debian, Ubuntu and Alpine advisories name source packages).
 */
export interface PackageQuery {
  readonly ecosystem: string;
  readonly name: string;
  readonly version: string;
  readonly purl?: string;
  /** The source package (dpkg `Source:`, apk origin, source RPM name) when it differs from `name`. */
  readonly sourceName?: string;
  /** The source package's version when it differs from `version` (dpkg `Source: name (version)`). */
  readonly sourceVersion?: string;
  /** The distribution release: os-release VERSION_ID ("12", "22.04", "3.19.1") or a codename ("sid", "edge"). */
  readonly distroRelease?: string;
}

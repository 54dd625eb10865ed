/**
 * Whether a purl written in a VEX statement or a waiver names an installed package. A statement's purl is usually
 * shorter than the one a cataloger writes: without a version it names every version, and its qualifiers
 * (`arch`, `distro`) must each be present with the same value, while the package's other qualifiers do not matter.
 */
import { PackageURL } from 'packageurl-js';

export function parsePurl(text: string): PackageURL | undefined {
  try {
    return PackageURL.fromString(text);
  } catch {
    return undefined;
  }
}

export function purlNamesPackage(pattern: PackageURL, packagePurl: PackageURL): boolean {
  if (pattern.type !== packagePurl.type) return false;
  if (normalise(pattern.type, pattern.namespace) !== normalise(pattern.type, packagePurl.namespace)) return false;
  if (normalise(pattern.type, pattern.name) !== normalise(pattern.type, packagePurl.name)) return false;
  if (pattern.version && pattern.version !== packagePurl.version) return false;
  if (pattern.subpath && pattern.subpath !== packagePurl.subpath) return false;
  for (const [key, value] of Object.entries(pattern.qualifiers ?? {})) {
    if (packagePurl.qualifiers?.[key] !== value) return false;
  }
  return true;
}

/** Names are case-insensitive in these purl types (the purl spec lowercases them); elsewhere they are exact. */
const CASE_INSENSITIVE = new Set(['deb', 'apk', 'npm', 'pypi', 'github', 'bitbucket', 'composer', 'golang', 'hex']);

function normalise(type: string, part: string | undefined | null): string {
  const value = part ?? '';
  const lowered = CASE_INSENSITIVE.has(type) ? value.toLowerCase() : value;
  return type === 'pypi' ? lowered.replace(/[-_.]+/g, '-') : lowered;
}

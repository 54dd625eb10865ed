/**
 * Licence strings from package metadata as SPDX license expressions. A string that parses as an SPDX expression
 * (ids from the SPDX list) is kept; anything else ("GPL-2+", "BSD-like", "Artistic") becomes a LicenseRef-… whose
 * original text is listed alongside, as SPDX 2.3 requires.
 */
import parse from 'spdx-expression-parse';

export function isSpdxExpression(text: string): boolean {
  try {
    parse(text);
    return true;
  } catch {
    return false;
  }
}

/** "LicenseRef-" followed by the text with anything outside [A-Za-z0-9.-] replaced. */
export function licenseRef(text: string): string {
  return `LicenseRef-${text.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'unnamed'}`;
}

/** One expression for all of a package's licences (joined with AND), plus the LicenseRefs it had to invent. */
export function spdxLicenseExpression(licenses: readonly string[]): { expression: string; refs: Map<string, string> } | undefined {
  const refs = new Map<string, string>();
  const parts = [...new Set(licenses.map((l) => l.trim()).filter(Boolean))].map((license) => {
    if (isSpdxExpression(license)) return /\s(AND|OR)\s/i.test(license) && licenses.length > 1 ? `(${license})` : license;
    const ref = licenseRef(license);
    refs.set(ref, license);
    return ref;
  });
  if (parts.length === 0) return undefined;
  return { expression: parts.join(' AND '), refs };
}

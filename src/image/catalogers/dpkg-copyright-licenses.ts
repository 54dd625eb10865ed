import { parseDeb822 } from './deb822-stanzas.js';

/**
 * Licences named by a Debian copyright file (/usr/share/doc/<package>/copyright): the short names of every
 * `License:` field of a machine-readable (DEP-5) file, plus the /usr/share/common-licenses/<name> files any
 * copyright file refers to (the convention older, free-form files follow). Order of first appearance.
 */
export function dpkgCopyrightLicenses(text: string): string[] {
  const names = new Set<string>();
  if (/^Format:\s*\S*copyright-format/m.test(text)) {
    for (const stanza of parseDeb822(text).stanzas) {
      const license = stanza.fields.get('license');
      const short = license?.split('\n')[0]!.trim();
      if (short) names.add(short);
    }
  }
  for (const match of text.matchAll(/\/usr\/share\/common-licenses\/([A-Za-z0-9][A-Za-z0-9.+_-]*[A-Za-z0-9+])/g)) {
    names.add(match[1]!);
  }
  return [...names];
}

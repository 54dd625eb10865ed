/**
 * Python core metadata (PKG-INFO / METADATA, https://packaging.python.org/specifications/core-metadata/):
 * RFC 822 headers up to the first blank line (the rest is the description), continuation lines indented.
 * Multiple-use fields (Classifier, Requires-Dist, …) keep every value.
 */
export function parseCoreMetadata(text: string): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  let last: string[] | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line === '') break;
    if ((line.startsWith(' ') || line.startsWith('\t')) && last) {
      last[last.length - 1] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const values = fields.get(name) ?? [];
    values.push(line.slice(colon + 1).trim());
    fields.set(name, values);
    last = values;
  }
  return fields;
}

/**
 * Licences a distribution declares: License-Expression (metadata 2.4), else a one-line License field, else the
 * names in its "License :: …" trove classifiers.
 */
export function coreMetadataLicenses(fields: Map<string, string[]>): string[] {
  const expression = fields.get('license-expression')?.[0];
  if (expression) return [expression];
  const license = fields.get('license')?.[0];
  if (license && !license.includes('\n') && license.length <= 100 && license.toUpperCase() !== 'UNKNOWN') return [license];
  const fromClassifiers = (fields.get('classifier') ?? [])
    .filter((c) => c.startsWith('License ::'))
    .map((c) => c.split('::').pop()!.trim())
    .filter((c) => c !== '' && c !== 'OSI Approved');
  return [...new Set(fromClassifiers)];
}

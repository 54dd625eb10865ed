/**
 * Debian control-file syntax (deb822): paragraphs separated by blank lines, "Field: value" lines, continuation
 * lines starting with a space or tab. Used by dpkg's status database and DEP-5 copyright files.
 * Field names are matched case-insensitively, as deb822 says; the first occurrence wins.
 */
export interface Deb822Stanza {
  /** 1-based line of the stanza's first field. */
  readonly line: number;
  readonly fields: ReadonlyMap<string, string>;
}

export interface Deb822Problem {
  readonly line: number;
  readonly message: string;
}

export function parseDeb822(text: string): { stanzas: Deb822Stanza[]; problems: Deb822Problem[] } {
  const stanzas: Deb822Stanza[] = [];
  const problems: Deb822Problem[] = [];
  let fields = new Map<string, string>();
  let start = 0;
  /** The field continuation lines extend; null while skipping a repeated field's lines. */
  let current: string | null | undefined;
  const flush = (): void => {
    if (fields.size > 0) stanzas.push({ line: start, fields });
    fields = new Map();
    current = undefined;
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (line.startsWith('#')) continue;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (current === undefined) {
        problems.push({ line: i + 1, message: 'continuation line without a field' });
        continue;
      }
      if (current === null) continue;
      fields.set(current, `${fields.get(current)}\n${line.slice(1)}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      problems.push({ line: i + 1, message: `not a "Field: value" line: ${JSON.stringify(line.slice(0, 80))}` });
      continue;
    }
    if (fields.size === 0) start = i + 1;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!fields.has(name)) {
      fields.set(name, line.slice(colon + 1).trim());
      current = name;
    } else {
      current = null;
    }
  }
  flush();
  return { stanzas, problems };
}

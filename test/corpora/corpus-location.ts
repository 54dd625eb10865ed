/** Where the shared test corpora are: next to the repository (../shared/corpora), else /work/shared/corpora. */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The corpus folder, or an Error naming the places looked at: a missing corpus fails the suite, never skips it. */
export function corpusDir(name: string): string {
  const candidates = [resolve(repoRoot, '..', 'shared', 'corpora', name), resolve('/work/shared/corpora', name)];
  const found = candidates.find((dir) => existsSync(dir));
  if (!found) throw new Error(`corpus "${name}" not found; looked in ${candidates.join(', ')}`);
  return found;
}

/** Minimal RFC 4180 CSV reader (quoted fields, doubled quotes); returns one record per row keyed by the header. */
export function readCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  const [header, ...body] = rows.filter((r) => r.length > 1 || r[0] !== '');
  if (!header) return [];
  return body.map((r) => Object.fromEntries(header.map((key, i) => [key, r[i] ?? ''])));
}

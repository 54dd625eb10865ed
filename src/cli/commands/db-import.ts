/**
 * `aspis db import PATH...`: OSV records (a directory tree, a zip archive, or single files; JSON or YAML) into
 * the vulnerability database. Bad records are reported with file and field and skipped; the rest is imported.
 * Exit 0: everything imported; 2: some input was bad or unreadable (what could be imported still was).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { recordFiles } from '../../store/vuln-db/osv-record-files.js';
import { parsedRecords } from '../../store/vuln-db/parse-record-file.js';
import type { VulnDatabase } from '../../store/vuln-db/vuln-database.js';
import { importRecords, type ImportProblem, type ImportSummary } from '../../vuln/database/import-records.js';

export interface SourceImport {
  readonly source: string;
  readonly summary?: ImportSummary;
  /** Why the source could not be read at all. */
  readonly error?: string;
}

/** Imports one source (path to a directory, zip or file); a source that cannot be read or holds no record is an error. */
export async function importSource(db: VulnDatabase, path: string, label = path): Promise<SourceImport> {
  if (!existsSync(path)) return { source: label, error: `${label}: no such file or directory` };
  try {
    const summary = await importRecords(parsedRecords(recordFiles(resolve(path))), db);
    if (summary.records === 0 && summary.problems.length === 0) {
      return { source: label, summary, error: `${label}: no OSV records found (expected .json, .yaml or .yml files)` };
    }
    return { source: label, summary };
  } catch (error) {
    return { source: label, error: (error as Error).message };
  }
}

export function problemLine(problem: ImportProblem): string {
  return `${problem.location}: ${problem.field ? `${problem.field}: ` : ''}${problem.message}`;
}

export function importReport(results: readonly SourceImport[], dbPath: string): string {
  const lines: string[] = [];
  for (const { source, summary, error } of results) {
    if (summary) {
      lines.push(
        `${source}: ${summary.records} records read, ${summary.added} added, ${summary.replaced} replaced, ` +
          `${summary.keptNewer} kept (database newer), ${summary.problems.length} rejected`,
      );
    }
    if (error) lines.push(`${source}: not imported`);
  }
  lines.push(`database: ${dbPath}`);
  return `${lines.join('\n')}\n`;
}

/** Problems and errors for stderr, one per line, each naming file and field. */
export function importErrors(results: readonly SourceImport[]): string[] {
  return results.flatMap(({ summary, error }) => [...(summary?.problems ?? []).map(problemLine), ...(error ? [error] : [])]);
}

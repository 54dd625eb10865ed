import { parseAllDocuments } from 'yaml';
import type { RecordFile } from './osv-record-files.js';

/** One record value with where it sits (file, and [index] when the file holds several), or why the file failed. */
export type ParsedRecord = { readonly location: string; readonly value: unknown } | { readonly location: string; readonly failure: string };

/**
 * Parses an OSV record file: JSON, or YAML read with the YAML 1.2 core schema (so unquoted timestamps such as
 * `modified: 2021-03-01T00:00:00Z` stay strings, as OSV defines them; a YAML 1.1 loader would make them dates).
 * A file may hold one record, an array of records, or several YAML documents.
 */
export function parseRecordFile(file: RecordFile): ParsedRecord[] {
  let documents: unknown[];
  if (/\.json$/i.test(file.location)) {
    try {
      documents = [JSON.parse(file.text)];
    } catch (error) {
      return [{ location: file.location, failure: `invalid JSON: ${(error as Error).message}` }];
    }
  } else {
    const parsed = parseAllDocuments(file.text, { schema: 'core' });
    const list = Array.isArray(parsed) ? parsed : [parsed];
    const failed = list.find((d) => d.errors.length > 0);
    if (failed) {
      const error = failed.errors[0]!;
      const line = error.linePos?.[0];
      return [{ location: line ? `${file.location}:${line.line}` : file.location, failure: `invalid YAML: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}` }];
    }
    documents = list.map((d) => d.toJS() as unknown).filter((v) => v !== null && v !== undefined);
  }
  return documents.flatMap((document) =>
    Array.isArray(document) ? document.map((value, i) => ({ location: `${file.location}[${i}]`, value })) : [{ location: file.location, value: document }],
  );
}

/** Every record of every file under a path, parsed, one file at a time. */
export async function* parsedRecords(files: AsyncIterable<RecordFile>): AsyncGenerator<ParsedRecord> {
  for await (const file of files) yield* parseRecordFile(file);
}

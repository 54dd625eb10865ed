import { validateOsvRecord } from '../osv/validate-osv-record.js';
import { storedRowsOf } from './stored-rows.js';
import type { VulnerabilityWriter } from './vulnerability-store.js';

/** One parsed record value, or a file that could not be parsed, as the record reader yields them. */
export type RecordInput =
  | { readonly location: string; readonly value: unknown }
  | { readonly location: string; readonly failure: string };

/** A record that was not imported: where it is, which field, what is wrong. */
export interface ImportProblem {
  readonly location: string;
  readonly field?: string;
  readonly message: string;
}

export interface ImportSummary {
  readonly records: number;
  readonly added: number;
  readonly replaced: number;
  /** Records skipped because the database already holds a newer version (by `modified`). */
  readonly keptNewer: number;
  readonly problems: readonly ImportProblem[];
}

const BATCH = 500;

/**
 * Validates and stores records as they stream in. Each bad record becomes a problem naming its location and
 * field; every other record is still imported. Writes go in transactions of BATCH records, so an interrupted
 * import keeps what it wrote and memory holds one batch.
 */
export async function importRecords(inputs: AsyncIterable<RecordInput>, writer: VulnerabilityWriter): Promise<ImportSummary> {
  let records = 0;
  let added = 0;
  let replaced = 0;
  let keptNewer = 0;
  const problems: ImportProblem[] = [];
  let batch: Array<ReturnType<typeof storedRowsOf>> = [];
  const flush = (): void => {
    const rows = batch;
    batch = [];
    writer.transaction(() => {
      for (const { vulnerability, affected } of rows) {
        const outcome = writer.store(vulnerability, affected);
        if (outcome === 'added') added++;
        else if (outcome === 'replaced') replaced++;
        else keptNewer++;
      }
    });
  };
  for await (const input of inputs) {
    if ('failure' in input) {
      problems.push({ location: input.location, message: input.failure });
      continue;
    }
    records++;
    const validated = validateOsvRecord(input.value);
    if (!validated.record) {
      const id = (input.value as { id?: unknown } | null)?.id;
      const where = typeof id === 'string' ? `${input.location} (${id})` : input.location;
      for (const p of validated.problems) problems.push({ location: where, field: p.field, message: p.message });
      continue;
    }
    batch.push(storedRowsOf(validated.record));
    if (batch.length >= BATCH) flush();
  }
  if (batch.length > 0) flush();
  return { records, added, replaced, keptNewer, problems };
}

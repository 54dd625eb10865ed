import type { Check } from '../../core/model/check.js';
import type { InputError } from '../../core/model/report.js';
import { atLeast, SEVERITIES } from '../../core/model/severity.js';
import { reportChunks } from '../../outputs/index.js';
import type { OutputFormat } from '../../outputs/index.js';
import type { ScanSession } from '../../scan/scan-session.js';
import { EXIT } from '../exit-codes.js';
import { writeChunksToFile, writeChunksToStdout } from '../write-chunks.js';
import type { ScanOptions } from './scan-options.js';

/** Finishes the scan, writes the report where and as asked, prints errors, and returns the exit code. */
export async function finishScan(session: ScanSession, checks: readonly Check[], options: ScanOptions): Promise<number> {
  const report = session.finish();

  const toFile = options.outputFile !== undefined;
  const format: OutputFormat = options.output ?? (process.stdout.isTTY && !toFile ? 'table' : 'json');
  const color = options.color && !toFile && Boolean(process.stdout.isTTY) && !process.env['NO_COLOR'];
  const chunks = reportChunks(report, format, { color, checks });
  if (toFile) writeChunksToFile(options.outputFile!, chunks);
  else await writeChunksToStdout(chunks);

  if (report.errors.length > 0) {
    for (const error of report.errors) process.stderr.write(`aspis: ${describeError(error)}\n`);
    return EXIT.error;
  }
  // From the summary: reading report.findings would build every finding as an object (see rendered-findings.ts).
  const failOn = options.failOn;
  if (failOn && SEVERITIES.some((severity) => atLeast(severity, failOn) && report.summary.bySeverity[severity] > 0)) return EXIT.findings;
  return EXIT.ok;
}

function describeError(error: InputError): string {
  const where = [error.source, error.line, error.line !== undefined ? error.column : undefined].filter((x) => x !== undefined).join(':');
  return `${where}: ${error.field ? `${error.field}: ` : ''}${error.message}`;
}

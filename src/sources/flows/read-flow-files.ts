/**
 * The flow source of `aspis netpol generate|replay --flows FILES`: streams each file line by line (constant memory)
 * through the parser of its format, and hands every flow, address assignment, skipped record and error to a sink
 * with its file:line. Formats: `hubble` (`hubble observe -o json`), `aspis` (Aspis flow JSON Lines, see
 * docs/flow.schema.json), `conntrack` (`conntrack -E -o timestamp` text); `auto` tells them apart by the first
 * non-empty line of each file. A bad line is an error naming file:line; the following lines are still read.
 */
import type { AddressRecord, FlowPosition, FlowRecord } from '../../core/model/flow-record.js';
import type { InputError } from '../../core/model/report.js';
import { parseAspisFlowLine } from './aspis-flow-line.js';
import { parseConntrackLine } from './conntrack-event.js';
import type { FlowLineParser } from './flow-line.js';
import { parseHubbleLine } from './hubble-flow.js';
import { lineBatches } from './line-batches.js';

export const FLOW_FORMATS = ['auto', 'hubble', 'aspis', 'conntrack'] as const;
export type FlowFormat = (typeof FLOW_FORMATS)[number];

const PARSERS: Record<Exclude<FlowFormat, 'auto'>, FlowLineParser> = {
  hubble: parseHubbleLine,
  aspis: parseAspisFlowLine,
  conntrack: parseConntrackLine,
};

export interface FlowSink {
  flow(flow: FlowRecord, at: FlowPosition): void;
  address(address: AddressRecord, at: FlowPosition): void;
  skip(reason: string, at: FlowPosition): void;
  error(error: InputError): void;
}

export interface ReadFlowFilesOptions {
  format?: FlowFormat;
  stdin?: NodeJS.ReadableStream;
}

/** Per file: its format and what it held. */
export interface FlowFileSummary {
  file: string;
  format: Exclude<FlowFormat, 'auto'> | undefined;
  lines: number;
  flows: number;
  addresses: number;
  skipped: number;
  errors: number;
}

const CONNTRACK_LINE = /^\s*(\[\d+(\.\d+)?\]\s*)?(\[(NEW|UPDATE|DESTROY)\]\s*)?(ipv[46]\s+\d+\s+)?[a-z0-9]+\s+\d+\s/;
const HUBBLE_KEYS = ['flow', 'lost_events', 'node_status', 'agent_event', 'debug_event', 'IP', 'l4'];

/** The format of a file from its first non-empty line, or undefined when it is none of them. */
export function detectFlowFormat(line: string): Exclude<FlowFormat, 'auto'> | undefined {
  const text = line.trimStart();
  if (text.startsWith('{')) {
    try {
      const value = JSON.parse(text) as Record<string, unknown>;
      return HUBBLE_KEYS.some((key) => key in value) ? 'hubble' : 'aspis';
    } catch {
      // A first line that is not JSON on its own: guess from its keys, the parser reports the line itself.
      return /"(flow|IP|l4|lost_events)"\s*:/.test(text) ? 'hubble' : 'aspis';
    }
  }
  return CONNTRACK_LINE.test(text) ? 'conntrack' : undefined;
}

export async function readFlowFile(path: string, sink: FlowSink, options: ReadFlowFilesOptions = {}): Promise<FlowFileSummary> {
  const file = path;
  const summary: FlowFileSummary = { file, format: options.format === 'auto' ? undefined : options.format, lines: 0, flows: 0, addresses: 0, skipped: 0, errors: 0 };
  let parse = summary.format ? PARSERS[summary.format] : undefined;
  const fail = (line: number | undefined, message: string) => {
    summary.errors++;
    sink.error({ source: file, ...(line !== undefined ? { line } : {}), message });
  };
  try {
    for await (const batch of lineBatches({ path, ...(options.stdin ? { stdin: options.stdin } : {}) })) {
      const overlong = batch.overlong ? new Set(batch.overlong) : undefined;
      const last = batch.lines.length - 1;
      for (let i = 0; i <= last; i++) {
        const text = batch.lines[i]!;
        const line = batch.firstLine + i;
        summary.lines = line;
        if (overlong?.has(line)) {
          fail(line, 'line longer than 1 MiB: not a flow record (not read)');
          continue;
        }
        if (text.trim() === '') continue;
        if (!parse) {
          const format = detectFlowFormat(text);
          if (!format) {
            fail(line, 'cannot tell the flow format from this line: expected Hubble JSON (hubble observe -o json), Aspis flow JSON Lines or conntrack -E text; name it with --flow-format');
            return summary;
          }
          summary.format = format;
          parse = PARSERS[format];
        }
        const at = { file, line };
        const result = parse(text);
        switch (result.kind) {
          case 'flow':
            summary.flows++;
            sink.flow(result.flow, at);
            break;
          case 'address':
            summary.addresses++;
            sink.address(result.address, at);
            break;
          case 'skip':
            summary.skipped++;
            sink.skip(result.reason, at);
            break;
          case 'error':
            fail(line, batch.unterminatedLast && i === last ? `truncated: the file ends in the middle of this line (${result.message})` : result.message);
            break;
        }
      }
    }
  } catch (cause) {
    fail(undefined, readErrorMessage(cause));
  }
  if (summary.flows === 0 && summary.addresses === 0 && summary.errors === 0) fail(undefined, summary.lines === 0 ? 'the file is empty: no flow' : 'the file holds no flow that can be used (see the skipped records)');
  return summary;
}

function readErrorMessage(cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory: name the flow files';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') return `not a valid gzip file (${(cause as Error).message})`;
  return (cause as Error).message;
}

/** Reads the files one after the other. */
export async function readFlowFiles(paths: readonly string[], sink: FlowSink, options: ReadFlowFilesOptions = {}): Promise<FlowFileSummary[]> {
  const summaries: FlowFileSummary[] = [];
  for (const path of paths) summaries.push(await readFlowFile(path, sink, options));
  return summaries;
}

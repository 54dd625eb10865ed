/**
 * What a flow reader makes of one line of its input: a flow, an address assignment, something deliberately not used
 * (with the reason, which the report counts), or an error (reported with file:line; the other lines still count).
 */
import type { AddressRecord, FlowRecord } from '../../core/model/flow-record.js';

export type FlowLine =
  | { kind: 'flow'; flow: FlowRecord }
  | { kind: 'address'; address: AddressRecord }
  | { kind: 'skip'; reason: string }
  | { kind: 'error'; message: string };

export type FlowLineParser = (line: string) => FlowLine;

export function skip(reason: string): FlowLine {
  return { kind: 'skip', reason };
}

export function error(message: string): FlowLine {
  return { kind: 'error', message };
}

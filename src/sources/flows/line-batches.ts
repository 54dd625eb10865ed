/**
 * Reads a text file (or standard input, or a gzip file) as batches of lines with their line numbers, in constant
 * memory whatever the file size: flow exports run to gigabytes. Batches rather than single lines keep the per-line
 * cost of async iteration off a loop that handles millions of lines. A line longer than `maxLineLength` is not kept
 * (a file that is one huge JSON document would otherwise be held whole): it is reported by number instead.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { StringDecoder } from 'node:string_decoder';

export interface LineBatch {
  /** Lines without their terminator (`\n` or `\r\n`); an over-long line is an empty string here. */
  lines: string[];
  /** 1-based number of `lines[0]`. */
  firstLine: number;
  /** Numbers of the lines of this batch that were longer than the limit (their text is not kept). */
  overlong?: number[];
  /**
   * Set on the batch holding the last line of the input when that line had no terminator: a file cut short by a
   * crash or a full disk ends that way, so a reader can call a last line that does not parse "truncated".
   */
  unterminatedLast?: boolean;
}

export interface LineSource {
  /** `-` for standard input, else a path; names ending in `.gz` are decompressed. */
  path: string;
  stdin?: NodeJS.ReadableStream;
  /** Longest line kept, in characters (default 1 MiB). */
  maxLineLength?: number;
}

// Small chunks: a batch of lines dies young (before the next scavenge), so garbage is not promoted and memory stays flat.
const CHUNK = 1 << 16;
const MAX_LINE = 1 << 20;

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

export async function* lineBatches(source: LineSource): AsyncGenerator<LineBatch> {
  const maxLine = source.maxLineLength ?? MAX_LINE;
  let stream: NodeJS.ReadableStream = source.path === '-' ? (source.stdin ?? process.stdin) : createReadStream(source.path, { highWaterMark: CHUNK });
  if (source.path.endsWith('.gz')) stream = stream.pipe(createGunzip());
  const decoder = new StringDecoder('utf8');
  let rest = '';
  // Whether the line being read has already passed the limit (its text is being dropped).
  let dropping = false;
  let next = 1;
  for await (const chunk of stream) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    const pieces = text.split('\n');
    const tail = pieces.pop()!;
    const lines: string[] = [];
    let overlong: number[] | undefined;
    for (let i = 0; i < pieces.length; i++) {
      const piece = i === 0 ? rest + pieces[0]! : pieces[i]!;
      if ((i === 0 && dropping) || piece.length > maxLine) {
        (overlong ??= []).push(next + lines.length);
        lines.push('');
      } else lines.push(stripCarriageReturn(piece));
      if (i === 0) {
        rest = '';
        dropping = false;
      }
    }
    if (pieces.length === 0) rest += tail;
    else rest = tail;
    if (rest.length > maxLine) {
      dropping = true;
      rest = '';
    }
    if (lines.length === 0) continue;
    yield { lines, firstLine: next, ...(overlong ? { overlong } : {}) };
    next += lines.length;
  }
  rest += decoder.end();
  if (rest !== '' || dropping) {
    const last = dropping ? { lines: [''], overlong: [next] } : { lines: [stripCarriageReturn(rest)] };
    yield { ...last, firstLine: next, unterminatedLast: true };
  }
}

import { closeSync, openSync, writeSync } from 'node:fs';
import { once } from 'node:events';

/** Bytes written at once. */
const BLOCK = 1 << 20;
/** Texts at least this long go to stdout as they are; shorter ones are joined first (writeChunksToStdout). */
const DIRECT = 1 << 16;
/** Code units encoded into a block at once: a UTF-16 code unit takes at most 3 bytes in UTF-8. */
const PIECE = Math.floor(BLOCK / 3);

/**
 * The chunks as blocks of bytes, every text encoded straight into one reused block: short texts (one object, a few
 * findings) are not joined into a string that writing would copy once more, and long ones (a run of findings,
 * ~0.5 MB) are encoded piece by piece rather than each into fresh memory (a new buffer per text cost the tail of a
 * 10,000-object scan ~50 ms in page faults). The block can be reused because writing it is synchronous.
 */
function* blocks(chunks: Iterable<string>): Generator<Buffer> {
  const block = Buffer.allocUnsafe(BLOCK);
  let used = 0;
  for (const chunk of chunks) {
    for (let from = 0; from < chunk.length; ) {
      let to = Math.min(chunk.length, from + PIECE);
      // Never between the two halves of a surrogate pair: each half alone would be encoded as U+FFFD.
      if (to < chunk.length && isHighSurrogate(chunk.charCodeAt(to - 1))) to--;
      const piece = from === 0 && to === chunk.length ? chunk : chunk.slice(from, to);
      if (used + piece.length * 3 > BLOCK) {
        yield block.subarray(0, used);
        used = 0;
      }
      used += block.write(piece, used, 'utf8');
      from = to;
    }
  }
  if (used > 0) yield block.subarray(0, used);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Writes the chunks to a file (created or truncated) as they come: a report's text is never one string. */
export function writeChunksToFile(path: string, chunks: Iterable<string>): void {
  const fd = openSync(path, 'w');
  try {
    for (const block of blocks(chunks)) writeSync(fd, block);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes the chunks to standard output, waiting whenever its buffer is full, ending with a newline. Short pieces are
 * joined into strings of about a block (a stream write per piece costs more than the join); standard output gets
 * text, as callers that capture it expect.
 */
export async function writeChunksToStdout(chunks: Iterable<string>): Promise<void> {
  let last = '';
  const write = async (text: string): Promise<void> => {
    if (text === '') return;
    last = text;
    if (!process.stdout.write(text)) await once(process.stdout, 'drain');
  };
  let pending = '';
  for (const chunk of chunks) {
    if (chunk.length >= DIRECT) {
      await write(pending);
      pending = '';
      await write(chunk);
      continue;
    }
    pending += chunk;
    if (pending.length >= BLOCK) {
      await write(pending);
      pending = '';
    }
  }
  await write(pending);
  if (last !== '' && !last.endsWith('\n')) process.stdout.write('\n');
}

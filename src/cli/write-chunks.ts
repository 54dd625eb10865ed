import { closeSync, openSync, writeSync } from 'node:fs';
import { once } from 'node:events';

/** Bytes written at once. */
const BLOCK = 1 << 20;
/** Texts at least this long are written as they are; shorter ones are packed into a block. */
const DIRECT = 1 << 16;

/**
 * The chunks as blocks of bytes: short texts (a report is mostly short pieces: one object, a few findings) are
 * encoded straight into a block, instead of being joined into a string that writing would copy once more to
 * flatten it; a long text is encoded on its own.
 */
function* blocks(chunks: Iterable<string>): Generator<Buffer> {
  const block = Buffer.allocUnsafe(BLOCK);
  let used = 0;
  const full = function* (): Generator<Buffer> {
    if (used === 0) return;
    yield block.subarray(0, used);
    used = 0;
  };
  for (const chunk of chunks) {
    if (chunk.length >= DIRECT) {
      yield* full();
      yield Buffer.from(chunk, 'utf8');
      continue;
    }
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    if (used + chunk.length * 3 > BLOCK) yield* full();
    used += block.write(chunk, used, 'utf8');
  }
  yield* full();
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

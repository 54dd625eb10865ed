import { closeSync, openSync, writeSync } from 'node:fs';
import { once } from 'node:events';

/** Bytes written at once. */
const BLOCK = 1 << 20;
/** Texts at least this long are written as they are; shorter ones are packed into a block. */
const DIRECT = 1 << 16;

/**
 * The chunks as blocks of bytes: short texts (a report is mostly short pieces: one object, a few findings) are
 * encoded straight into a block, instead of being joined into a string that writing would copy once more to
 * flatten it; long texts pass through. `fresh` gives each block its own memory (a stream may hold on to it).
 */
function* blocks(chunks: Iterable<string>, fresh: boolean): Generator<Buffer | string> {
  let block = Buffer.allocUnsafe(BLOCK);
  let used = 0;
  const full = function* (): Generator<Buffer> {
    if (used === 0) return;
    yield block.subarray(0, used);
    if (fresh) block = Buffer.allocUnsafe(BLOCK);
    used = 0;
  };
  for (const chunk of chunks) {
    if (chunk.length >= DIRECT) {
      yield* full();
      yield chunk;
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
    for (const block of blocks(chunks, false)) {
      if (typeof block === 'string') writeSync(fd, block);
      else writeSync(fd, block);
    }
  } finally {
    closeSync(fd);
  }
}

/** Writes the chunks to standard output, waiting whenever its buffer is full, ending with a newline. */
export async function writeChunksToStdout(chunks: Iterable<string>): Promise<void> {
  let lastByte = -1;
  for (const block of blocks(chunks, true)) {
    if (block.length === 0) continue;
    lastByte = typeof block === 'string' ? block.charCodeAt(block.length - 1) : block[block.length - 1]!;
    if (!process.stdout.write(block)) await once(process.stdout, 'drain');
  }
  if (lastByte !== -1 && lastByte !== 10) process.stdout.write('\n');
}

import { closeSync, openSync, writeSync } from 'node:fs';
import { once } from 'node:events';

/** Writes the chunks to a file (created or truncated) as they come: a report's text is never one string. */
export function writeChunksToFile(path: string, chunks: Iterable<string>): void {
  const fd = openSync(path, 'w');
  try {
    for (const chunk of chunks) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
}

/** Writes the chunks to standard output, waiting whenever its buffer is full, ending with a newline. */
export async function writeChunksToStdout(chunks: Iterable<string>): Promise<void> {
  let last = '';
  for (const chunk of chunks) {
    if (chunk === '') continue;
    last = chunk;
    if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
  }
  if (last !== '' && !last.endsWith('\n')) process.stdout.write('\n');
}

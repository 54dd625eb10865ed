import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** The sha256 (lowercase hex) of a file, read in 1 MiB chunks so memory does not grow with the file. */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

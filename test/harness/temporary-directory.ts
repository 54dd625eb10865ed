/**
 * Fresh directories for a test file's inputs and outputs, removed when its process exits (`node --test` runs each
 * test file in a process of its own), so that a run of the suite leaves nothing behind in the system's temp directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const created: string[] = [];

export function temporaryDirectory(prefix: string): string {
  if (created.length === 0) {
    process.once('exit', () => {
      for (const dir of created) rmSync(dir, { recursive: true, force: true });
    });
  }
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

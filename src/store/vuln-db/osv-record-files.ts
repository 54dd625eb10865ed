import { createReadStream } from 'node:fs';
import { opendir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import yauzl from 'yauzl';

/** One file that may hold OSV records: where it is (path, or "archive.zip!entry") and its text. */
export interface RecordFile {
  readonly location: string;
  readonly text: string;
}

const RECORD_FILE = /\.(json|ya?ml)$/i;

export function isRecordFileName(name: string): boolean {
  return RECORD_FILE.test(name);
}

/**
 * Every .json/.yaml/.yml file under a directory (recursively, in name order) or inside a zip archive, one at a
 * time, so memory holds one record file, never the whole export. Other files are skipped.
 */
export async function* recordFiles(path: string): AsyncGenerator<RecordFile> {
  const info = await stat(path);
  if (info.isDirectory()) yield* directoryFiles(path);
  else if (/\.zip$/i.test(path) || (await startsWithZipSignature(path))) yield* zipFiles(path);
  else yield { location: path, text: await readFile(path, 'utf8') };
}

async function* directoryFiles(dir: string): AsyncGenerator<RecordFile> {
  const entries: Array<{ name: string; directory: boolean }> = [];
  for await (const entry of await opendir(dir)) entries.push({ name: entry.name, directory: entry.isDirectory() });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.directory) yield* directoryFiles(path);
    else if (isRecordFileName(entry.name)) yield { location: path, text: await readFile(path, 'utf8') };
  }
}

async function startsWithZipSignature(path: string): Promise<boolean> {
  const stream = createReadStream(path, { start: 0, end: 3 });
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
}

export class ZipReadError extends Error {}

async function* zipFiles(path: string): AsyncGenerator<RecordFile> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (error, file) =>
      error ? reject(new ZipReadError(`${path}: not a readable zip archive (${error.message})`)) : resolve(file),
    ),
  );
  try {
    for (;;) {
      const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
        const onEntry = (e: yauzl.Entry): void => done(() => resolve(e));
        const onEnd = (): void => done(() => resolve(undefined));
        const onError = (error: Error): void => done(() => reject(new ZipReadError(`${path}: ${error.message}`)));
        const done = (then: () => void): void => {
          zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
          then();
        };
        zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
        zip.readEntry();
      });
      if (!entry) return;
      if (entry.fileName.endsWith('/') || !isRecordFileName(entry.fileName)) continue;
      const text = await new Promise<string>((resolve, reject) =>
        zip.openReadStream(entry, (error, stream) => {
          if (error) return reject(new ZipReadError(`${path}!${entry.fileName}: ${error.message}`));
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', (e) => reject(new ZipReadError(`${path}!${entry.fileName}: ${e.message}`)));
          stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        }),
      );
      yield { location: `${path}!${entry.fileName}`, text };
    }
  } finally {
    zip.close();
  }
}

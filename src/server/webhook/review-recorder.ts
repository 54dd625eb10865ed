/**
 * Where reviews and break-glass alerts go. A small interface so the store can implement it later; for now a JSON
 * Lines file. Recording never blocks or fails a review: lines are buffered by a write stream, and when the disk
 * falls behind by more than `maxBufferedBytes` further lines are dropped and counted (memory stays bounded).
 */
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import type { HistoryEntry } from './review-record.js';
import { redactedJson } from './review-record.js';

export interface ReviewRecorder {
  record(entry: HistoryEntry): void;
  /** Lines dropped because the destination fell behind. */
  readonly dropped: number;
  close(): Promise<void>;
}

export class JsonlReviewRecorder implements ReviewRecorder {
  private readonly stream: WriteStream;
  private failure: Error | undefined;
  dropped = 0;

  constructor(
    readonly path: string,
    private readonly maxBufferedBytes = 16 * 1024 * 1024,
  ) {
    this.stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
    this.stream.on('error', (error) => (this.failure = error));
  }

  /** The first write error (the file could not be opened or written), if any. */
  get error(): Error | undefined {
    return this.failure;
  }

  record(entry: HistoryEntry): void {
    if (this.failure || this.stream.writableLength > this.maxBufferedBytes) {
      this.dropped++;
      return;
    }
    const line = entry.type === 'review' && entry.object ? redactedJson(entry, entry.object) : JSON.stringify(entry);
    this.stream.write(`${line}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.stream.closed || this.stream.destroyed) return resolve();
      this.stream.end(() => resolve());
    });
  }
}

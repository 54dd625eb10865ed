/**
 * Where reviews and break-glass alerts go. A small interface so the store can implement it later; for now a JSON
 * Lines file. Recording never blocks or fails a review: lines are collected for up to `flushMs` (or 64 KiB) and
 * handed to the write stream in one write — a write per line cost more CPU than evaluating the review, since each
 * wakes a thread of the pool — and when the disk falls behind by more than `maxBufferedBytes` further lines are
 * dropped and counted (memory stays bounded). close() writes what is pending.
 */
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import type { HistoryEntry } from './review-record.js';
import { redactedJson } from './review-record.js';

/** Pending lines are written once they reach this size, without waiting for the timer. */
const FLUSH_BYTES = 64 * 1024;

export interface ReviewRecorder {
  record(entry: HistoryEntry): void;
  /** Lines dropped because the destination fell behind. */
  readonly dropped: number;
  close(): Promise<void>;
}

export class JsonlReviewRecorder implements ReviewRecorder {
  private readonly stream: WriteStream;
  private failure: Error | undefined;
  private pending: string[] = [];
  private pendingBytes = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  dropped = 0;

  constructor(
    readonly path: string,
    private readonly maxBufferedBytes = 16 * 1024 * 1024,
    private readonly flushMs = 100,
  ) {
    this.stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
    this.stream.on('error', (error) => (this.failure = error));
  }

  /** The first write error (the file could not be opened or written), if any. */
  get error(): Error | undefined {
    return this.failure;
  }

  record(entry: HistoryEntry): void {
    if (this.failure || this.stream.writableLength + this.pendingBytes > this.maxBufferedBytes) {
      this.dropped++;
      return;
    }
    const line = `${entry.type === 'review' && entry.object ? redactedJson(entry, entry.object) : JSON.stringify(entry)}\n`;
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    else if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => this.flush(), this.flushMs);
      this.flushTimer.unref();
    }
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending.length === 0 || this.stream.destroyed) return;
    const text = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    this.stream.write(text);
  }

  close(): Promise<void> {
    this.flush();
    return new Promise((resolve) => {
      if (this.stream.closed || this.stream.destroyed) return resolve();
      this.stream.end(() => resolve());
    });
  }
}

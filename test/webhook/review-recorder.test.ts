import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlReviewRecorder } from '../../src/server/webhook/review-recorder.js';
import type { ReviewRecord } from '../../src/server/webhook/review-record.js';
import { REVIEW_RECORD_VERSION } from '../../src/server/webhook/review-record.js';

function review(i: number): ReviewRecord {
  return {
    type: 'review',
    version: REVIEW_RECORD_VERSION,
    time: '2026-11-27T12:00:00.000Z',
    uid: `uid-${i}`,
    operation: 'CREATE',
    user: { username: 'alice', groups: [] },
    kind: { group: '', version: 'v1', kind: 'Pod' },
    resource: { apiVersion: 'v1', kind: 'Pod', name: `p-${i}`, namespace: 'team-a' },
    allowed: true,
  };
}

/** The uids recorded so far (the stream opens the file asynchronously: none yet before that). */
function uids(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { uid: string }).uid);
}

describe('JsonlReviewRecorder', () => {
  it('writes the lines of a burst in order, one JSON object per line, within the flush delay and on close', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'aspis-recorder-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'history.jsonl');
    const recorder = new JsonlReviewRecorder(path, 16 * 1024 * 1024, 20);
    for (let i = 0; i < 500; i++) recorder.record(review(i));
    // 500 lines exceed the 64 KiB batch: some are written at once, the rest after the delay.
    for (const deadline = Date.now() + 3000; uids(path).length < 500 && Date.now() < deadline; ) await new Promise((done) => setTimeout(done, 10));
    assert.deepEqual(uids(path), Array.from({ length: 500 }, (_, i) => `uid-${i}`));
    recorder.record(review(500));
    await recorder.close();
    assert.equal(uids(path).at(-1), 'uid-500', 'close() writes what is pending');
    assert.equal(recorder.dropped, 0);
  });

  it('drops and counts lines beyond the buffer limit instead of growing', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'aspis-recorder-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'history.jsonl');
    const line = JSON.stringify(review(0)).length + 1;
    const recorder = new JsonlReviewRecorder(path, line * 3, 60_000);
    for (let i = 0; i < 10; i++) recorder.record(review(i));
    await recorder.close();
    // Pending lines count against the limit: the fourth fits (3 lines are not over it), the rest are dropped.
    assert.deepEqual(uids(path), ['uid-0', 'uid-1', 'uid-2', 'uid-3']);
    assert.equal(recorder.dropped, 6);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeChunksToFile } from './write-chunks.js';

/** Pieces as a report has them: many short ones (some with multi-byte characters), now and then a long one. */
function pieces(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 150_000; i++) {
    if (i % 5_000 === 4_999) out.push(`{"long":"${'x'.repeat(70_000 + i)}"}`);
    else if (i % 7 === 0) out.push(`{"message":"é ✓ \u2028 😀 #${i}"}`);
    else out.push(i % 2 ? ',\n' : `{"n":${i}}`);
  }
  return out;
}

describe('writeChunksToFile', () => {
  it('writes exactly the concatenated text as UTF-8 across block boundaries', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aspis-chunks-'));
    try {
      const chunks = pieces();
      const expected = Buffer.from(chunks.join(''), 'utf8');
      assert.ok(expected.length > 3 * (1 << 20), 'the text spans several blocks');
      writeChunksToFile(join(dir, 'out.json'), chunks);
      assert.ok(readFileSync(join(dir, 'out.json')).equals(expected));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never splits a character of a long text, whatever its length', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aspis-chunks-'));
    try {
      // Long texts are encoded in pieces of a third of a block (349,525 code units): put a surrogate pair on each cut.
      const piece = Math.floor((1 << 20) / 3);
      for (const offset of [-2, -1, 0, 1]) {
        const long = `${'a'.repeat(piece + offset)}😀${'é'.repeat(piece)}😀${'z'.repeat(piece * 2)}`;
        const chunks = ['{"a":1}', long, '✓', long];
        writeChunksToFile(join(dir, 'out.json'), chunks);
        assert.ok(readFileSync(join(dir, 'out.json')).equals(Buffer.from(chunks.join(''), 'utf8')), `cut at ${offset}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never splits a character at the end of a block', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aspis-chunks-'));
    try {
      // Blocks are 1 MiB: fill one to a few bytes short of its end, then add characters of 3 and 4 bytes.
      for (let short = 1; short <= 8; short++) {
        const fill = Array.from({ length: 1048 }, () => 'a'.repeat(1000));
        fill.push('b'.repeat((1 << 20) - 1_048_000 - short));
        const chunks = [...fill, '✓✓', '😀', 'end'];
        writeChunksToFile(join(dir, 'out.json'), chunks);
        assert.ok(readFileSync(join(dir, 'out.json')).equals(Buffer.from(chunks.join(''), 'utf8')), `${short} bytes short`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('writeChunksToStdout', () => {
  const module = JSON.stringify(new URL('./write-chunks.ts', import.meta.url).href);
  const script = `
    const { writeChunksToStdout } = await import(${module});
    const input = [];
    for await (const part of process.stdin) input.push(part);
    await writeChunksToStdout(JSON.parse(Buffer.concat(input).toString('utf8')));`;
  const stdoutOf = (chunks: string[]): Buffer => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      input: JSON.stringify(chunks),
      maxBuffer: 1 << 28,
    });
    assert.equal(child.status, 0, child.stderr.toString());
    return child.stdout;
  };

  it('writes the same bytes to standard output, and ends them with a newline', () => {
    const chunks = pieces();
    assert.ok(stdoutOf(chunks).equals(Buffer.from(`${chunks.join('')}\n`, 'utf8')));
  });

  it('adds no newline after text that ends with one, and writes nothing for no text', () => {
    assert.equal(stdoutOf(['{"a":1}', '\n']).toString('utf8'), '{"a":1}\n');
    assert.equal(stdoutOf(['x'.repeat(70_000), '\n']).toString('utf8'), `${'x'.repeat(70_000)}\n`);
    assert.equal(stdoutOf(['', '']).length, 0);
  });
});

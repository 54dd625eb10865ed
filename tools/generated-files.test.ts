import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { relative } from 'node:path';
import { GENERATED_FILES } from './generated-files.js';

for (const file of GENERATED_FILES) {
  it(`${relative(process.cwd(), file.path)} is up to date (run npm run generate)`, async () => {
    assert.ok(existsSync(file.path), `${file.path} is missing`);
    assert.equal(readFileSync(file.path, 'utf8'), await file.render());
  });
}

/** Regenerates every generated file. A test compares each with its committed copy. */
import { writeFileSync } from 'node:fs';
import { GENERATED_FILES } from './generated-files.js';

for (const file of GENERATED_FILES) {
  writeFileSync(file.path, await file.render());
  console.log(`wrote ${file.path}`);
}

/** Regenerates every generated file. A test compares each with its committed copy. */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CHECK_INDEX_PATH } from './generate-check-index.js';
import { GENERATED_FILES } from './generated-files.js';

const indexBefore = readFileSync(CHECK_INDEX_PATH, 'utf8');
for (const file of GENERATED_FILES) {
  writeFileSync(file.path, await file.render());
  console.log(`wrote ${file.path}`);
}

// The docs above were rendered from the check index this process loaded at start. When a check was added or
// removed, the index just changed: render everything again in a fresh process that loads the new index.
if (readFileSync(CHECK_INDEX_PATH, 'utf8') !== indexBefore && !process.env['ASPIS_GENERATE_RERUN']) {
  const rerun = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    stdio: 'inherit',
    env: { ...process.env, ASPIS_GENERATE_RERUN: '1' },
  });
  process.exitCode = rerun.status ?? 1;
}

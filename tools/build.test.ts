/**
 * The bundle `npm run build` writes is the CLI users run (bin/aspis.js imports dist/cli/bin.js): it must behave as the
 * sources do, find its package.json, and start its scan worker threads, which it finds by path (a wrong path would
 * not fail the scan, only leave the workers' files to the main thread). Built here into a temporary package folder.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import jsyaml from 'js-yaml';
import { generateWorkload } from '../bench/workload-generator.js';
import { REPO_ROOT } from '../test/cli/run-cli.js';
import { runCliInProcess } from '../test/cli/run-cli-in-process.js';
import { buildCli } from './build.js';
import { defaultMinBytes } from '../src/cli/scan/scan-workers.js';

const work = mkdtempSync(join(tmpdir(), 'aspis-build-'));
const bin = join(work, 'dist/cli/bin.js');

/** Runs the built CLI in a child process; `nodeArgs` go to node before the script. */
function runBuilt(args: string[], nodeArgs: string[] = []): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [...nodeArgs, bin, ...args], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Input worth starting workers for (at least defaultMinBytes of files): three files of ~6 MB, mostly YAML comments,
 * each with a few workloads.
 */
function workerInput(): string {
  const dir = join(work, 'input');
  if (existsSync(dir)) return dir;
  mkdirSync(dir);
  const padding = `# ${'x'.repeat(78)}\n`.repeat(Math.ceil(defaultMinBytes(availableParallelism()) / 3 / 80) + 1);
  for (let file = 0; file < 3; file++) {
    const docs = Array.from({ length: 5 }, (_, i) => jsyaml.dump(generateWorkload(file * 5 + i)));
    writeFileSync(join(dir, `w${file}.yaml`), padding + docs.join('---\n'));
  }
  return dir;
}

/** Observes the real workers from inside the process (the CLI ignores a worker's errors and scans its files itself). */
const WORKER_OBSERVER = `data:text/javascript,${encodeURIComponent(`
  const seen = { workers: 0, results: 0, errors: [] };
  process.on('worker', (worker) => {
    seen.workers++;
    worker.on('message', () => seen.results++);
    worker.on('error', (error) => seen.errors.push(String(error)));
  });
  process.on('exit', () => process.stderr.write('WORKERS ' + JSON.stringify(seen) + '\\n'));
`)}`;

function assertWorkersScanned(stderr: string): void {
  const line = stderr.split('\n').find((l) => l.startsWith('WORKERS '));
  assert.ok(line, stderr);
  const seen = JSON.parse(line.slice('WORKERS '.length)) as { workers: number; results: number; errors: string[] };
  assert.ok(seen.workers >= 1, 'worker threads started');
  assert.deepEqual(seen.errors, []);
  assert.ok(seen.results >= 1, 'the workers sent back scanned files');
}

const withoutClock = (report: string): unknown => {
  const { generatedAt: _clock, ...rest } = JSON.parse(report) as Record<string, unknown>;
  return rest;
};

before(async () => {
  // A package folder like an installed Aspis: package.json, node_modules (dependencies stay external), dist/.
  copyFileSync(join(REPO_ROOT, 'package.json'), join(work, 'package.json'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(work, 'node_modules'));
  await buildCli(join(work, 'dist'));
});
// rmSync removes the node_modules symlink, not what it points to.
after(() => rmSync(work, { recursive: true, force: true }));

describe('the bundled CLI (tools/build.ts)', () => {
  it('reports the version of its package.json, found from a shared chunk', () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = runBuilt(['--version']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), version);
  });

  it('writes the report the sources write', async () => {
    const args = ['scan', 'manifests', join(REPO_ROOT, 'examples'), '-o', 'json'];
    const built = runBuilt(args);
    const sources = await runCliInProcess(args);
    assert.equal(built.code, sources.code, built.stderr);
    assert.ok(JSON.parse(built.stdout).summary.findings > 0);
    assert.deepEqual(withoutClock(built.stdout), withoutClock(sources.stdout));
  });

  it('starts its scan worker threads, which scan files and fail nothing', () => {
    const result = runBuilt(['scan', 'manifests', workerInput(), '-o', 'json'], ['--import', WORKER_OBSERVER]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).summary.objects, 15);
    assertWorkersScanned(result.stderr);
  });

  it('starts them too when its main() runs in a process started with --input-type and -e, as the benchmark runs it', () => {
    // Workers inherit the process's Node options, and these made each one fail at once: the scan ran on one thread.
    const main = JSON.stringify(pathToFileURL(join(work, 'dist/cli/main.js')).href);
    const script = `const { main } = await import(${main}); process.exitCode = await main(['node', 'aspis', 'scan', 'manifests', ${JSON.stringify(workerInput())}, '-o', 'json']);`;
    for (const v8 of [[], ['--max-old-space-size=2048']]) {
      const nodeArgs = ['--import', WORKER_OBSERVER, ...v8, '--input-type=module', '-e', script];
      const result = spawnSync(process.execPath, nodeArgs, { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(JSON.parse(result.stdout).summary.objects, 15);
      assertWorkersScanned(result.stderr);
    }
  });

  it('starts them when node is given V8 options, which a worker cannot be given', () => {
    // Passing the process's options on to a worker as execArgv failed the whole scan on any V8 option (exit 2,
    // "Initiated Worker with invalid execArgv flags: --max-old-space-size=2048").
    const result = runBuilt(['scan', 'manifests', workerInput(), '-o', 'json'], ['--import', WORKER_OBSERVER, '--max-old-space-size=2048', '--stack-size=2000']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).summary.objects, 15);
    assertWorkersScanned(result.stderr);
  });
});

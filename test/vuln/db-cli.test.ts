/**
 * `aspis db import` and `aspis db update` as a user runs them (the real CLI in a child process): directories,
 * zip archives and single files, JSON and YAML; bad records reported with file and field while the rest is
 * imported (exit 2); `db update` against a local HTTP server serving zips built from the osv-advisories corpus,
 * one ecosystem answering 404.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { corpusDir } from '../corpora/corpus-location.js';
import { runCli, REPO_ROOT } from '../cli/run-cli.js';
import { zipArchive } from './zip-archive.js';

const corpus = corpusDir('osv-advisories');
const work = mkdtempSync(join(tmpdir(), 'aspis-db-cli-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** The corpus's records of one folder as zip entries, named as OSV's exports name them (<ID>.json). */
function corpusEntries(folder: string): Array<{ name: string; data: Buffer }> {
  return readdirSync(join(corpus, folder)).filter((n) => n.endsWith('.json')).map((name) => ({ name, data: readFileSync(join(corpus, folder, name)) }));
}

const goodRecord = (id: string, version: string): string =>
  JSON.stringify({
    id,
    modified: '2024-01-01T00:00:00Z',
    aliases: ['CVE-2099-0001'],
    summary: 'test record',
    affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: version }] }] }],
  });

describe('aspis db import', () => {
  it('imports a directory of JSON records and a zip archive, then reports status', () => {
    const db = join(work, 'import.sqlite');
    const zip = join(work, 'go-sample.zip');
    writeFileSync(zip, zipArchive(corpusEntries('go').slice(0, 200)));
    const result = runCli(['db', 'import', join(corpus, 'npm'), zip, '--db', db]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /npm: 16 records read, 16 added/);
    assert.match(result.stdout, /go-sample\.zip: 200 records read, 200 added/);
    const status = runCli(['db', 'status', '--db', db, '-o', 'json']);
    assert.equal(status.code, 0, status.stderr);
    const meta = JSON.parse(status.stdout) as { records: number; recordsPerEcosystem: Record<string, number>; source: string };
    assert.equal(meta.records, 216);
    assert.equal(meta.recordsPerEcosystem['npm'], 16);
    assert.ok(meta.recordsPerEcosystem['Go']! > 0);
    assert.ok(meta.source.includes('go-sample.zip'));
  });

  it('reports each bad record with its file and field, imports the good ones, exits 2', () => {
    const dir = join(work, 'mixed');
    mkdirSync(join(dir, 'nested'), { recursive: true });
    writeFileSync(join(dir, 'GOOD-1.json'), goodRecord('GOOD-1', '1.3.0'));
    writeFileSync(join(dir, 'nested', 'GOOD-2.yaml'), `id: GOOD-2\nmodified: 2024-01-02T00:00:00Z\naffected:\n  - package: {ecosystem: PyPI, name: Some_Package}\n    ranges:\n      - type: ECOSYSTEM\n        events: [{introduced: "0"}, {fixed: "2.0"}]\n`);
    writeFileSync(join(dir, 'BAD-JSON.json'), '{"id": "BAD-JSON", ');
    writeFileSync(join(dir, 'BAD-YAML.yaml'), 'id: [unclosed\n');
    writeFileSync(join(dir, 'BAD-EVENT.json'), JSON.stringify({ id: 'BAD-EVENT', modified: '2024-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0', fixed: '1.0.0' }] }] }] }));
    writeFileSync(join(dir, 'NO-ID.json'), JSON.stringify({ modified: '2024-01-01T00:00:00Z' }));
    writeFileSync(join(dir, 'README.txt'), 'not a record');
    const db = join(work, 'mixed.sqlite');
    const result = runCli(['db', 'import', dir, '--db', db]);
    assert.equal(result.code, 2);
    assert.match(result.stdout, /4 records read/);
    assert.match(result.stdout, /2 added/);
    const errors = result.stderr.trim().split('\n');
    assert.ok(errors.some((l) => l.includes('BAD-JSON.json: invalid JSON')), result.stderr);
    assert.ok(errors.some((l) => /BAD-YAML\.yaml(:\d+)?: invalid YAML/.test(l)), result.stderr);
    assert.ok(errors.some((l) => l.includes('BAD-EVENT.json (BAD-EVENT): affected[0].ranges[0].events[0]: must have exactly one of')), result.stderr);
    assert.ok(errors.some((l) => l.includes('NO-ID.json: id: must be a non-empty string')), result.stderr);
    assert.equal(errors.length, 4, result.stderr);
    const found = runCli(['db', 'status', '--db', db, '-o', 'json']);
    assert.deepEqual(JSON.parse(found.stdout).recordsPerEcosystem, { PyPI: 1, npm: 1 });
  });

  it('is an error to import a path that does not exist or holds no record', () => {
    const db = join(work, 'empty.sqlite');
    const missing = runCli(['db', 'import', join(work, 'no-such-dir'), '--db', db]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no-such-dir: no such file or directory/);
    const emptyDir = join(work, 'empty');
    mkdirSync(emptyDir);
    const empty = runCli(['db', 'import', emptyDir, '--db', db]);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /no OSV records found/);
  });

  it('is an error to read status of a database that does not exist', () => {
    const result = runCli(['db', 'status', '--db', join(work, 'never.sqlite')]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /no vulnerability database at .*never\.sqlite/);
  });
});

describe('aspis db update', () => {
  let server: Server;
  let base: string;
  const requests: string[] = [];

  before(async () => {
    // Per-ecosystem exports, as OSV lays them out: /<ecosystem>/all.zip.
    const exports = new Map<string, Buffer>([
      ['/npm/all.zip', zipArchive(corpusEntries('npm'))],
      ['/Ubuntu/all.zip', zipArchive(corpusEntries('ubuntu'))],
    ]);
    server = createServer((request, response) => {
      requests.push(request.url ?? '');
      const body = exports.get(request.url ?? '');
      if (!body) {
        response.writeHead(404).end('not found');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/zip', 'content-length': body.length }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  /** The CLI in a child process without blocking this process's event loop (the HTTP server runs here). */
  function runCliAsync(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(REPO_ROOT, 'src/cli/bin.ts'), ...args], { cwd: REPO_ROOT });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d));
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }

  it('downloads each ecosystem export, imports it, keeps going past a 404 and exits 2', async () => {
    const db = join(work, 'update', 'osv.sqlite');
    const result = await runCliAsync(['db', 'update', '--from', base, '--ecosystem', 'npm', 'Ubuntu', 'PyPI', '--db', db, '-o', 'json']);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /\/PyPI\/all\.zip: HTTP 404/);
    assert.deepEqual(requests.slice(-3), ['/npm/all.zip', '/Ubuntu/all.zip', '/PyPI/all.zip']);
    const report = JSON.parse(result.stdout) as { database: { records: number; source: string; recordsPerEcosystem: Record<string, number> } };
    assert.equal(report.database.records, 22);
    assert.equal(report.database.source, base);
    assert.equal(report.database.recordsPerEcosystem['Ubuntu:22.04:LTS'], 6);
    assert.deepEqual(readdirSync(join(work, 'update', 'downloads')), [], 'downloaded zips are removed');
  });

  it('takes one .zip URL, and exits 0 when everything imported', async () => {
    const db = join(work, 'update-one.sqlite');
    const result = await runCliAsync(['db', 'update', '--from', `${base}/npm/all.zip`, '--db', db]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /npm\/all\.zip: 16 records read, 16 added/);
    assert.ok(existsSync(db));
  });

  it('names the URL when the server cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await runCliAsync(['db', 'update', '--from', `http://127.0.0.1:${port}/mirror`, '--ecosystem', 'npm', '--db', join(work, 'unreachable.sqlite')]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, new RegExp(`http://127\\.0\\.0\\.1:${port}/mirror/npm/all\\.zip: .*ECONNREFUSED`));
  });
});

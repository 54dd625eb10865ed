/**
 * OCI layouts, OCI archives and docker-save archives written on disk from real tar layers: image selection by name
 * and platform, and bad input (tampered blobs, unknown media types, path traversal, compressed archives, large files).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildLayer, tarBytes } from './build-layer.js';
import { writeDockerArchive, writeOciLayout } from './write-oci-layout.js';
import { REPO_ROOT, runCli } from '../../cli/run-cli.js';
import { openImage } from '../../../src/sources/image/open-image.js';
import { readImage } from '../../../src/sources/image/read-image.js';
import { walkLayers } from '../../../src/image/layer-walk.js';
import { SpillingContentStore } from '../../../src/sources/image/spilling-content-store.js';

const OS_RELEASE = 'ID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine Linux v3.19"\n';
const pkgJson = (name: string, version: string): string => JSON.stringify({ name, version, license: 'MIT' });

let work: string;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'aspis-local-sources-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

async function finalFiles(input: string, options: { platform?: string } = {}): Promise<Record<string, string>> {
  const image = await openImage(input, options);
  const walk = await walkLayers({ layers: image.layers, open: (l) => image.openLayer(l), wants: () => true });
  const out: Record<string, string> = {};
  for (const i of walk.inputs) out[i.file.path] = Buffer.from(await i.content.read(0, i.content.size)).toString();
  return out;
}

describe('OCI layout: choosing the image', () => {
  it('by ref.name when the layout holds several, and says which names exist otherwise', async () => {
    const dir = join(work, 'named');
    writeOciLayout(dir, [
      { refName: 'one', layers: [await buildLayer([{ name: 'which', content: 'one' }])] },
      { refName: 'two', layers: [await buildLayer([{ name: 'which', content: 'two' }])] },
    ]);
    assert.deepEqual(await finalFiles(`oci:${dir}:two`), { '/which': 'two' });
    assert.deepEqual(await finalFiles(`${dir}:one`), { '/which': 'one' });
    await assert.rejects(openImage(dir), /holds several images \(one, two\); name one as PATH:NAME/);
    await assert.rejects(openImage(`oci:${dir}:three`), /no image named "three" \(names: one, two\)/);
  });

  it('by --platform from a multi-platform index; a platform it lacks is an error listing what it has', async () => {
    const dir = join(work, 'multi');
    writeOciLayout(dir, [
      { platform: { os: 'linux', architecture: 'amd64' }, layers: [await buildLayer([{ name: 'arch', content: 'amd64' }])] },
      { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, layers: [await buildLayer([{ name: 'arch', content: 'arm64' }], 'zstd')] },
    ]);
    assert.deepEqual(await finalFiles(dir, { platform: 'linux/arm64' }), { '/arch': 'arm64' });
    assert.deepEqual(await finalFiles(dir, { platform: 'linux/arm64/v8' }), { '/arch': 'arm64' });
    assert.deepEqual(await finalFiles(dir, { platform: 'linux/amd64' }), { '/arch': 'amd64' });
    await assert.rejects(openImage(dir, { platform: 'linux/s390x' }), /no manifest for platform linux\/s390x \(the index offers linux\/amd64, linux\/arm64\/v8\)/);
    await assert.rejects(openImage(dir, { platform: 'linux' }), /invalid platform "linux"/);
  });
});

describe('bad input', () => {
  it('a tampered layer blob is a digest mismatch: reported, exit 2, the other layers still read', async () => {
    const dir = join(work, 'tampered');
    const base = await buildLayer([
      { name: 'usr/lib/node_modules/left-pad/package.json', content: pkgJson('left-pad', '1.3.0') },
      { name: 'etc/os-release', content: OS_RELEASE },
    ]);
    const top = await buildLayer([{ name: 'usr/lib/node_modules/lodash/package.json', content: pkgJson('lodash', '4.17.20') }], 'none');
    writeOciLayout(dir, [{ layers: [base, top] }]);
    const blob = join(dir, 'blobs/sha256', top.digest.slice(7));
    const bytes = readFileSync(blob);
    bytes[600] = bytes[600]! ^ 0xff;
    writeFileSync(blob, bytes);
    const result = await readImage(`oci:${dir}`, { cacheDir: join(work, 'cache') });
    assert.deepEqual(result.catalog.packages.map((p) => `${p.name}@${p.version}`), ['left-pad@1.3.0']);
    assert.equal(result.problemLines.length, 1);
    assert.match(result.problemLines[0]!, new RegExp(`^layer ${top.digest}: digest mismatch: content is sha256:[0-9a-f]{64}, expected ${top.digest}`));
    const cli = runCli(['sbom', `oci:${dir}`]);
    assert.equal(cli.code, 2);
    assert.match(cli.stderr, /digest mismatch/);
    assert.match(cli.stdout, /left-pad/, 'the SBOM of what could be read is still written');
  });

  it('a tampered gzip layer is reported as corrupt, naming the layer', async () => {
    const dir = join(work, 'tampered-gzip');
    const layer = await buildLayer([{ name: 'usr/lib/node_modules/a/package.json', content: pkgJson('a', '1.0.0') }]);
    writeOciLayout(dir, [{ layers: [layer] }]);
    const blob = join(dir, 'blobs/sha256', layer.digest.slice(7));
    const bytes = readFileSync(blob);
    bytes[bytes.length - 6] = bytes[bytes.length - 6]! ^ 0xff;
    writeFileSync(blob, bytes);
    const result = await readImage(`oci:${dir}`, { cacheDir: join(work, 'cache') });
    assert.deepEqual(result.catalog.packages, []);
    assert.match(result.problemLines.join('\n'), new RegExp(`layer ${layer.digest}: .*(corrupt gzip data|digest mismatch).*left out`));
  });

  it('a layer of an unknown media type is reported and skipped; the others are read', async () => {
    const dir = join(work, 'unknown-media');
    const base = await buildLayer([{ name: 'usr/lib/node_modules/a/package.json', content: pkgJson('a', '1.0.0') }]);
    const odd = await buildLayer([{ name: 'usr/lib/node_modules/b/package.json', content: pkgJson('b', '1.0.0') }]);
    writeOciLayout(dir, [{ layers: [base, odd], mediaTypes: [base.mediaType, 'application/vnd.example.weird+lz4'] }]);
    const result = await readImage(`oci:${dir}`, { cacheDir: join(work, 'cache') });
    assert.deepEqual(result.catalog.packages.map((p) => p.name), ['a']);
    assert.match(result.problemLines.join('\n'), /unknown layer media type "application\/vnd\.example\.weird\+lz4".*layer not read/);
  });

  it('path traversal writes nothing anywhere: ../ and absolute names, symlink and hard-link escapes', async () => {
    const marker = `aspis-escape-${process.pid}-${Date.now()}`;
    const dir = join(work, 'traversal');
    const layer = await buildLayer([
      { name: `../../../../../../tmp/${marker}`, content: 'escaped' },
      { name: `/tmp/${marker}-absolute`, content: 'rooted in the image' },
      { name: 'etc/os-release', type: 'symlink', linkname: '../../../../../../etc/os-release' },
      { name: 'usr/lib/node_modules/x/package.json', type: 'link', linkname: '../../../../../etc/passwd' },
      { name: 'usr/lib/node_modules/y/package.json', content: pkgJson('y', '2.0.0') },
    ]);
    writeOciLayout(dir, [{ layers: [layer] }]);
    const cache = join(work, 'traversal-cache');
    const before = readdirSync('/tmp').length;
    const run = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), join(REPO_ROOT, 'src/cli/bin.ts'), 'sbom', `oci:${dir}`], {
      encoding: 'utf8',
      env: { ...process.env, ASPIS_CACHE_DIR: cache },
    });
    const cli = { code: run.status, stdout: run.stdout, stderr: run.stderr };
    assert.equal(cli.code, 2);
    assert.match(cli.stderr, new RegExp(`"\\.\\./\\.\\./\\.\\./\\.\\./\\.\\./\\.\\./tmp/${marker}": tar entry .* climbs above the image root`));
    assert.match(cli.stderr, /"usr\/lib\/node_modules\/x\/package.json": hard link target: .*climbs above the image root/);
    assert.match(cli.stdout, /"name": "y"/);
    assert.equal(existsSync(`/tmp/${marker}`), false);
    assert.equal(existsSync(`/tmp/${marker}-absolute`), false);
    assert.equal(existsSync(cache), false, 'nothing was even written to the cache');
    assert.ok(readdirSync('/tmp').length <= before + 1, 'no new files in /tmp (other tests may add one)');
  });

  it('a compressed docker archive is refused with a message saying to decompress it', async () => {
    const file = join(work, 'saved.tar');
    writeDockerArchive(join(work, 'saved'), file, [{ tar: await tarBytes([{ name: 'etc/os-release', content: OS_RELEASE }]) }], 'example/app:1');
    assert.deepEqual(await finalFiles(`docker-archive:${file}:example/app:1`), { '/etc/os-release': OS_RELEASE });
    assert.deepEqual(await finalFiles(file), { '/etc/os-release': OS_RELEASE });
    writeFileSync(`${file}.gz`, gzipSync(readFileSync(file)));
    await assert.rejects(openImage(`${file}.gz`), /is gzip-compressed; decompress it first \(e\.g\. gunzip\)/);
  });

  it('a docker archive whose layer.tar differs from the config diff id is a digest mismatch', async () => {
    const dir = join(work, 'saved-bad');
    const file = join(work, 'saved-bad.tar');
    writeDockerArchive(dir, file, [{ tar: await tarBytes([{ name: 'a', content: 'original' }]) }], 'example/app:1');
    const id = readdirSync(dir).find((n) => /^[0-9a-f]{64}$/.test(n))!;
    const layerTar = readFileSync(join(dir, id, 'layer.tar'));
    layerTar.write('tampered', 512);
    writeFileSync(join(dir, id, 'layer.tar'), layerTar);
    execFileSync('tar', ['-cf', file, '-C', dir, '.']);
    const result = await readImage(file, { cacheDir: join(work, 'cache') });
    assert.match(result.problemLines.join('\n'), /digest mismatch/);
  });

  it('a truncated OCI archive is an error naming the file', async () => {
    const dir = join(work, 'to-archive');
    writeOciLayout(dir, [{ layers: [await buildLayer([{ name: 'f', content: 'x'.repeat(5000) }], 'none')] }]);
    const file = join(work, 'oci.tar');
    execFileSync('tar', ['-cf', file, '-C', dir, '.']);
    assert.deepEqual(await finalFiles(`oci-archive:${file}`), { '/f': 'x'.repeat(5000) });
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 8000));
    await assert.rejects(
      (async () => {
        const result = await readImage(`oci-archive:${file}`, { cacheDir: join(work, 'cache') });
        if (result.problemLines.length > 0) throw new Error(result.problemLines.join('\n'));
      })(),
      new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`),
    );
  });
});

describe('spilling content store', () => {
  it('keeps small files in memory, spills large ones to the cache, reads them back, removes them', async () => {
    const cache = join(work, 'spill');
    const store = new SpillingContentStore(cache, { maxInMemoryFile: 1000, memoryBudget: 1500 });
    const chunks = (text: string): AsyncIterable<Uint8Array> => (async function* () { yield Buffer.from(text); })();
    const small = await store.keep(chunks('s'.repeat(900)), 900);
    const budgetSpent = await store.keep(chunks('m'.repeat(900)), 900);
    const large = await store.keep(chunks(`${'L'.repeat(5000)}END`), 5003);
    assert.equal(store.spilledFiles, 2);
    assert.equal(Buffer.from(await small.read(0, 900)).toString(), 's'.repeat(900));
    assert.equal(Buffer.from(await budgetSpent.read(895, 100)).toString(), 'mmmmm');
    assert.equal(Buffer.from(await large.read(5000, 10)).toString(), 'END');
    assert.equal(large.size, 5003);
    assert.equal(readdirSync(join(cache, 'tmp')).length, 1);
    await store.dispose();
    assert.deepEqual(readdirSync(join(cache, 'tmp')), []);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { buildLayer, type BuiltLayer, type LayerEntry, type Compression } from '../../test/image/sources/build-layer.js';
import type { ImageFile } from './catalogers/cataloger.js';
import { walkLayers, type LayerToRead, type LayerWalkResult } from './layer-walk.js';
import { formatImageProblem } from './image-problem.js';

async function walk(layers: BuiltLayer[], wants: (f: ImageFile) => boolean, tamper?: (i: number, blob: Buffer) => Buffer): Promise<LayerWalkResult & { opened: number[] }> {
  const opened: number[] = [];
  const toRead: LayerToRead[] = layers.map((l, index) => ({ index, digest: l.digest, compression: l.compression, verify: { digest: l.digest, size: l.size } }));
  const result = await walkLayers({
    layers: toRead,
    open: async (layer) => {
      opened.push(layer.index);
      const blob = layers[layer.index]!.blob;
      return Readable.from([tamper ? tamper(layer.index, blob) : blob]);
    },
    wants,
  });
  return Object.assign(result, { opened });
}

async function texts(result: LayerWalkResult): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const input of result.inputs) out[input.file.path] = Buffer.from(await input.content.read(0, input.content.size)).toString();
  return out;
}

const finalPaths = (r: LayerWalkResult): string[] => [...r.view.entries()].map((e) => e.file.path).sort();

describe('walkLayers: final filesystem', () => {
  for (const compression of ['gzip', 'zstd', 'none'] as Compression[]) {
    it(`upper layers override lower ones, whiteouts delete, opaque dirs hide lower content (${compression})`, async () => {
      const base = await buildLayer(
        [
          { name: 'etc/', type: 'directory' },
          { name: 'etc/a.conf', content: 'a-base' },
          { name: 'etc/b.conf', content: 'b-base' },
          { name: 'opt/', type: 'directory' },
          { name: 'opt/app/', type: 'directory' },
          { name: 'opt/app/old.txt', content: 'old' },
          { name: 'var/', type: 'directory' },
          { name: 'var/gone/', type: 'directory' },
          { name: 'var/gone/file', content: 'x' },
          { name: 'srv/', type: 'directory' },
          { name: 'srv/dir/', type: 'directory' },
          { name: 'srv/dir/inner', content: 'hidden by a file replacing the directory' },
        ],
        compression,
      );
      const top = await buildLayer(
        [
          { name: 'etc/a.conf', content: 'a-top' },
          { name: 'etc/.wh.b.conf' },
          { name: 'opt/app/', type: 'directory' },
          { name: 'opt/app/.wh..wh..opq' },
          { name: 'opt/app/new.txt', content: 'new' },
          { name: 'var/.wh.gone' },
          { name: 'srv/dir', content: 'now a file' },
        ],
        compression,
      );
      const result = await walk([base, top], () => true);
      assert.deepEqual(result.problems, []);
      assert.deepEqual(finalPaths(result), ['/etc', '/etc/a.conf', '/opt', '/opt/app', '/opt/app/new.txt', '/srv', '/srv/dir', '/var']);
      assert.deepEqual(await texts(result), { '/etc/a.conf': 'a-top', '/opt/app/new.txt': 'new', '/srv/dir': 'now a file' });
      assert.equal(result.view.get('/etc/a.conf')!.file.layerDigest, top.digest);
      assert.deepEqual(result.opened, [1, 0], 'read top down, each layer once');
    });
  }

  it('a whiteout does not delete a file of its own layer; the last entry of a layer for a path wins', async () => {
    const base = await buildLayer([{ name: 'f', content: 'base' }, { name: 'g', content: 'base-g' }]);
    const top = await buildLayer([{ name: 'f', content: 'first' }, { name: '.wh.f' }, { name: 'f', content: 'second' }, { name: '.wh.g' }]);
    const result = await walk([base, top], () => true);
    assert.deepEqual(await texts(result), { '/f': 'second' });
  });

  it('asks wants() once per final file and keeps only wanted files', async () => {
    const base = await buildLayer([{ name: 'keep.txt', content: 'k' }, { name: 'skip.txt', content: 's' }, { name: 'over.txt', content: 'lower' }]);
    const top = await buildLayer([{ name: 'over.txt', content: 'upper' }]);
    const asked: string[] = [];
    const result = await walk([base, top], (f) => (asked.push(f.path), f.path !== '/skip.txt'));
    assert.deepEqual(asked.sort(), ['/keep.txt', '/over.txt', '/skip.txt']);
    assert.deepEqual(await texts(result), { '/keep.txt': 'k', '/over.txt': 'upper' });
    assert.equal(result.stats.keptFiles, 2);
  });
});

describe('walkLayers: links', () => {
  it('offers a wanted symlink with its target content, through directory symlinks and absolute targets', async () => {
    const layer = await buildLayer([
      { name: 'etc/', type: 'directory' },
      { name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
      { name: 'lib', type: 'symlink', linkname: 'usr/lib' },
      { name: 'usr/lib/', type: 'directory' },
      { name: 'usr/lib/os-release', content: 'ID=debian' },
      { name: 'usr/lib/real.txt', content: 'real' },
      { name: 'via-dir-link', type: 'symlink', linkname: '/lib/real.txt' },
    ]);
    const result = await walk([layer], (f) => f.path === '/etc/os-release' || f.path === '/via-dir-link');
    assert.deepEqual(result.problems, []);
    assert.deepEqual(await texts(result), { '/etc/os-release': 'ID=debian', '/via-dir-link': 'real' });
    const input = result.inputs.find((i) => i.file.path === '/etc/os-release')!;
    assert.equal(input.file.linkTarget, '../usr/lib/os-release');
    assert.equal(result.stats.rereadPasses, 1, '/via-dir-link needed /usr/lib/real.txt, read before the link was seen');
  });

  it('symlinks that climb out of the root stay inside the image', async () => {
    const layer = await buildLayer([
      { name: 'etc/passwd', content: 'root:x:0:0 (the image’s own)' },
      { name: 'escape', type: 'symlink', linkname: '../../../../../etc/passwd' },
    ]);
    const result = await walk([layer], (f) => f.path === '/escape');
    assert.deepEqual(await texts(result), { '/escape': 'root:x:0:0 (the image’s own)' });
  });

  it('a symlink target from a lower layer is kept on the first pass', async () => {
    const base = await buildLayer([{ name: 'usr/lib/os-release', content: 'ID=alpine' }]);
    const top = await buildLayer([{ name: 'etc/os-release', type: 'symlink', linkname: '/usr/lib/os-release' }]);
    const result = await walk([base, top], (f) => f.path === '/etc/os-release');
    assert.deepEqual(await texts(result), { '/etc/os-release': 'ID=alpine' });
    assert.equal(result.stats.rereadPasses, 0);
  });

  it('hard links get the bytes of their target in the same layer, or of a lower layer', async () => {
    const base = await buildLayer([{ name: 'bin/lower', content: 'lower bytes' }]);
    const top = await buildLayer([
      { name: 'bin/gzip', content: 'gzip bytes' },
      { name: 'bin/gunzip', type: 'link', linkname: 'bin/gzip' },
      { name: 'bin/from-lower', type: 'link', linkname: 'bin/lower' },
    ]);
    const result = await walk([base, top], (f) => f.path === '/bin/gunzip' || f.path === '/bin/from-lower');
    assert.deepEqual(result.problems, []);
    assert.deepEqual(await texts(result), { '/bin/from-lower': 'lower bytes', '/bin/gunzip': 'gzip bytes' });
    assert.equal(result.inputs.find((i) => i.file.path === '/bin/gunzip')!.file.size, 'gzip bytes'.length);
  });

  it('a dangling or looping symlink is a problem naming the link', async () => {
    const layer = await buildLayer([
      { name: 'dangling', type: 'symlink', linkname: 'nowhere' },
      { name: 'loop-a', type: 'symlink', linkname: 'loop-b' },
      { name: 'loop-b', type: 'symlink', linkname: 'loop-a' },
    ]);
    const result = await walk([layer], () => true);
    assert.equal(result.inputs.length, 0);
    assert.deepEqual(result.problems.map((p) => p.entry).sort(), ['/dangling', '/loop-a', '/loop-b']);
    assert.match(result.problems.find((p) => p.entry === '/loop-a')!.message, /more than 40 symbolic links/);
  });
});

describe('walkLayers: bad input', () => {
  const entries: LayerEntry[] = [{ name: 'etc/ok', content: 'fine' }];

  it('a blob whose digest differs is an error and its files are left out; other layers are kept', async () => {
    const base = await buildLayer(entries);
    const top = await buildLayer([{ name: 'etc/top', content: 'top' }], 'none');
    const result = await walk([base, top], () => true, (i, blob) => (i === 1 ? Buffer.concat([blob.subarray(0, 10), Buffer.from('X'), blob.subarray(11)]) : blob));
    assert.deepEqual(await texts(result), { '/etc/ok': 'fine' });
    assert.equal(result.problems.length, 1);
    assert.match(formatImageProblem(result.problems[0]!), new RegExp(`^layer ${top.digest}: digest mismatch.*left out`));
  });

  it('a truncated layer is an error naming the layer', async () => {
    const layer = await buildLayer(entries);
    const result = await walk([layer], () => true, (_, blob) => blob.subarray(0, blob.length - 20));
    assert.equal(result.inputs.length, 0);
    assert.match(result.problems[0]!.message, /truncated/);
  });

  for (const compression of ['gzip', 'zstd'] as Compression[]) {
    it(`corrupt ${compression} data is an error naming the layer`, async () => {
      const layer = await buildLayer(entries, compression);
      // Re-digested so that decompression, not digest verification, meets the damage (fzstd, unlike zlib, does
      // not check zstd's content checksum, so a damaged zstd layer may surface as a corrupt tar instead).
      const corrupt = Buffer.from(layer.blob);
      corrupt.fill(0x55, 12, 40);
      const built = { ...layer, blob: corrupt, digest: (await import('../../test/image/sources/build-layer.js')).sha256(corrupt), size: corrupt.length };
      const result = await walk([built], () => true);
      assert.equal(result.inputs.length, 0);
      assert.match(formatImageProblem(result.problems[0]!), new RegExp(`^layer ${built.digest}: (corrupt ${compression} data|truncated or corrupt tar)`));
    });
  }

  it('entries climbing above the root are reported and skipped; absolute names are rooted in the image', async () => {
    const layer = await buildLayer([
      { name: '../../escape.txt', content: 'evil' },
      { name: 'a/../../b.txt', content: 'evil' },
      { name: '/abs.txt', content: 'rooted' },
      { name: 'ok.txt', content: 'ok' },
      { name: 'hl', type: 'link', linkname: '../../etc/shadow' },
    ]);
    const result = await walk([layer], () => true);
    assert.deepEqual(await texts(result), { '/abs.txt': 'rooted', '/ok.txt': 'ok' });
    assert.deepEqual(
      result.problems.map((p) => p.entry),
      ['../../escape.txt', 'a/../../b.txt', 'hl'],
    );
    assert.match(result.problems[0]!.message, /climbs above the image root/);
  });

  it('a wanted file above the size limit is reported, not read', async () => {
    const layer = await buildLayer([{ name: 'big', content: Buffer.alloc(4096, 1) }, { name: 'small', content: 's' }]);
    const result = await walkLayers({
      layers: [{ index: 0, digest: layer.digest, compression: 'gzip', verify: { digest: layer.digest } }],
      open: async () => Readable.from([layer.blob]),
      wants: () => true,
      maxFileBytes: 1000,
    });
    assert.deepEqual(result.inputs.map((i) => i.file.path), ['/small']);
    assert.match(result.problems[0]!.message, /4096 bytes, above the 1000-byte limit/);
  });
});

describe('walkLayers: inspector', () => {
  it('sees entries of every layer, hidden ones too, with bytes when it asks', async () => {
    const base = await buildLayer([{ name: 'root/.ssh/id_rsa', content: 'PRIVATE KEY (deleted later)' }, { name: 'bin/su', content: 'su', mode: 0o4755 }]);
    const top = await buildLayer([{ name: 'root/.ssh/.wh.id_rsa' }, { name: 'app.conf', content: 'token=abc' }]);
    const seen: string[] = [];
    const inspected: string[] = [];
    const result = await walkLayers({
      layers: [base, top].map((l, index) => ({ index, digest: l.digest, compression: l.compression, verify: { digest: l.digest } })),
      open: async (layer) => Readable.from([[base, top][layer.index]!.blob]),
      wants: () => false,
      inspector: {
        wants: (file, visible) => (seen.push(`${file.path} ${visible ? 'visible' : 'hidden'} ${(file.mode & 0o4000) !== 0 ? 'setuid' : ''}`.trim()), file.path !== '/bin/su'),
        inspect: (file, bytes) => inspected.push(`${file.path}@${file.layerDigest === base.digest ? 'base' : 'top'}: ${Buffer.from(bytes).toString()}`),
      },
    });
    assert.deepEqual(seen.sort(), ['/app.conf visible', '/bin/su visible setuid', '/root/.ssh/id_rsa hidden']);
    assert.deepEqual(inspected.sort(), ['/app.conf@top: token=abc', '/root/.ssh/id_rsa@base: PRIVATE KEY (deleted later)']);
    assert.deepEqual(result.inputs, []);
  });

  it('asks wantsRest with the head of a file, drops it when refused and hands the whole file otherwise', async () => {
    const text = `${'a'.repeat(20_000)}\nsecret at the end\n`;
    const binary = Buffer.concat([Buffer.from('\x7fELF\0\0'), Buffer.alloc(50_000, 7)]);
    const layer = await buildLayer([{ name: 'big.txt', content: text }, { name: 'bin/tool', content: binary }, { name: 'tiny', content: 'hi' }]);
    const heads: string[] = [];
    const inspected: Record<string, string> = {};
    await walkLayers({
      layers: [{ index: 0, digest: layer.digest, compression: layer.compression, verify: { digest: layer.digest } }],
      open: async () => Readable.from([layer.blob]),
      wants: () => false,
      inspector: {
        headBytes: 1000,
        wants: () => true,
        wantsRest: (file, head) => (heads.push(`${file.path} ${head.length >= Math.min(1000, file.size)}`), !head.includes(0)),
        inspect: (file, bytes) => (inspected[file.path] = Buffer.from(bytes).toString('latin1')),
      },
    });
    assert.deepEqual(heads.sort(), ['/big.txt true', '/bin/tool true', '/tiny true']);
    assert.deepEqual(Object.keys(inspected).sort(), ['/big.txt', '/tiny']);
    assert.equal(inspected['/big.txt'], text);
    assert.equal(inspected['/tiny'], 'hi');
  });
});

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { CatalogInput, FileContent } from '../../../src/image/catalogers/cataloger.js';
import { catalogImage } from '../../../src/image/catalogers/catalog-image.js';
import { goBinaryCataloger } from '../../../src/image/catalogers/go-binary.js';
import { rustAuditBinaryCataloger } from '../../../src/image/catalogers/rust-audit-binary.js';
import { diskContent } from './directory-inputs.js';

/** A Go program Debian installed here (built with Go's build info); any ELF executable would do for the count. */
const BINARY = ['/usr/bin/umoci', '/usr/bin/skopeo', '/usr/local/go/bin/gofmt'].find((p) => existsSync(p));

it('the go-binary and rust-audit-binary catalogers share one parse of each ELF file', { skip: !BINARY && 'no Go binary on this machine' }, async () => {
  const disk = diskContent(BINARY!);
  const reads: string[] = [];
  const counted: FileContent = { size: disk.size, read: (offset, length) => (reads.push(`${offset}+${length}`), disk.read(offset, length)) };
  const input: CatalogInput = { file: { path: '/usr/bin/tool', mode: 0o100755, size: disk.size, layerDigest: 'sha256:l', uid: 0, gid: 0 }, content: counted };

  const alone = await goBinaryCataloger.catalog([{ ...input, content: diskContent(BINARY!) }], {});
  const both = await catalogImage([input], [goBinaryCataloger, rustAuditBinaryCataloger]);
  assert.deepEqual(both.problems, []);
  assert.deepEqual(both.packages, alone.packages, 'the shared parse gives the same Go modules');
  assert.ok(alone.packages.some((p) => p.name === 'stdlib'));
  // Magic, ELF header, program headers, section headers, section names: each read once, not once per cataloger.
  assert.equal(reads.filter((r) => r === '0+4').length, 1, reads.join(' '));
  assert.equal(reads.filter((r) => r === '0+64').length, 1, reads.join(' '));
  assert.equal(new Set(reads).size, reads.length, `no read repeated: ${reads.join(' ')}`);
});

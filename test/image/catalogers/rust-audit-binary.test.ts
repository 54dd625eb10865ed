import { it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { bytesContent } from '../../../src/image/catalogers/cataloger.js';
import { readElf } from '../../../src/image/catalogers/elf-file.js';
import { rustAuditBinaryCataloger } from '../../../src/image/catalogers/rust-audit-binary.js';
import { cachedFixture, run, toolAvailable } from '../real-fixtures.js';
import { diskContent } from './directory-inputs.js';

/** smallvec 1.6.0 (RUSTSEC-2021-0003) and base64 0.5.1 (RUSTSEC-2017-0004), with a transitive dependency. */
const CARGO_TOML = `[package]
name = "aspis-fixture"
version = "0.1.0"
edition = "2021"

[dependencies]
smallvec = "=1.6.0"
base64 = "=0.5.1"
`;
const MAIN_RS = `fn main() {
    let mut v: smallvec::SmallVec<[u8; 4]> = smallvec::SmallVec::new();
    v.push(1);
    println!("{:?} {}", v, base64::encode(b"aspis"));
}
`;

const cargoHome = process.env['CARGO_HOME'] ?? join(homedir(), '.cargo');
const cargoAuditable = existsSync(join(cargoHome, 'bin', 'cargo-auditable')) || toolAvailable('cargo-auditable');

const project = toolAvailable('cargo') && cargoAuditable
  ? cachedFixture('rust-auditable', CARGO_TOML + MAIN_RS, (dir) => {
      writeFileSync(join(dir, 'Cargo.toml'), CARGO_TOML);
      mkdirSync(join(dir, 'src'));
      writeFileSync(join(dir, 'src/main.rs'), MAIN_RS);
      const env = { PATH: `${join(cargoHome, 'bin')}:${process.env['PATH']}` };
      run('cargo', ['auditable', 'build', '--release', '--quiet'], dir, env);
      writeFileSync(join(dir, 'cargo-tree.txt'), run('cargo', ['tree', '--prefix', 'none', '-e', 'normal,build', '--format', '{p}'], dir, env));
    })
  : { skip: 'cargo or cargo-auditable (cargo install cargo-auditable) is not installed' };

it('rust-audit-binary cataloger on a cargo auditable build equals cargo tree of the project', { skip: 'skip' in project && project.skip }, async () => {
  const { dir } = project as { dir: string };
  const binary = join(dir, 'target/release/aspis-fixture');
  const result = await rustAuditBinaryCataloger.catalog(
    [{ file: { path: '/usr/local/bin/aspis-fixture', mode: 0o100755, size: diskContent(binary).size, layerDigest: 'sha256:l', uid: 0, gid: 0 }, content: diskContent(binary) }],
    {},
  );
  assert.deepEqual(result.problems, []);
  const expected = [...new Set(run('cat', ['cargo-tree.txt'], dir).split('\n').filter(Boolean).map((l) => l.split(' ').slice(0, 2).join(' ')))].sort();
  assert.deepEqual(result.packages.map((p) => `${p.name} v${p.version}`).sort(), expected);
  const smallvec = result.packages.find((p) => p.name === 'smallvec')!;
  assert.equal(smallvec.ecosystem, 'crates.io');
  assert.equal(smallvec.purl, 'pkg:cargo/smallvec@1.6.0');
  assert.equal(result.packages.find((p) => p.name === 'aspis-fixture')!.metadata?.['source'], 'local');
});

it('rust-audit-binary: a binary without .dep-v0 gives nothing; a corrupt section is a problem naming the binary', async () => {
  const plain = await rustAuditBinaryCataloger.catalog([{ file: { path: '/bin/true', mode: 0o100755, size: diskContent('/bin/true').size, layerDigest: 'sha256:l', uid: 0, gid: 0 }, content: diskContent('/bin/true') }], {});
  assert.deepEqual(plain, { packages: [], problems: [] });
  // A real auditable binary whose .dep-v0 bytes are overwritten: the zlib error names the binary.
  if (!('dir' in project)) return;
  const binary = join(project.dir, 'target/release/aspis-fixture');
  const bytes = new Uint8Array(await diskContent(binary).read(0, diskContent(binary).size));
  const section = (await readElf(bytesContent(bytes)))!.sections.find((x) => x.name === '.dep-v0')!;
  bytes.fill(0x41, section.offset, section.offset + section.size);
  const corrupt = await rustAuditBinaryCataloger.catalog([{ file: { path: '/usr/bin/app', mode: 0o100755, size: bytes.length, layerDigest: 'sha256:l', uid: 0, gid: 0 }, content: bytesContent(bytes) }], {});
  assert.deepEqual(corrupt.packages, []);
  assert.equal(corrupt.problems.length, 1);
  assert.equal(corrupt.problems[0]!.path, '/usr/bin/app');
  assert.match(corrupt.problems[0]!.message, /header/i);
});

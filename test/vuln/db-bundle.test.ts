/**
 * Signed database bundles end to end on a real database (the osv-advisories corpus's npm and Ubuntu records):
 * written, verified, installed; then every way a bundle can be bad — changed metadata, wrong key, truncated,
 * another format version or schema, a database whose bytes or size differ from the signed ones, not gzip, entries
 * missing, extra or out of order — is a clear error, and nothing is written (an installed database stays as it was).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tarBytes } from '../image/sources/build-layer.js';
import { corpusDir } from '../corpora/corpus-location.js';
import { importRecords } from '../../src/vuln/database/import-records.js';
import { BundleError } from '../../src/store/vuln-db/bundle-format.js';
import { generateBundleKeyPair, keyId, loadSigningKey, loadVerifyingKey } from '../../src/store/vuln-db/bundle-keys.js';
import { fileSha256 } from '../../src/store/vuln-db/file-sha256.js';
import { installBundle, installedBundleFiles, verifyInstalledDatabase } from '../../src/store/vuln-db/installed-bundle.js';
import { recordFiles } from '../../src/store/vuln-db/osv-record-files.js';
import { parsedRecords } from '../../src/store/vuln-db/parse-record-file.js';
import { readBundle } from '../../src/store/vuln-db/read-bundle.js';
import { VulnDatabase } from '../../src/store/vuln-db/vuln-database.js';
import { writeBundle } from '../../src/store/vuln-db/write-bundle.js';

const work = mkdtempSync(join(tmpdir(), 'aspis-bundle-'));
after(() => rmSync(work, { recursive: true, force: true }));

const pair = generateBundleKeyPair();
const other = generateBundleKeyPair();
const signingKey = loadSigningKey(pair.privateKeyPem);
const trusted = loadVerifyingKey(pair.publicKeyPem);
const databasePath = join(work, 'source', 'osv.sqlite');
const goodBundle = join(work, 'good.tar.gz');
/** The three entries of the good bundle, as bytes, to build bad ones from. */
let parts: { metadata: Buffer; signature: Buffer; database: Buffer };

async function bundleOf(entries: Array<{ name: string; content: Buffer; type?: 'file' | 'directory' }>, name: string): Promise<string> {
  const file = join(work, `${name}.tar.gz`);
  writeFileSync(file, gzipSync(await tarBytes(entries.map((e) => ({ name: e.name, content: e.content, type: e.type ?? 'file' })))));
  return file;
}

function signed(metadata: Record<string, unknown>): { metadata: Buffer; signature: Buffer } {
  const bytes = Buffer.from(JSON.stringify(metadata));
  return { metadata: bytes, signature: sign(null, bytes, createPrivateKey(pair.privateKeyPem)) };
}

const standard = (p: { metadata: Buffer; signature: Buffer; database: Buffer }) => [
  { name: 'aspis-bundle.json', content: p.metadata },
  { name: 'aspis-bundle.json.sig', content: p.signature },
  { name: 'osv.sqlite', content: p.database },
];

async function* osvRecordFilesFor(paths: readonly string[]) {
  for (const path of paths) yield* parsedRecords(recordFiles(path));
}

function filesIn(dir: string): string[] {
  return readdirSync(dir).sort();
}

before(async () => {
  const db = VulnDatabase.open(databasePath, { create: true });
  const corpus = corpusDir('osv-advisories');
  await importRecords(osvRecordFilesFor([join(corpus, 'npm'), join(corpus, 'ubuntu')]), db);
  db.recordImport('osv-advisories npm + ubuntu', new Date('2026-11-01T00:00:00Z'));
  db.checkpoint();
  db.close();
  await writeBundle(databasePath, goodBundle, signingKey, { createdAt: new Date('2026-11-27T12:00:00Z'), createdBy: 'aspis test' });
  const unpacked = join(work, 'unpacked');
  mkdirSync(unpacked);
  execFileSync('tar', ['-xzf', goodBundle, '-C', unpacked]);
  parts = {
    metadata: readFileSync(join(unpacked, 'aspis-bundle.json')),
    signature: readFileSync(join(unpacked, 'aspis-bundle.json.sig')),
    database: readFileSync(join(unpacked, 'osv.sqlite')),
  };
});

describe('a good bundle', () => {
  it('holds the metadata, a signature and the database, in that order, as a plain .tar.gz', () => {
    const listing = execFileSync('tar', ['-tzf', goodBundle], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(listing, ['aspis-bundle.json', 'aspis-bundle.json.sig', 'osv.sqlite']);
    assert.equal(parts.signature.length, 64);
  });

  it('verifies, and its metadata describes the database it holds', async () => {
    const { metadata } = await readBundle(goodBundle, trusted);
    assert.equal(metadata.formatVersion, 1);
    assert.equal(metadata.createdAt, '2026-11-27T12:00:00.000Z');
    assert.equal(metadata.source, 'osv-advisories npm + ubuntu');
    assert.equal(metadata.keyId, pair.keyId);
    assert.equal(metadata.records, 22);
    assert.equal(metadata.recordsPerEcosystem['npm'], 16);
    assert.equal(metadata.recordsPerEcosystem['Ubuntu:22.04:LTS'], 6);
    assert.equal(metadata.database.size, parts.database.length);
    const installed = join(work, 'installed-check', 'osv.sqlite');
    await installBundle(goodBundle, installed, trusted);
    assert.equal(await fileSha256(installed), metadata.database.sha256);
  });

  it('installs a database that opens, answers queries and stays byte-identical after a scan opened it', async () => {
    const installed = join(work, 'installed', 'osv.sqlite');
    const metadata = await installBundle(goodBundle, installed, trusted);
    assert.deepEqual(filesIn(join(work, 'installed')), ['osv.sqlite', 'osv.sqlite.bundle.json', 'osv.sqlite.bundle.json.sig']);
    const db = VulnDatabase.open(installed);
    assert.ok(db.affectedRows('Ubuntu:22.04:LTS', 'glibc').length > 0);
    assert.equal(db.metadata().records, 22);
    db.close();
    assert.deepEqual(await verifyInstalledDatabase(installed, trusted), metadata);
  });

  it('verifies only with the metadata when asked, without reading the database entry', async () => {
    // The database entry is corrupted here: a metadata-only read does not notice, a full read does.
    const corrupted = Buffer.from(parts.database.map((byte, i) => (i >= 1000 && i < 2000 ? byte ^ 0xff : byte)));
    const bundle = await bundleOf(standard({ ...parts, database: corrupted }), 'metadata-only');
    const signedSha = (JSON.parse(parts.metadata.toString()) as { database: { sha256: string } }).database.sha256;
    assert.equal((await readBundle(bundle, trusted, { metadataOnly: true })).metadata.database.sha256, signedSha);
    await assert.rejects(readBundle(bundle, trusted), /database was changed after signing/);
  });
});

describe('db bundle errors', () => {
  it('names the database that is missing and the output that cannot be written', async () => {
    const options = { createdAt: new Date(), createdBy: 'aspis test' };
    await assert.rejects(writeBundle(join(work, 'absent.sqlite'), join(work, 'x.tar.gz'), signingKey, options), /no vulnerability database at .*absent\.sqlite/);
    await assert.rejects(writeBundle(databasePath, join(work, 'no-such-folder', 'b.tar.gz'), signingKey, options), /no-such-folder\/b\.tar\.gz: cannot write the database snapshot/);
    assert.equal(filesIn(work).some((name) => name.startsWith('x.tar.gz')), false);
  });
});

describe('a bad bundle is a clear error and writes nothing', () => {
  const target = join(work, 'target', 'osv.sqlite');
  let before: { sha: string; files: string[] };

  // Every failing install below goes to a folder holding an installed database, which must stay as it was.
  it('starts from an installed database', async () => {
    await installBundle(goodBundle, target, trusted);
    before = { sha: await fileSha256(target), files: filesIn(join(work, 'target')) };
  });

  async function refused(bundle: string, message: RegExp, key = trusted): Promise<void> {
    await assert.rejects(readBundle(bundle, key), (error: Error) => error instanceof BundleError && message.test(error.message) && error.message.startsWith(bundle));
    await assert.rejects(installBundle(bundle, target, key), message);
    assert.deepEqual(filesIn(join(work, 'target')), before.files);
    assert.equal(await fileSha256(target), before.sha);
    await verifyInstalledDatabase(target, trusted);
  }

  it('metadata changed after signing', async () => {
    const changed = Buffer.from(parts.metadata.toString().replace('"records": 22', '"records": 23'));
    assert.notDeepEqual(changed, parts.metadata);
    await refused(await bundleOf(standard({ ...parts, metadata: changed }), 'changed-metadata'), /signature does not verify with the trusted key sha256:[0-9a-f]{64}: the metadata or signature was changed after signing/);
  });

  it('a signature that is not 64 bytes', async () => {
    await refused(await bundleOf(standard({ ...parts, signature: parts.signature.subarray(0, 10) }), 'short-signature'), /signature does not verify/);
  });

  it('signed by another key than the trusted one: both keys named', async () => {
    const wrongKey = loadVerifyingKey(other.publicKeyPem);
    await refused(goodBundle, new RegExp(`signature does not verify with the trusted key ${other.keyId}: the bundle names signing key ${pair.keyId}`), wrongKey);
  });

  it('truncated anywhere: in the database, in the metadata, or a bundle without its database', async () => {
    const bytes = readFileSync(goodBundle);
    // 200 bytes of gzip end inside the metadata entry; 60 % inside the database.
    for (const length of [200, Math.floor(bytes.length * 0.6)]) {
      const cut = join(work, `truncated-${length}.tar.gz`);
      writeFileSync(cut, bytes.subarray(0, length));
      await refused(cut, /truncated bundle/);
    }
    const withoutDatabase = await bundleOf(standard(parts).slice(0, 2), 'no-database');
    await refused(withoutDatabase, /truncated bundle: osv\.sqlite is missing/);
  });

  it('a format version this Aspis does not read', async () => {
    const metadata = { ...JSON.parse(parts.metadata.toString()), formatVersion: 2 };
    await refused(await bundleOf(standard({ ...parts, ...signed(metadata) }), 'format-2'), /bundle format version 2, this Aspis reads version 1/);
  });

  it('a database schema this Aspis does not read', async () => {
    const metadata = { ...JSON.parse(parts.metadata.toString()), schemaVersion: 99 };
    await refused(await bundleOf(standard({ ...parts, ...signed(metadata) }), 'schema-99'), /the bundled database has schema 99, this Aspis reads schema 1/);
  });

  it('signed metadata missing a field', async () => {
    const { database: _, ...metadata } = JSON.parse(parts.metadata.toString()) as Record<string, unknown>;
    await refused(await bundleOf(standard({ ...parts, ...signed(metadata) }), 'no-database-field'), /aspis-bundle\.json: database: /);
  });

  it('a database whose bytes differ from the signed sha256 (same size)', async () => {
    const changed = Buffer.from(parts.database);
    changed[changed.length - 100] = changed[changed.length - 100]! ^ 0xff;
    await refused(await bundleOf(standard({ ...parts, database: changed }), 'changed-database'), /osv\.sqlite has sha256 [0-9a-f]{64}, the signed metadata says [0-9a-f]{64}: the database was changed after signing/);
  });

  it('a database of another size than the signed one', async () => {
    const longer = Buffer.concat([parts.database, Buffer.alloc(4096)]);
    await refused(await bundleOf(standard({ ...parts, database: longer }), 'longer-database'), new RegExp(`osv\\.sqlite is ${longer.length} bytes, the signed metadata says ${parts.database.length}`));
  });

  it('not gzip, or gzip of something that is not a tar archive', async () => {
    const text = join(work, 'not-gzip.tar.gz');
    writeFileSync(text, 'this is not a bundle\n'.repeat(100));
    await refused(text, /not a gzip-compressed Aspis bundle, or corrupt/);
    const notTar = join(work, 'not-tar.tar.gz');
    writeFileSync(notTar, gzipSync(Buffer.from('x'.repeat(2048))));
    await refused(notTar, /unreadable bundle/);
  });

  it('entries out of order, of the wrong type, or an extra entry', async () => {
    const [metadata, signature, database] = standard(parts);
    await refused(await bundleOf([database!, metadata!, signature!], 'reordered'), /entry 1 is file osv\.sqlite, expected file aspis-bundle\.json/);
    await refused(await bundleOf([metadata!, { name: 'aspis-bundle.json.sig', content: Buffer.alloc(0), type: 'directory' }, database!], 'directory'), /entry 2 is directory aspis-bundle\.json\.sig/);
    await refused(await bundleOf([metadata!, signature!, database!, { name: 'extra.sh', content: Buffer.from('echo') }], 'extra'), /unexpected entry extra\.sh after osv\.sqlite/);
  });

  it('no such file', async () => {
    await refused(join(work, 'missing.tar.gz'), /missing\.tar\.gz: no such file/);
  });
});

describe('an installed database is trusted only while it is exactly what was signed', () => {
  it('is refused when it was not installed from a bundle', async () => {
    await assert.rejects(verifyInstalledDatabase(databasePath, trusted), /was not installed from a signed bundle \(no .*osv\.sqlite\.bundle\.json\)/);
    await assert.rejects(verifyInstalledDatabase(join(work, 'nowhere.sqlite'), trusted), /no vulnerability database at .*nowhere\.sqlite/);
  });

  it('is refused once an import changed it, or while its WAL holds changes', async () => {
    const installed = join(work, 'changed', 'osv.sqlite');
    await installBundle(goodBundle, installed, trusted);
    writeFileSync(`${installed}-wal`, 'pending');
    await assert.rejects(verifyInstalledDatabase(installed, trusted), /has changes that are not in the signed bundle \(.*osv\.sqlite-wal is not empty\)/);
    rmSync(`${installed}-wal`);
    const db = VulnDatabase.open(installed);
    await importRecords(osvRecordFilesFor([join(corpusDir('osv-advisories'), 'go', 'GO-2020-0001.json')]), db);
    db.checkpoint();
    db.close();
    await assert.rejects(verifyInstalledDatabase(installed, trusted), /changed since it was installed from the signed bundle/);
  });

  it('is refused with another trusted key, and when its provenance files were edited', async () => {
    const installed = join(work, 'provenance', 'osv.sqlite');
    await installBundle(goodBundle, installed, trusted);
    await assert.rejects(verifyInstalledDatabase(installed, loadVerifyingKey(other.publicKeyPem)), /names signing key/);
    appendFileSync(installedBundleFiles(installed).metadata, ' ');
    await assert.rejects(verifyInstalledDatabase(installed, trusted), /signature does not verify/);
  });
});

describe('keys', () => {
  it('are ed25519 PEM; other key types and non-keys are refused naming the file', () => {
    assert.equal(keyId(createPublicKey(pair.publicKeyPem)), pair.keyId);
    const rsa = join(work, 'rsa.pem');
    execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', rsa], { stdio: 'ignore' });
    assert.throws(() => loadSigningKey(rsa), /rsa\.pem: a rsa key; bundles are signed with ed25519 keys/);
    assert.throws(() => loadVerifyingKey(rsa), /rsa\.pem: a rsa key; bundles are verified with ed25519 keys/);
    const garbage = join(work, 'garbage.pem');
    writeFileSync(garbage, 'not a key');
    assert.throws(() => loadVerifyingKey(garbage), /garbage\.pem: not a PEM public key/);
    assert.throws(() => loadSigningKey(join(work, 'absent.pem')), /absent\.pem: cannot read the key: ENOENT/);
  });

  it('made by openssl work as well', async () => {
    const privatePem = join(work, 'openssl-ed25519.pem');
    execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', privatePem]);
    const publicPem = execFileSync('openssl', ['pkey', '-in', privatePem, '-pubout'], { encoding: 'utf8' });
    const bundle = join(work, 'openssl-signed.tar.gz');
    await writeBundle(databasePath, bundle, loadSigningKey(privatePem), { createdAt: new Date(), createdBy: 'aspis test' });
    assert.equal((await readBundle(bundle, loadVerifyingKey(publicPem))).metadata.records, 22);
  });
});
